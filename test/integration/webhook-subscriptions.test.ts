// Health of the app's own Shopify webhook subscriptions, through HTTP against
// the fake Shopify: list with filters and paging, detail with the last
// deliveries, delete, and registering the missing ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

const EMAIL = 'customers_email_marketing_consent/update';
const SMS = 'customers_marketing_consent/update';
const UNINSTALLED = 'app/uninstalled';

let h: Harness;
let expected: string;
const auth = async () => ({ Authorization: `Bearer ${await h.token()}` });
const path = (id: string) => `/api/webhook-subscriptions/${encodeURIComponent(id)}`;

async function list(query: Record<string, string | number> = {}) {
  const res = await h.http().get('/api/webhook-subscriptions').query(query).set(await auth());
  expect(res.status).toBe(200);
  return res.body as {
    items: Array<{ id: string; topic: string; address: string | null; apiVersion: string | null; status: string; createdAt: string | null; lastDeliveryAt: string | null }>;
    page: number;
    pageSize: number;
    total: number;
    managedByAppConfig: Array<{ topic: string; status: string }>;
  };
}

beforeAll(async () => {
  // This app declares its topics in shopify.app.toml; here they are registered through the Admin API instead.
  h = await startHarness({ env: { WEBHOOK_TOPICS_VIA_API: 'customers_email_marketing_consent/update,customers_marketing_consent/update,app/uninstalled' } });
  expected = `${h.config.shopify.appUrl}/webhooks`;
});
afterAll(async () => h?.close());

