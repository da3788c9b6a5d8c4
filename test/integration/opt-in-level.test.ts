// Each edrone reason reaches Shopify with the opt-in level of the table
// (app/core/opt-in-level.ts), through NATIVE_5, the queue and the Admin API;
// the fake Shopify keeps the level and returns it; the trace to edrone claims
// nothing beyond the status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMAIL_REASON_TABLE, SMS_REASON_TABLE } from '../../app/core/opt-in-level.js';
import { EDRONE_APP_ID, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

// SMS reason 1 (DATA_IMPORT_SUBSCRIBED) with status 1 is refused before its signature is trusted:
// '1' + '1' signs the same as '' + '11' (app/adapters/edrone/field-formats.ts ambiguousSplit).
// Its level (UNKNOWN) is covered by test/unit/opt-in-level.test.ts.
const cases = [
  ...EMAIL_REASON_TABLE.map((r) => ({ channel: 'email' as const, ...r })),
  ...SMS_REASON_TABLE.filter((r) => r.id !== 1).map((r) => ({ channel: 'sms' as const, ...r })),
].map((r, i) => ({
  ...r,
  // A subscribe for every reason but the unsubscribes, so that each one is a real change in Shopify.
  status: r.name.endsWith('UNSUBSCRIBED') ? ('0' as const) : ('1' as const),
  identity: r.channel === 'email' ? `reason-${r.id}@example.com` : `+4850070${String(100 + i).padStart(4, '0')}`,
}));

describe('edrone reason -> Shopify marketingOptInLevel', () => {
  it('every reason of both channels, sent by id, is written with its level, kept by Shopify and read back', { timeout: 120_000 }, async () => {
    const customers = new Map<string, string>();
    for (const c of cases) {
      const subscribed = c.status === '0';
      const created = h.shopify.control.createCustomer({
        shop: h.shop,
        ...(c.channel === 'email'
          ? { email: c.identity, emailState: subscribed ? 'subscribed' : 'unsubscribed', emailConsentUpdatedAt: '2026-01-01T00:00:00Z' }
          : { phone: c.identity, smsState: subscribed ? 'subscribed' : 'unsubscribed', smsConsentUpdatedAt: '2026-01-01T00:00:00Z' }),
      });
      customers.set(`${c.channel}:${c.identity}`, created.id);
      const res = await h.edrone.control.sendSync({
        appId: EDRONE_APP_ID,
        channel: c.channel,
        ...(c.channel === 'email' ? { email: c.identity } : { phone: c.identity }),
        status: c.status,
        reason: c.id,
        eventDate: new Date('2026-11-20T10:30:00Z'),
      });
      expect(res.status).toBe(200);
    }
    await h.settle();

    const seen = cases.map((c) => {
      const customer = h.shopify.control.getCustomer(h.shop, customers.get(`${c.channel}:${c.identity}`)!)!;
      const consent = c.channel === 'email' ? customer.emailConsent : customer.smsConsent;
      return { reason: `${c.channel} ${c.id} ${c.name}`, state: consent.state, level: consent.optInLevel };
    });
    expect(seen).toEqual(
      cases.map((c) => ({
        reason: `${c.channel} ${c.id} ${c.name}`,
        state: c.status === '1' ? 'subscribed' : 'unsubscribed',
        level: c.level.toLowerCase(),
      })),
    );

    // The history keeps the level Shopify answered with (read back from the mutation's answer).
    const db = h.server.ctx.db.prisma;
    for (const c of cases) {
      const row = await db.consentHistory.findFirst({ where: { shopId: h.shop, identity: c.identity, action: 'sent', target: 'shopify' } });
      expect({ reason: `${c.channel} ${c.name}`, level: row?.optInLevel, name: row?.reasonName }).toEqual({
        reason: `${c.channel} ${c.name}`,
        level: c.level,
        name: c.name,
      });
    }
  });

  it('a confirmed subscribe sent by name is CONFIRMED_OPT_IN; a Shopify change then sent to edrone claims only the status', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'confirmed@example.com' });
    await h.edrone.control.sendSync({
      appId: EDRONE_APP_ID,
      channel: 'email',
      email: 'confirmed@example.com',
      status: '1',
      reason: 'SUBSCRIPTION_CHANGED_EVENT_SUBSCRIBED',
      eventDate: new Date('2026-11-21T08:00:00Z'),
    });
    await h.settle();
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent).toMatchObject({ state: 'subscribed', optInLevel: 'confirmed_opt_in' });

    // A single opt-in made in Shopify: edrone gets subscriber_status=1 and nothing that claims a confirmation.
    const d = h.shopify.control.createCustomer({ shop: h.shop, email: 'single@example.com' });
    h.edrone.traces.length = 0;
    h.shopify.control.setConsent({ shop: h.shop, customerId: d.id, channel: 'email', state: 'subscribed', optInLevel: 'single_opt_in' });
    await h.settle();
    const trace = h.edrone.traces.find((t) => t.fields.email === 'single@example.com');
    expect(trace?.fields.subscriber_status).toBe('1');
    expect(Object.keys(trace?.fields ?? {}).filter((k) => /opt|confirm|double/i.test(k))).toEqual([]);
    const history = await h.server.ctx.db.prisma.consentHistory.findFirst({ where: { identity: 'single@example.com', target: 'edrone' } });
    expect(history).toMatchObject({ source: 'shopify', action: 'sent', writtenState: 'subscribed', optInLevel: 'SINGLE_OPT_IN' });
  });
});
