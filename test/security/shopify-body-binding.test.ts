// Issue 9, part 2, point 1: a signed Shopify body is bound to its headers. The
// HMAC covers only the body, so a body signed for shop A (or for another topic)
// replayed with other headers must get 401 and change nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../app/sandbox/fake-shopify.js';
import { API_SECRET, startHarness, type Harness } from '../helpers/harness.js';

const A = 'shop-a.myshopify.com';
let h: Harness;
let C: string;

beforeAll(async () => {
  h = await startHarness();
  C = h.shop;
});
afterAll(async () => h?.close());

function deliver(topic: string, shop: string, body: string) {
  return h
    .http()
    .post('/webhooks')
    .set('Content-Type', 'application/json')
    .set('X-Shopify-Topic', topic)
    .set('X-Shopify-Shop-Domain', shop)
    .set('X-Shopify-API-Version', '2026-07')
    .set('X-Shopify-Webhook-Id', randomUUID())
    .set('X-Shopify-Hmac-Sha256', signWebhook(body, API_SECRET))
    .send(body);
}

async function snapshot() {
  const { prisma } = h.server.ctx.db;
  const shop = await prisma.shop.findUnique({ where: { id: C } });
  return {
    events: await prisma.inboundEvent.count(),
    jobs: await prisma.job.count(),
    compliance: await prisma.complianceRequest.count(),
    sessions: await prisma.session.count({ where: { shop: C } }),
    uninstalledAt: shop?.uninstalledAt ?? null,
    consentRows: await prisma.consentState.count({ where: { shopId: C } }),
  };
}

async function expectRefused(topic: string, body: string) {
  const before = await snapshot();
  const res = await deliver(topic, C, body);
  expect(res.status, JSON.stringify(res.body)).toBe(401);
  expect(typeof res.body.error).toBe('string');
  await h.settle();
  expect(await snapshot()).toEqual(before);
}

describe('a signed body replayed under another shop or topic', () => {
  it("when shop A's shop/redact body is sent with X-Shopify-Shop-Domain C, then 401 and shop C is not erased", async () => {
    await expectRefused('shop/redact', `{"shop_id":954889,"shop_domain":"${A}"}`);
    expect(await h.server.ctx.db.prisma.shop.count({ where: { id: C } })).toBe(1);
  });

  it("when shop A's customers/redact body is sent for C, then 401 and C's matching customer is kept", async () => {
    const c = h.shopify.control.createCustomer({ shop: C, email: 'keep.me@example.com', emailState: 'subscribed' });
    h.shopify.control.setConsent({ shop: C, customerId: c.id, channel: 'email', state: 'unsubscribed' });
    await h.settle();
    const rows = await h.server.ctx.db.prisma.consentState.count({ where: { shopId: C, identity: 'keep.me@example.com' } });
    expect(rows).toBe(1);
    await expectRefused(
      'customers/redact',
      `{"shop_id":954889,"shop_domain":"${A}","customer":{"id":${c.id},"email":"keep.me@example.com","phone":null},"orders_to_redact":[]}`,
    );
    expect(await h.server.ctx.db.prisma.consentState.count({ where: { shopId: C, identity: 'keep.me@example.com' } })).toBe(1);
  });

  it('when a consent body is sent with topic app/uninstalled, then 401: the shop stays installed with its tokens', async () => {
    await expectRefused(
      'app/uninstalled',
      '{"customer_id":1,"email_address":"x@example.com","email_marketing_consent":{"state":"subscribed","consent_updated_at":"2026-01-01T00:00:00Z"}}',
    );
    await expectRefused('app/uninstalled', '{"id":42,"phone":"+48500100200","sms_marketing_consent":{"state":"subscribed"}}');
  });

  it('when a customers/data_request body is sent as customers/redact, then 401 and nothing is erased', async () => {
    await expectRefused(
      'customers/redact',
      `{"shop_id":1,"shop_domain":"${C}","customer":{"id":1,"email":"keep.me@example.com"},"orders_requested":[],"data_request":{"id":9}}`,
    );
  });

  it("when shop A's app/uninstalled body (its myshopify_domain) is sent for C, then 401", async () => {
    await expectRefused('app/uninstalled', `{"id":548380009,"name":"A","myshopify_domain":"${A}"}`);
  });

  it('the genuine deliveries still work: a body naming the header’s shop is accepted', async () => {
    const res = await deliver('customers/data_request', C, `{"shop_id":1,"shop_domain":"${C}","customer":{"id":1},"orders_requested":[],"data_request":{"id":9}}`);
    expect(res.status).toBe(200);
  });
});
