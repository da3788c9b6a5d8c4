// Privacy webhooks and uninstall do what they promise: data is reported or erased.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, EDRONE_APP_ID, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const db = () => h.server.ctx.db.prisma;

async function customerWithHistory(email: string, phone: string) {
  const c = h.shopify.control.createCustomer({ shop: h.shop, email, phone, emailState: 'subscribed', smsState: 'subscribed' });
  h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'unsubscribed' });
  h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'sms', state: 'unsubscribed' });
  await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email, status: '1' });
  await h.settle();
  return c;
}

async function storedMentions(needle: string): Promise<number> {
  const [events, consent, activity] = await Promise.all([
    db().inboundEvent.count({ where: { shopId: h.shop, payload: { contains: needle } } }),
    db().consentState.count({ where: { shopId: h.shop, identity: { contains: needle } } }),
    db().activity.count({ where: { shopId: h.shop, identity: { contains: needle } } }),
  ]);
  return events + consent + activity;
}

describe('compliance webhooks', () => {
  it('customers/data_request produces a report of what is stored about the customer, kept for the merchant', async () => {
    const c = await customerWithHistory('dora@example.com', '+48600100100');
    const d = await h.shopify.control.sendWebhook({
      shop: h.shop,
      topic: 'customers/data_request',
      body: `{"shop_id":954889,"shop_domain":"${h.shop}","customer":{"id":${c.id},"email":"dora@example.com","phone":"+48600100100"},"orders_requested":[],"data_request":{"id":9999}}`,
    });
    expect(d.status).toBe(200);
    await h.settle();
    const request = await db().complianceRequest.findFirstOrThrow({ where: { shopId: h.shop, topic: 'customers/data_request' } });
    const report = JSON.parse(request.report);
    expect(report.consent.map((r: { channel: string }) => r.channel).sort()).toEqual(['email', 'sms']);
    expect(report.activity.length).toBeGreaterThan(0);
  });

  it('customers/redact erases the customer’s consent, activity and raw payloads, and nobody else’s', async () => {
    const c = await customerWithHistory('erin@example.com', '+48600200200');
    await customerWithHistory('frank@example.com', '+48600300300');
    expect(await storedMentions('erin@example.com')).toBeGreaterThan(0);
    const d = await h.shopify.control.sendWebhook({
      shop: h.shop,
      topic: 'customers/redact',
      body: `{"shop_id":954889,"shop_domain":"${h.shop}","customer":{"id":${c.id},"email":"erin@example.com","phone":"+48600200200"},"orders_to_redact":[]}`,
    });
    expect(d.status).toBe(200);
    await h.settle();
    expect(await storedMentions('erin@example.com')).toBe(0);
    expect(await storedMentions('+48600200200')).toBe(0);
    expect(await db().consentState.count({ where: { shopifyCustomerId: c.id } })).toBe(0);
    expect(await storedMentions('frank@example.com')).toBeGreaterThan(0);
  });

  it('a compliance webhook with a bad HMAC gets 401 and stores nothing', async () => {
    for (const topic of ['customers/data_request', 'customers/redact', 'shop/redact', 'app/uninstalled']) {
      const before = await db().inboundEvent.count();
      const d = await h.shopify.control.sendWebhook({
        shop: h.shop,
        topic,
        body: `{"shop_id":1,"shop_domain":"${h.shop}","customer":{"id":1}}`,
        signWith: 'not-the-app-secret',
        retry: false,
      });
      expect(d.status, topic).toBe(401);
      expect(await db().inboundEvent.count()).toBe(before);
    }
  });
});

describe('uninstall and shop redaction', () => {
  it('app/uninstalled stops the shop’s sync and removes its sessions; shop/redact then erases the shop', async () => {
    await customerWithHistory('gina@example.com', '+48600400400');
    const d = await h.shopify.control.sendWebhook({ shop: h.shop, topic: 'app/uninstalled', body: `{"id":548380009,"name":"Demo"}` });
    expect(d.status).toBe(200);
    await h.settle();
    const shop = await db().shop.findUniqueOrThrow({ where: { id: h.shop } });
    expect(shop.uninstalledAt).not.toBeNull();
    expect(await db().session.count({ where: { shop: h.shop } })).toBe(0);

    // edrone's sync URL no longer works, and Shopify changes are not pushed.
    const res = await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'gina@example.com', status: '1' });
    expect(res.status).toBe(404);
    const traces = h.edrone.traces.length;
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'late@example.com', emailState: 'subscribed' });
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'unsubscribed' });
    await h.settle();
    expect(h.edrone.traces.length).toBe(traces);

    const redact = await h.shopify.control.sendWebhook({ shop: h.shop, topic: 'shop/redact', body: `{"shop_id":954889,"shop_domain":"${h.shop}"}` });
    expect(redact.status).toBe(200);
    await h.settle();
    expect(await db().shop.count({ where: { id: h.shop } })).toBe(0);
    for (const table of ['consentState', 'activity', 'inboundEvent', 'complianceRequest'] as const) {
      // @ts-expect-error same shopId filter on each model
      expect(await db()[table].count({ where: { shopId: h.shop } }), table).toBe(0);
    }
  });
});
