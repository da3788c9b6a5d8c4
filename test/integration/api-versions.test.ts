// Admin API 2026-10: consent is read from the current fields where a store
// answers them (defaultEmailAddress, defaultPhoneNumber.smsMarketingConsent),
// and from the older emailMarketingConsent / smsMarketingConsent where only
// those come back. One fake Shopify answers only the new fields, one only the old.
// Also app/scopes_update: narrowed scopes pause the shop with a visible reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDRONE_APP_ID, startHarness, type Harness } from '../helpers/harness.js';

async function backfill(h: Harness): Promise<void> {
  const auth = { Authorization: `Bearer ${await h.token()}` };
  await h.http().post('/api/backfill').set(auth).expect(202);
  for (let i = 0; i < 100; i++) {
    await h.settle();
    const { body } = await h.http().get('/api/backfill').set(auth);
    if (body.run?.status !== 'running') {
      expect(body.run?.status).toBe('completed');
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('backfill did not finish');
}

describe.each(['current', 'legacy'] as const)('a fake Shopify answering only the %s consent fields', (mode) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ shopify: { consentFields: mode }, env: { BACKFILL_POLL_MS: '20' } });
  });
  afterAll(async () => h?.close());

  it('the initial sync reads both channels, with Shopify’s opt-in level, and sends them to edrone', async () => {
    const c = h.shopify.control.createCustomer({
      shop: h.shop,
      email: `both-${mode}@example.com`,
      phone: mode === 'current' ? '+48500900001' : '+48500900002',
      emailState: 'subscribed',
      smsState: 'unsubscribed',
    });
    await backfill(h);
    const email = h.edrone.traces.find((t) => t.fields.email === c.email);
    const sms = h.edrone.traces.find((t) => t.fields.phone === c.phone);
    expect(email?.fields.subscriber_status).toBe('1');
    expect(sms?.fields.sms_subscriber_status).toBe('0');
    const row = await h.server.ctx.db.prisma.consentHistory.findFirst({ where: { identity: c.email!, origin: 'backfill', action: 'sent' } });
    expect(row?.optInLevel).toBe('SINGLE_OPT_IN');
  });

  it('an edrone change is compared with the state read from Shopify, and written', async () => {
    const c = h.shopify.control.createCustomer({
      shop: h.shop,
      email: `read-${mode}@example.com`,
      emailState: 'subscribed',
      emailConsentUpdatedAt: '2026-01-01T00:00:00Z',
    });
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: c.email!, status: '1', reason: 11, eventDate: new Date('2026-11-01T10:00:00Z') });
    await h.settle();
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: c.email!, status: '0', reason: 1, eventDate: new Date('2026-11-02T10:00:00Z') });
    await h.settle();
    const rows = await h.server.ctx.db.prisma.activity.findMany({ where: { identity: c.email!, target: 'shopify' }, orderBy: { createdAt: 'asc' } });
    // The subscribe matched what Shopify holds (read from this store's fields): no write. The unsubscribe was written.
    expect(rows.map((r) => [r.result, r.previousState])).toEqual([
      ['skipped', 'subscribed'],
      ['sent', 'subscribed'],
    ]);
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent.state).toBe('unsubscribed');
  });
});

describe('app/scopes_update', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  const scopes = (current: string[]) =>
    h.shopify.control.sendWebhook({
      shop: h.shop,
      topic: 'app/scopes_update',
      body: { id: 1, previous: ['read_customers', 'write_customers'], current, updated_at: new Date().toISOString() },
    });

  it('narrowed below write_customers, the shop pauses with a visible reason; edrone changes wait instead of failing; restored, they go through', async () => {
    const auth = { Authorization: `Bearer ${await h.token()}` };
    h.shopify.control.setGrantedScopes(h.shop, 'read_customers');
    const delivery = await scopes(['read_customers']);
    expect(delivery.status).toBe(200);
    await h.settle();
    const status = await h.http().get('/api/status').set(auth);
    expect(status.body.state).not.toBe('ok');
    expect(status.body.reason).toMatch(/no longer has write_customers/);

    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'held@example.com', emailState: 'subscribed', emailConsentUpdatedAt: '2026-01-01T00:00:00Z' });
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'held@example.com', status: '0', reason: 1 });
    await h.server.ctx.worker.drain();
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent.state).toBe('subscribed');
    // The change waits (queued, no attempt spent), nothing is dead-lettered.
    const jobs = await h.server.ctx.db.prisma.job.findMany({ where: { shopId: h.shop, kind: 'edrone-event' }, select: { status: true, attempts: true } });
    expect(jobs).toEqual([{ status: 'queued', attempts: 0 }]);

    h.shopify.control.setGrantedScopes(h.shop, 'write_customers');
    await scopes(['write_customers']);
    await h.settle();
    expect((await h.http().get('/api/status').set(auth)).body.reason ?? '').not.toMatch(/narrowed/);
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent.state).toBe('unsubscribed');
  });

  it('a malformed scopes body is a 400 and stores nothing', async () => {
    const delivery = await h.shopify.control.sendWebhook({ shop: h.shop, topic: 'app/scopes_update', body: { current: 'everything' }, retry: false });
    expect(delivery.status).toBe(400);
  });
});
