// Both directions, email and SMS, through the real HTTP endpoints, the job
// queue and the adapters, against the stand-ins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, EDRONE_APP_ID, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('Shopify -> edrone', () => {
  it('when a customer unsubscribes from email in Shopify, edrone receives subscriber_status=0', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'Ann@Example.com', emailState: 'subscribed' });
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'unsubscribed' });
    await h.settle();
    const trace = h.edrone.traces.at(-1);
    expect(trace?.fields).toMatchObject({
      app_id: EDRONE_APP_ID,
      action_type: 'subscribe',
      sender_type: 'server',
      email: 'ann@example.com',
      subscriber_status: '0',
    });
  });

  it('when a customer subscribes to SMS in Shopify, edrone receives phone + sms_subscriber_status=1', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, phone: '+48 500 100 200' });
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'sms', state: 'subscribed' });
    await h.settle();
    expect(h.edrone.traces.at(-1)?.fields).toMatchObject({ phone: '+48500100200', sms_subscriber_status: '1', action_type: 'subscribe' });
    expect(h.edrone.traces.at(-1)?.fields.subscriber_status).toBeUndefined();
  });
});

describe('edrone -> Shopify', () => {
  it('when edrone reports an email unsubscribe, Shopify gets UNSUBSCRIBED with consentUpdatedAt = event_date', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'bob@example.com', emailState: 'subscribed', emailConsentUpdatedAt: '2026-01-01T00:00:00Z' });
    const eventDate = new Date('2026-11-20T10:30:00Z');
    const res = await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'bob@example.com', status: '0', reason: 1, eventDate });
    expect(res.status).toBe(200);
    await h.settle();
    const after = h.shopify.control.getCustomer(h.shop, c.id);
    expect(after?.emailConsent?.state).toBe('unsubscribed');
    expect(after?.emailConsent?.consentUpdatedAt).toBe(eventDate.toISOString().replace('.000', ''));
  });

  it('when edrone reports an SMS subscribe (JSON body), Shopify gets SMS SUBSCRIBED', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, phone: '+48501222333' });
    const res = await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'sms', phone: '+48501222333', status: '1', encoding: 'json' });
    expect(res.status).toBe(200);
    await h.settle();
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.smsConsent?.state).toBe('subscribed');
  });

  it('the same event_id delivered twice writes to Shopify once', async () => {
    h.shopify.control.createCustomer({ shop: h.shop, email: 'twice@example.com', emailState: 'subscribed' });
    h.shopify.control.resetCalls();
    const once = { appId: EDRONE_APP_ID, channel: 'email' as const, email: 'twice@example.com', status: '0' as const, eventId: 'evt-twice-1' };
    const [a, b] = [await h.edrone.control.sendSync(once), await h.edrone.control.sendSync(once)];
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(JSON.parse(b.body)).toEqual({ status: 'duplicate' });
    await h.settle();
    expect(h.shopify.control.calls().customerEmailMarketingConsentUpdate).toBe(1);
  });
});
