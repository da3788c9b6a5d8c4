// Consent correctness through HTTP + worker + stand-ins: every edrone request
// format end to end, every setting saved through PUT /api/settings and then
// exercised with real events, and customer identity matching.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SKIP_REASONS } from '../../app/core/decide.js';
import { signNative5 } from '../../app/adapters/edrone/index.js';
import { edroneDate } from '../../app/sandbox/fake-edrone.js';
import { EDRONE_APP_ID, EDRONE_SECRET, startHarness, type Harness } from '../helpers/harness.js';
import {
  activityFor,
  deliverConsentWebhook,
  edroneSignature,
  eventId,
  postSync,
  putSettings,
  shopifyTime,
  tracesFor,
  uniqueEmail,
  uniquePhone,
  type ActivityRow,
} from '../helpers/correctness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());
beforeEach(() => h.shopify.control.resetCalls());

const hourAgo = () => new Date(Date.now() - 3600_000).toISOString();
const calls = (op: string) => h.shopify.control.calls()[op] ?? 0;

function emailCustomer(email: string, state: 'subscribed' | 'unsubscribed' = 'subscribed') {
  return h.shopify.control.createCustomer({ shop: h.shop, email, emailState: state, emailConsentUpdatedAt: hourAgo() });
}
function smsCustomer(phone: string, state: 'subscribed' | 'unsubscribed' = 'subscribed') {
  return h.shopify.control.createCustomer({ shop: h.shop, phone, smsState: state, smsConsentUpdatedAt: hourAgo() });
}
const emailState = (id: string) => h.shopify.control.getCustomer(h.shop, id)?.emailConsent.state;
const smsState = (id: string) => h.shopify.control.getCustomer(h.shop, id)?.smsConsent.state;
const edroneRows = async (identity: string) => (await activityFor(h, identity)).filter((r) => r.origin === 'edrone');
const shopifyRows = async (identity: string) => (await activityFor(h, identity)).filter((r) => r.origin === 'shopify');
const sync = (o: { email?: string; phone?: string; status: '0' | '1'; reason?: number }) =>
  h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: o.email ? 'email' : 'sms', ...o });

async function storedEdroneEvents(): Promise<number> {
  return h.server.ctx.db.prisma.inboundEvent.count({ where: { source: 'edrone' } });
}

// ---------------------------------------------------------------------------