describe('webhook subscriptions', () => {
  it('lists the expected subscriptions as missing while Shopify has none; compliance topics are managed by app config', async () => {
    const body = await list();
    expect(body).toMatchObject({ page: 1, pageSize: 25, total: 3 });
    expect(body.items).toEqual(
      [EMAIL, SMS, UNINSTALLED].map((topic) => ({
        id: `missing:${topic}`,
        topic,
        address: expected,
        apiVersion: null,
        status: 'missing',
        createdAt: null,
        lastDeliveryAt: null,
      })),
    );
    expect(body.managedByAppConfig.map((m) => m.topic)).toEqual(['customers/data_request', 'customers/redact', 'shop/redact']);
    expect(body.managedByAppConfig.every((m) => m.status === 'managed by app config')).toBe(true);
  });

  it('register creates the missing ones (enum topics, JSON, the app address) and nothing the second time', async () => {
    const res = await h.http().post('/api/webhook-subscriptions/register').set(await auth());
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(3);
    expect(res.body.items.map((i: { topic: string }) => i.topic).sort()).toEqual([UNINSTALLED, SMS, EMAIL].sort());
    expect(res.body.items.every((i: { status: string; id: string }) => i.status === 'active' && i.id.startsWith('gid://shopify/WebhookSubscription/'))).toBe(true);

    const inShopify = h.shopify.control.webhookSubscriptions(h.shop);
    expect(inShopify.map((s) => s.topic).sort()).toEqual(['APP_UNINSTALLED', 'CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE', 'CUSTOMERS_MARKETING_CONSENT_UPDATE']);
    expect(inShopify.every((s) => s.uri === expected && s.format === 'JSON')).toBe(true);

    const again = await h.http().post('/api/webhook-subscriptions/register').set(await auth());
    expect(again.body).toMatchObject({ created: 0, items: [] });
    expect(h.shopify.control.webhookSubscriptions(h.shop)).toHaveLength(3);

    const body = await list({ filter: 'missing' });
    expect(body).toMatchObject({ total: 0, items: [] });
    const all = await list();
    expect(all.items.every((i) => i.status === 'active' && i.apiVersion === '2026-10' && i.createdAt)).toBe(true);
  });

  it('a subscription delivering elsewhere is failing', async () => {
    h.shopify.control.addWebhookSubscription(h.shop, { topic: 'CUSTOMERS_MARKETING_CONSENT_UPDATE', uri: 'https://old-tunnel.example.com/webhooks' });
    const body = await list({ filter: 'failing' });
    expect(body.total).toBe(1);
    expect(body.items[0]).toMatchObject({ topic: SMS, status: 'failing', address: 'https://old-tunnel.example.com/webhooks' });
    expect((await list({ filter: 'missing' })).total).toBe(0); // the right one exists too
    expect((await list()).total).toBe(4);
  });

  it('lastDeliveryAt and the detail come from the deliveries the app stored; the detail has the last 5', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'hooks@example.com' });
    for (let i = 0; i < 7; i++) {
      h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: i % 2 ? 'unsubscribed' : 'subscribed' });
      await h.shopify.control.webhooksIdle();
    }
    await h.settle();
    const events = await h.server.ctx.db.prisma.inboundEvent.findMany({
      where: { shopId: h.shop, topic: EMAIL },
      orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
    });
    expect(events.length).toBeGreaterThanOrEqual(7);

    const body = await list();
    const email = body.items.find((i) => i.topic === EMAIL)!;
    expect(email.lastDeliveryAt).toBe(events[0]!.receivedAt.toISOString());
    expect(body.items.find((i) => i.topic === UNINSTALLED)!.lastDeliveryAt).toBeNull();

    const detail = await h.http().get(path(email.id)).set(await auth());
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      id: email.id,
      topic: EMAIL,
      address: expected,
      status: 'active',
      apiVersion: '2026-10',
      format: 'JSON',
      filter: null,
      includeFields: [],
    });
    expect(detail.body.recentDeliveries).toEqual(events.slice(0, 5).map((e) => ({ receivedAt: e.receivedAt.toISOString(), topic: EMAIL })));

    const missing = await h.http().get(path('gid://shopify/WebhookSubscription/1')).set(await auth());
    expect(missing.status).toBe(404);
  });

  it('pages and validates the query', async () => {
    const first = await list({ page: 1, pageSize: 3 });
    const second = await list({ page: 2, pageSize: 3 });
    expect(first.total).toBe(4);
    expect(first.items).toHaveLength(3);
    expect(second.items).toHaveLength(1);
    expect(new Set([...first.items, ...second.items].map((i) => i.id)).size).toBe(4);
    const bad = await h.http().get('/api/webhook-subscriptions').query({ filter: 'broken' }).set(await auth());
    expect(bad.status).toBe(400);
  });

  it('DELETE removes a subscription in Shopify; its topic then shows as missing', async () => {
    const email = (await list()).items.find((i) => i.topic === EMAIL && i.status === 'active')!;
    const res = await h.http().delete(path(email.id)).set(await auth());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, deletedId: email.id, topic: EMAIL });
    expect(h.shopify.control.webhookSubscriptions(h.shop).some((s) => s.id === email.id)).toBe(false);

    const missing = await list({ filter: 'missing' });
    expect(missing.items).toEqual([expect.objectContaining({ id: `missing:${EMAIL}`, status: 'missing' })]);
    // The missing row's detail still shows the deliveries of its topic.
    const detail = await h.http().get(path(`missing:${EMAIL}`)).set(await auth());
    expect(detail.status).toBe(200);
    expect(detail.body.recentDeliveries).toHaveLength(5);

    expect((await h.http().delete(path(email.id)).set(await auth())).status).toBe(404);
    expect((await h.http().delete(path(`missing:${EMAIL}`)).set(await auth())).status).toBe(404);

    // Registering again restores it.
    const again = await h.http().post('/api/webhook-subscriptions/register').set(await auth());
    expect(again.body, JSON.stringify(again.body)).toMatchObject({ created: 1 });
    expect(again.body.items).toEqual([expect.objectContaining({ topic: EMAIL, status: 'active' })]);
  });

  it('Shopify refusing the app answers 403 with a message', async () => {
    h.shopify.control.revokeShop(h.shop);
    const res = await h.http().get('/api/webhook-subscriptions').set(await auth());
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual(expect.any(String));
  });
});