describe('each edrone request format, end to end, keeps the reason code in Activity', () => {
  const date = () => edroneDate(new Date());

  function expectApplied(row: ActivityRow | undefined, reasonCode: string | null, reasonName: string | null) {
    expect(row).toMatchObject({ origin: 'edrone', target: 'shopify', result: 'sent', reasonCode });
    if (reasonName) expect(row!.reason).toContain(reasonName);
    else expect(row!.reason).not.toMatch(/edrone reason/);
  }

  it('NATIVE_5 as a form (email, HARD_BOUNCED_UNSUBSCRIBED = 2)', async () => {
    const email = uniqueEmail('fmt-n5-form');
    const c = emailCustomer(email);
    const fields = {
      subscription_status_type_id: '1', email, phone: '', subscriber_status: '0', subscription_status_reason: '2',
      event_date: date(), event_id: eventId(), app_id: EDRONE_APP_ID,
    };
    const signature = signNative5(fields, EDRONE_SECRET);
    // The formula, independently: email . status . reason . event_date . event_id . secret . app_id
    expect(signature).toBe(edroneSignature([email, '0', '2', fields.event_date, fields.event_id]));
    expect((await postSync(h, { ...fields, signature }, 'form')).status).toBe(200);
    await h.settle();

    expect(emailState(c.id)).toBe('unsubscribed');
    expectApplied((await edroneRows(email))[0], '2', 'HARD_BOUNCED_UNSUBSCRIBED');
  });

  it('NATIVE_5 as JSON (SMS subscribe, AGENT_SUBSCRIBED = 5)', async () => {
    const phone = uniquePhone();
    const c = smsCustomer(phone, 'unsubscribed');
    const fields = {
      subscription_status_type_id: '2', email: '', phone, subscriber_status: '1', subscription_status_reason: '5',
      event_date: date(), event_id: eventId(), app_id: EDRONE_APP_ID,
    };
    expect((await postSync(h, { ...fields, signature: signNative5(fields, EDRONE_SECRET) }, 'json')).status).toBe(200);
    await h.settle();

    expect(smsState(c.id)).toBe('subscribed');
    expectApplied((await edroneRows(phone))[0], '5', 'AGENT_SUBSCRIBED');
  });

  it('NATIVE_4 (no subscription_status_type_id; CUSTOMER_SPAM_COMPLAINT_UNSUBSCRIBED = 3)', async () => {
    const email = uniqueEmail('fmt-n4');
    const c = emailCustomer(email);
    const f = { email, subscriber_status: '0', subscription_status_reason: '3', event_date: date(), event_id: eventId(), app_id: EDRONE_APP_ID };
    const signature = edroneSignature([f.email, f.subscriber_status, f.subscription_status_reason, f.event_date, f.event_id]);
    expect((await postSync(h, { ...f, signature }, 'form')).status).toBe(200);
    await h.settle();

    expect(emailState(c.id)).toBe('unsubscribed');
    expectApplied((await edroneRows(email))[0], '3', 'CUSTOMER_SPAM_COMPLAINT_UNSUBSCRIBED');
  });

  it('LEGACY_NO_REASON (no reason, no app_id): applied, with no reason code', async () => {
    const email = uniqueEmail('fmt-legacy');
    const c = emailCustomer(email);
    const f = { email, subscriber_status: '0', event_date: date(), event_id: eventId() };
    const signature = edroneSignature([f.email, f.subscriber_status, f.event_date, f.event_id]);
    expect((await postSync(h, { ...f, signature }, 'form')).status).toBe(200);
    await h.settle();

    expect(emailState(c.id)).toBe('unsubscribed');
    expectApplied((await edroneRows(email))[0], null, null);
  });

  it('JSON_EVENT with both email and SMS: both channels applied, each row with the reason', async () => {
    const email = uniqueEmail('fmt-jsonevent');
    const phone = uniquePhone();
    const c = h.shopify.control.createCustomer({
      shop: h.shop, email, phone, emailState: 'subscribed', smsState: 'subscribed',
      emailConsentUpdatedAt: hourAgo(), smsConsentUpdatedAt: hourAgo(),
    });
    const timestamp = new Date().toISOString();
    const data = { email, phone, subscriber_status: 0, sms_subscriber_status: 0, reason: 'CUSTOMER_UNSUBSCRIBED' };
    const body = {
      event: 'subscription_status_changed', timestamp, event_id: eventId(), app_id: EDRONE_APP_ID, data,
      // JSON formats: email . subscriber_status . reason . timestamp . '' (see app/adapters/edrone/signature.ts)
      signature: edroneSignature([email, '0', 'CUSTOMER_UNSUBSCRIBED', timestamp, '']),
    };
    const res = await postSync(h, body, 'json');
    expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
    await h.settle();

    expect(emailState(c.id)).toBe('unsubscribed');
    expect(smsState(c.id)).toBe('unsubscribed');
    expectApplied((await edroneRows(email))[0], 'CUSTOMER_UNSUBSCRIBED', 'CUSTOMER_UNSUBSCRIBED');
    const smsRow = (await edroneRows(phone))[0];
    expectApplied(smsRow, 'CUSTOMER_UNSUBSCRIBED', 'CUSTOMER_UNSUBSCRIBED');
    expect(smsRow!.channel).toBe('sms');
  });

  it('JSON_FLAT (timestamp in unix seconds, EXTERNAL_API_UNSUBSCRIBED = 8)', async () => {
    const email = uniqueEmail('fmt-jsonflat');
    const c = emailCustomer(email);
    const timestamp = Math.floor(Date.now() / 1000);
    const body = {
      email, subscriber_status: '0', reason: '8', timestamp, event_id: eventId(), app_id: EDRONE_APP_ID,
      signature: edroneSignature([email, '0', '8', String(timestamp), '']),
    };
    expect((await postSync(h, body, 'json')).status).toBe(200);
    await h.settle();

    expect(emailState(c.id)).toBe('unsubscribed');
    expectApplied((await edroneRows(email))[0], '8', 'EXTERNAL_API_UNSUBSCRIBED');
  });

  it('unsigned JSON_EVENT and JSON_FLAT are rejected with 401 and store nothing (documented decision in app/adapters/edrone/signature.ts)', async () => {
    const email = uniqueEmail('fmt-unsigned');
    const c = emailCustomer(email);
    const before = await storedEdroneEvents();
    const timestamp = new Date().toISOString();
    const unsignedEvent = {
      event: 'subscription_status_changed', timestamp, event_id: eventId(),
      data: { email, subscriber_status: 0, reason: 'CUSTOMER_UNSUBSCRIBED' },
    };
    const unsignedFlat = { email, subscriber_status: '0', reason: '1', timestamp, event_id: eventId() };
    for (const body of [unsignedEvent, unsignedFlat]) {
      const res = await postSync(h, body, 'json');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: 'invalid signature' });
    }
    await h.settle();
    expect(await storedEdroneEvents()).toBe(before);
    expect(emailState(c.id)).toBe('subscribed');
  });
});

// ---------------------------------------------------------------------------

describe('each setting, saved through PUT /api/settings, then real events', () => {
  beforeEach(async () => putSettings(h, {}));
  afterAll(async () => putSettings(h, {}));

  it('direction paused: changes from both sides are recorded as skipped "paused", nothing is sent either way', async () => {
    await putSettings(h, { direction: 'paused' });
    const fromShopify = uniqueEmail('paused-s');
    const fromEdrone = uniqueEmail('paused-e');
    const cs = emailCustomer(fromShopify);
    const ce = emailCustomer(fromEdrone);
    h.shopify.control.setConsent({ shop: h.shop, customerId: cs.id, channel: 'email', state: 'unsubscribed' });
    await sync({ email: fromEdrone, status: '0' });
    await h.settle();

    expect(tracesFor(h, fromShopify)).toHaveLength(0);
    expect(calls('customerEmailMarketingConsentUpdate')).toBe(0);
    expect(emailState(ce.id)).toBe('subscribed');
    expect(await shopifyRows(fromShopify)).toMatchObject([{ result: 'skipped', reason: SKIP_REASONS.paused }]);
    const [edroneRow] = await edroneRows(fromEdrone);
    expect(edroneRow).toMatchObject({ result: 'skipped' });
    expect(edroneRow!.reason).toContain(SKIP_REASONS.paused);
  });

  it('shopify_to_edrone: edrone events are not applied; Shopify changes are traced', async () => {
    await putSettings(h, { direction: 'shopify_to_edrone' });
    const a = uniqueEmail('s2e-shopify');
    const b = uniqueEmail('s2e-edrone');
    const ca = emailCustomer(a);
    const cb = emailCustomer(b);
    h.shopify.control.setConsent({ shop: h.shop, customerId: ca.id, channel: 'email', state: 'unsubscribed' });
    await sync({ email: b, status: '0' });
    await h.settle();

    expect(tracesFor(h, a).map((t) => t.fields.subscriber_status)).toEqual(['0']);
    expect(emailState(cb.id)).toBe('subscribed');
    expect(calls('customerEmailMarketingConsentUpdate')).toBe(0);
    expect((await edroneRows(b))[0]!.reason).toContain(SKIP_REASONS.direction);
  });

  it('edrone_to_shopify: Shopify changes are not traced; edrone events are applied', async () => {
    await putSettings(h, { direction: 'edrone_to_shopify' });
    const a = uniqueEmail('e2s-shopify');
    const b = uniqueEmail('e2s-edrone');
    const ca = emailCustomer(a);
    const cb = emailCustomer(b);
    h.shopify.control.setConsent({ shop: h.shop, customerId: ca.id, channel: 'email', state: 'unsubscribed' });
    await sync({ email: b, status: '0' });
    await h.settle();

    expect(tracesFor(h, a)).toHaveLength(0);
    expect(await shopifyRows(a)).toMatchObject([{ result: 'skipped', reason: SKIP_REASONS.direction }]);
    expect(emailState(cb.id)).toBe('unsubscribed');
    expect(emailState(ca.id)).toBe('unsubscribed');
  });

  it('edroneStatuses unsubscribes: edrone subscribes are skipped, unsubscribes applied; Shopify subscribes still traced', async () => {
    await putSettings(h, { edroneStatuses: 'unsubscribes' });
    const sub = uniqueEmail('only-unsub-1');
    const unsub = uniqueEmail('only-unsub-0');
    const fromShopify = uniqueEmail('only-unsub-shop');
    const cSub = emailCustomer(sub, 'unsubscribed');
    const cUnsub = emailCustomer(unsub, 'subscribed');
    const cShop = emailCustomer(fromShopify, 'unsubscribed');
    await sync({ email: sub, status: '1' });
    await sync({ email: unsub, status: '0' });
    h.shopify.control.setConsent({ shop: h.shop, customerId: cShop.id, channel: 'email', state: 'subscribed' });
    await h.settle();

    expect(emailState(cSub.id)).toBe('unsubscribed');
    expect((await edroneRows(sub))[0]!.reason).toContain(SKIP_REASONS.status_filter);
    expect(emailState(cUnsub.id)).toBe('unsubscribed');
    expect(calls('customerEmailMarketingConsentUpdate')).toBe(1);
    expect(tracesFor(h, fromShopify).map((t) => t.fields.subscriber_status)).toEqual(['1']);
  });

  it('edroneStatuses subscribes: edrone unsubscribes are skipped, subscribes applied', async () => {
    await putSettings(h, { edroneStatuses: 'subscribes' });
    const sub = uniqueEmail('only-sub-1');
    const unsub = uniqueEmail('only-sub-0');
    const cSub = emailCustomer(sub, 'unsubscribed');
    const cUnsub = emailCustomer(unsub, 'subscribed');
    await sync({ email: sub, status: '1' });
    await sync({ email: unsub, status: '0' });
    await h.settle();

    expect(emailState(cSub.id)).toBe('subscribed');
    expect(emailState(cUnsub.id)).toBe('subscribed');
    expect((await edroneRows(unsub))[0]!.reason).toContain(SKIP_REASONS.status_filter);
    expect(calls('customerEmailMarketingConsentUpdate')).toBe(1);
  });

  it('channels.email false: email changes go nowhere either way; SMS still syncs', async () => {
    await putSettings(h, { channels: { email: false, sms: true } });
    const email = uniqueEmail('no-email');
    const email2 = uniqueEmail('no-email-e');
    const phone = uniquePhone();
    const c = h.shopify.control.createCustomer({
      shop: h.shop, email, phone, emailState: 'subscribed', smsState: 'subscribed',
      emailConsentUpdatedAt: hourAgo(), smsConsentUpdatedAt: hourAgo(),
    });
    const c2 = emailCustomer(email2);
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'unsubscribed' });
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'sms', state: 'unsubscribed' });
    await sync({ email: email2, status: '0' });
    await h.settle();

    expect(tracesFor(h, email)).toHaveLength(0);
    expect((await shopifyRows(email))[0]).toMatchObject({ result: 'skipped', reason: SKIP_REASONS.channel_off });
    expect(emailState(c2.id)).toBe('subscribed');
    expect((await edroneRows(email2))[0]!.reason).toContain(SKIP_REASONS.channel_off);
    expect(tracesFor(h, phone).map((t) => t.fields.sms_subscriber_status)).toEqual(['0']);
  });

  it('channels.sms false: SMS changes go nowhere either way; email still syncs', async () => {
    await putSettings(h, { channels: { email: true, sms: false } });
    const email = uniqueEmail('no-sms');
    const phone = uniquePhone();
    const phone2 = uniquePhone();
    const c = h.shopify.control.createCustomer({
      shop: h.shop, email, phone, emailState: 'subscribed', smsState: 'subscribed',
      emailConsentUpdatedAt: hourAgo(), smsConsentUpdatedAt: hourAgo(),
    });
    const c2 = smsCustomer(phone2);
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'sms', state: 'unsubscribed' });
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'unsubscribed' });
    await sync({ phone: phone2, status: '0' });
    await h.settle();

    expect(tracesFor(h, phone)).toHaveLength(0);
    expect((await shopifyRows(phone))[0]).toMatchObject({ result: 'skipped', reason: SKIP_REASONS.channel_off });
    expect(smsState(c2.id)).toBe('subscribed');
    expect(calls('customerSmsMarketingConsentUpdate')).toBe(0);
    expect((await edroneRows(phone2))[0]!.reason).toContain(SKIP_REASONS.channel_off);
    expect(tracesFor(h, email).map((t) => t.fields.subscriber_status)).toEqual(['0']);
  });

  it('createMissingCustomers off: an edrone change for an unknown email is "no_customer", its job is done, nothing is created', async () => {
    const email = uniqueEmail('unknown');
    const before = h.shopify.control.listCustomers(h.shop).length;
    await sync({ email, status: '1' });
    await h.settle();

    const [row] = await edroneRows(email);
    expect(row).toMatchObject({ result: 'no_customer', target: 'shopify' });
    expect(row!.reason).toMatch(/creating missing customers is off/);
    const job = await h.server.ctx.db.prisma.job.findUniqueOrThrow({ where: { id: row!.jobId! } });
    expect(job).toMatchObject({ status: 'done', attempts: 1 });
    expect(calls('customerCreate')).toBe(0);
    expect(h.shopify.control.listCustomers(h.shop)).toHaveLength(before);
  });

  it('createMissingCustomers on: an email event creates the customer by email with that consent; an SMS event creates one by phone', async () => {
    await putSettings(h, { createMissingCustomers: true });
    const email = uniqueEmail('create');
    const phone = uniquePhone();
    await sync({ email, status: '1' });
    await sync({ phone, status: '0' });
    await h.settle();

    expect(calls('customerCreate')).toBe(2);
    const customers = h.shopify.control.listCustomers(h.shop);
    const byEmail = customers.find((c) => c.email === email);
    const byPhone = customers.find((c) => c.phone === phone);
    expect(byEmail).toMatchObject({ phone: null, emailConsent: { state: 'subscribed' } });
    expect(byPhone).toMatchObject({ email: null, smsConsent: { state: 'unsubscribed' } });
    expect((await edroneRows(email))[0]).toMatchObject({ result: 'sent', customerId: byEmail!.id });
    // The new customers' consent webhooks are the app's own writes: nothing goes back to edrone.
    expect(tracesFor(h, email)).toHaveLength(0);
    expect(tracesFor(h, phone)).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------

describe('identity: the same customer whatever the format of email or phone', () => {
  it('email case and whitespace differences match the same Shopify customer (no duplicate, one consent row)', async () => {
    await putSettings(h, { createMissingCustomers: true }); // a miss would create a duplicate
    const tag = uniqueEmail('Mixed.Case').replace('@example.com', '');
    const canonical = `${tag.toLowerCase()}@example.com`;
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: `${tag}@Example.COM`, emailState: 'subscribed', emailConsentUpdatedAt: hourAgo() });
    expect(c.email).toBe(canonical);

    // Issue 9: edrone's email must be a syntactically valid address (no surrounding spaces); case still differs.
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: `${tag.toUpperCase()}@EXAMPLE.com`, status: '0' });
    await h.settle();
    expect(emailState(c.id)).toBe('unsubscribed');
    expect(calls('customerCreate')).toBe(0);

    // A Shopify webhook with the address in yet another spelling is the same customer and row.
    await deliverConsentWebhook(h, 'email', c.id, ` ${tag}@example.Com`, 'subscribed', shopifyTime(new Date(Date.now() + 5_000)));
    await h.settle();
    expect(tracesFor(h, canonical).map((t) => t.fields.subscriber_status)).toEqual(['1']);
    expect(await h.server.ctx.db.prisma.consentState.count({ where: { shopId: h.shop, channel: 'email', identity: { contains: tag.toLowerCase() } } })).toBe(1);
    await putSettings(h, {});
  });

  it.each([
    ['+48 500-100-xxx', (e164: string) => `+48 ${e164.slice(3, 6)}-${e164.slice(6, 9)}-${e164.slice(9)}`],
    ['0048 500 100 xxx', (e164: string) => `0048 ${e164.slice(3, 6)} ${e164.slice(6, 9)} ${e164.slice(9)}`],
  ])('a phone written as %s matches the customer stored as +48500100xxx, both ways', async (_label, format) => {
    const phone = uniquePhone();
    const c = smsCustomer(phone);
    // Issue 9: edrone's phone must be E.164-like (+48… or 0048…, digits only); Shopify's keeps the spaced spelling.
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'sms', phone: format(phone).replace(/[\s-]/g, ''), status: '0' });
    await h.settle();
    expect(smsState(c.id)).toBe('unsubscribed');
    expect(calls('customerSmsMarketingConsentUpdate')).toBe(1);

    // Shopify reports the phone in the other format: traced as E.164, to the same row.
    await deliverConsentWebhook(h, 'sms', c.id, format(phone), 'subscribed', shopifyTime(new Date(Date.now() + 5_000)));
    await h.settle();
    expect(tracesFor(h, phone).map((t) => t.fields.sms_subscriber_status)).toEqual(['1']);
    expect(await h.server.ctx.db.prisma.consentState.count({ where: { shopId: h.shop, channel: 'sms', identity: phone } })).toBe(1);
  });

  it.each([
    ['sms', 'no phone', null],
    ['sms', 'a phone without country code', '500 100 200'],
    ['sms', 'a phone that is not a number', '12'],
    ['email', 'no email', null],
  ] as const)('a Shopify %s consent for a customer with %s is skipped with a clear reason; its job is done, not retried', async (channel, _label, address) => {
    const customerId = String(7064055069399000000n + BigInt(Math.floor(Math.random() * 1e6)));
    const tracesBefore = h.edrone.traces.length;
    await deliverConsentWebhook(h, channel, customerId, address, 'subscribed', shopifyTime(new Date()));
    await h.settle();

    expect(h.edrone.traces.length).toBe(tracesBefore);
    const row = await h.server.ctx.db.prisma.activity.findFirstOrThrow({ where: { shopId: h.shop, customerId } });
    expect(row).toMatchObject({ origin: 'shopify', target: 'edrone', result: 'skipped', reason: SKIP_REASONS.no_identity });
    const job = await h.server.ctx.db.prisma.job.findUniqueOrThrow({ where: { id: row.jobId! } });
    expect(job).toMatchObject({ status: 'done', attempts: 1 });
  });
});
