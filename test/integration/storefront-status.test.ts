// GET /proxy/subscription-status through HTTP, signed as Shopify's app proxy
// signs, against the stand-ins: logged-in customers from the app's own
// knowledge, anonymous visitors from edrone's Subscription Status API, and the
// refusals, each with its exact answer and nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAppProxyQuery } from '../../app/adapters/index.js';
import { API_SECRET, EDRONE_APP_ID, SHOP, VALID_SETTINGS, startHarness, type Harness } from '../helpers/harness.js';

const PATH = '/proxy/subscription-status';
const NO_CACHE = 'private, no-store';

/** A query as Shopify forwards it from /apps/edrone/subscription-status, signed. */
function proxyQuery(
  own: Record<string, string> = {},
  options: { shop?: string; customerId?: string; timestamp?: number; secret?: string; signature?: string } = {},
): string {
  const params: Record<string, string> = {
    ...own,
    shop: options.shop ?? SHOP,
    logged_in_customer_id: options.customerId ?? '',
    path_prefix: '/apps/edrone',
    timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
  };
  params.signature = options.signature ?? signAppProxyQuery(params, options.secret ?? API_SECRET);
  return new URLSearchParams(params).toString();
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const get = (query: string) => h.http().get(`${PATH}?${query}`);
const statusRequests = () => h.edrone.control.statusRequests.length;

/** A customer whose consent reached the app through a real webhook (so the app has their rows). */
async function customerWithRows(email: string, state: 'subscribed' | 'unsubscribed'): Promise<string> {
  const c = h.shopify.control.createCustomer({ shop: h.shop, email, emailState: 'not_subscribed' });
  h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state });
  await h.settle();
  return c.id;
}

describe('logged-in customers: answered from the app’s own knowledge, never from edrone', () => {
  it('a subscribed customer the app has rows for: status true, with no call to edrone or Shopify', async () => {
    const id = await customerWithRows('sub@example.com', 'subscribed');
    h.shopify.control.resetCalls();
    const before = statusRequests();
    const res = await get(proxyQuery({}, { customerId: id }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ identified: true, status: true, message: 'Success', sms_status: null });
    expect(res.headers['cache-control']).toBe(NO_CACHE);
    expect(res.headers.vary).toMatch(/Cookie/);
    expect(statusRequests()).toBe(before);
    expect(h.shopify.control.calls().customerByIdentifier ?? 0).toBe(0);
  });

  it('an unsubscribed customer: status false (the storefront must not show them the popup as if new)', async () => {
    const id = await customerWithRows('unsub@example.com', 'unsubscribed');
    const res = await get(proxyQuery({}, { customerId: id }));
    expect(res.body).toEqual({ identified: true, status: false, message: 'Success', sms_status: null });
  });

  it('SMS consent is answered in sms_status', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'texts@example.com', phone: '+48500600700' });
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'sms', state: 'subscribed' });
    await h.settle();
    const res = await get(proxyQuery({}, { customerId: c.id }));
    expect(res.body).toEqual({ identified: true, status: null, message: 'Success', sms_status: true });
  });

  it('a never-seen customer: one Admin API lookup, then remembered (the second check asks nobody)', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'quiet@example.com', emailState: 'subscribed' });
    h.shopify.control.resetCalls();
    const before = statusRequests();
    const first = await get(proxyQuery({}, { customerId: c.id }));
    expect(first.body).toEqual({ identified: true, status: true, message: 'Success', sms_status: null });
    expect(h.shopify.control.calls().customerByIdentifier).toBe(1);
    const second = await get(proxyQuery({}, { customerId: c.id }));
    expect(second.body).toEqual(first.body);
    expect(h.shopify.control.calls().customerByIdentifier).toBe(1);
    expect(statusRequests()).toBe(before);
  });

  it('a data request reports what the storefront check remembered; customers/redact erases it', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'forget-me@example.com', emailState: 'subscribed' });
    expect((await get(proxyQuery({}, { customerId: c.id }))).body.status).toBe(true);
    const { prisma } = h.server.ctx.db;
    const remembered = () => prisma.storefrontCustomer.count({ where: { shopId: h.shop, customerId: c.id } });
    expect(await remembered()).toBe(1);
    await h.shopify.control.sendWebhook({
      shop: h.shop,
      topic: 'customers/data_request',
      body: `{"shop_id":1,"shop_domain":"${h.shop}","customer":{"id":${c.id},"email":"forget-me@example.com","phone":null},"orders_requested":[],"data_request":{"id":1}}`,
    });
    await h.settle();
    const request = await prisma.complianceRequest.findFirstOrThrow({ where: { shopId: h.shop, topic: 'customers/data_request', customer: { contains: c.id } } });
    expect(JSON.parse(request.report).storefrontLookup).toEqual([expect.objectContaining({ emailState: 'subscribed', smsState: null })]);
    const d = await h.shopify.control.sendWebhook({
      shop: h.shop,
      topic: 'customers/redact',
      body: `{"shop_id":1,"shop_domain":"${h.shop}","customer":{"id":${c.id},"email":"forget-me@example.com","phone":null},"orders_to_redact":[]}`,
    });
    expect(d.status).toBe(200);
    await h.settle();
    expect(await remembered()).toBe(0);
  });

  it('a never-seen customer who never chose: identified, status unknown', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'undecided@example.com', emailState: 'not_subscribed' });
    const res = await get(proxyQuery({}, { customerId: c.id }));
    expect(res.body).toEqual({ identified: true, status: null, message: 'Success', sms_status: null });
  });

  it('a logged-in customer’s fpcid is not used: the answer is theirs, not the cookie’s', async () => {
    const id = await customerWithRows('both@example.com', 'unsubscribed');
    h.edrone.control.setVisitor(EDRONE_APP_ID, 'fp-someone-else', 'else@example.com');
    h.edrone.control.setStatus(EDRONE_APP_ID, 'email', 'else@example.com', '1');
    const before = statusRequests();
    const res = await get(proxyQuery({ fpcid: 'fp-someone-else' }, { customerId: id }));
    expect(res.body).toEqual({ identified: true, status: false, message: 'Success', sms_status: null });
    expect(statusRequests()).toBe(before);
  });
});

describe('anonymous visitors: edrone’s Subscription Status API for their own cookie', () => {
  it('without fpcid: anonymous, unknown, and edrone is not asked', async () => {
    const before = statusRequests();
    const res = await get(proxyQuery());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ identified: false, status: null, message: 'Anonymous visitor, not in database', sms_status: null });
    expect(statusRequests()).toBe(before);
  });

  it('with fpcid and edrone up: edrone’s answer, asked with the shop’s App ID; then cached; force asks again', async () => {
    h.edrone.control.setVisitor(EDRONE_APP_ID, 'fp-anna', 'anna@example.com');
    h.edrone.control.setStatus(EDRONE_APP_ID, 'email', 'anna@example.com', '1');
    const before = statusRequests();
    const res = await get(proxyQuery({ fpcid: 'fp-anna' }));
    expect(res.body).toEqual({ identified: true, status: true, message: 'Success', sms_status: null });
    expect(h.edrone.control.statusRequests.slice(before).map((r) => r.query)).toEqual([{ app_id: EDRONE_APP_ID, fpcid: 'fp-anna' }]);

    // Anna unsubscribes in edrone: within the cache time the app answers from its cache...
    h.edrone.control.setStatus(EDRONE_APP_ID, 'email', 'anna@example.com', '0');
    const cached = await get(proxyQuery({ fpcid: 'fp-anna' }));
    expect(cached.body.status).toBe(true);
    expect(statusRequests()).toBe(before + 1);

    // ...and force=true asks edrone afresh (passing force on), and refreshes the cache.
    const forced = await get(proxyQuery({ fpcid: 'fp-anna', force: 'true' }));
    expect(forced.body).toEqual({ identified: true, status: false, message: 'Success', sms_status: null });
    expect(h.edrone.control.statusRequests.at(-1)?.query).toEqual({ app_id: EDRONE_APP_ID, fpcid: 'fp-anna', force: 'true' });
    const after = await get(proxyQuery({ fpcid: 'fp-anna' }));
    expect(after.body.status).toBe(false);
    expect(statusRequests()).toBe(before + 2);
  });

  it('a cookie edrone does not know: anonymous, unknown', async () => {
    const res = await get(proxyQuery({ fpcid: 'fp-stranger' }));
    expect(res.body).toEqual({ identified: false, status: null, message: 'Success', sms_status: null });
  });

  it('edrone down (HTTP 503): 200 with unknown, so the store shows its form', async () => {
    h.edrone.control.failStatusNext(1, 503);
    const res = await get(proxyQuery({ fpcid: 'fp-down-1' }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ identified: false, status: null, message: 'Subscription status is not known right now', sms_status: null });
  });

  it('edrone accepting the connection but never answering: the same unknown answer after 2 s', async () => {
    h.edrone.control.hangStatusNext(1);
    const res = await get(proxyQuery({ fpcid: 'fp-hang-1' }));
    expect(res.body).toEqual({ identified: false, status: null, message: 'Subscription status is not known right now', sms_status: null });
  });

  it('edrone slow (3 s): the app stops waiting at 2 s and answers unknown; a failure is not cached', async () => {
    h.edrone.control.setVisitor(EDRONE_APP_ID, 'fp-slow', 'slow@example.com');
    h.edrone.control.setStatus(EDRONE_APP_ID, 'email', 'slow@example.com', '1');
    h.edrone.control.delayStatusNext(1, 3_000);
    const res = await get(proxyQuery({ fpcid: 'fp-slow' }));
    expect(res.body).toEqual({ identified: false, status: null, message: 'Subscription status is not known right now', sms_status: null });
    const again = await get(proxyQuery({ fpcid: 'fp-slow' }));
    expect(again.body).toEqual({ identified: true, status: true, message: 'Success', sms_status: null });
  });

  it('edrone answering 400 (an App ID it does not know): unknown, nothing about the shop’s setup revealed', async () => {
    const auth = { Authorization: `Bearer ${await h.token()}` };
    expect((await h.http().put('/api/settings').set(auth).send({ ...VALID_SETTINGS, edroneAppId: 'not-an-edrone-app' })).status).toBe(200);
    try {
      const before = statusRequests();
      const res = await get(proxyQuery({ fpcid: 'fp-anna', force: '1' }));
      expect(h.edrone.control.statusRequests[before]).toMatchObject({ response: 400, query: { app_id: 'not-an-edrone-app' } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ identified: false, status: null, message: 'Subscription status is not known right now', sms_status: null });
    } finally {
      await h.http().put('/api/settings').set(auth).send(VALID_SETTINGS);
    }
  });
});

describe('refusals: exact answers, nothing about any customer', () => {
  const asked = () => ({ edrone: statusRequests(), shopify: h.shopify.control.calls().customerByIdentifier ?? 0 });

  it('a wrong signature: 401', async () => {
    const before = asked();
    const res = await get(proxyQuery({ fpcid: 'fp-anna' }, { secret: 'not-the-app-secret' }));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Invalid signature.' });
    expect(res.headers['cache-control']).toBe(NO_CACHE);
    expect(asked()).toEqual(before);
  });

  it('a missing signature, and a parameter changed after signing: 401', async () => {
    const unsigned = new URLSearchParams({ shop: SHOP, logged_in_customer_id: '1', path_prefix: '/apps/edrone', timestamp: String(Math.floor(Date.now() / 1000)) });
    expect((await get(unsigned.toString())).body).toEqual({ error: 'Invalid signature.' });
    const tampered = proxyQuery({ fpcid: 'fp-anna' }).replace('fp-anna', 'fp-other');
    const res = await get(tampered);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Invalid signature.' });
  });

  it('a stale timestamp (5 minutes old), correctly signed: 401', async () => {
    const id = await customerWithRows('stale@example.com', 'subscribed');
    const before = asked();
    const res = await get(proxyQuery({}, { customerId: id, timestamp: Math.floor(Date.now() / 1000) - 300 }));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'Invalid signature.' });
    expect(asked()).toEqual(before);
  });

  it('an unknown shop, correctly signed: 404', async () => {
    const before = asked();
    const res = await get(proxyQuery({ fpcid: 'fp-anna' }, { shop: 'never-installed.myshopify.com', customerId: '1' }));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Not found.' });
    expect(res.headers['cache-control']).toBe(NO_CACHE);
    expect(asked()).toEqual(before);
  });

  it('an attempt to ask about an email (or phone, or another customer): 400, and nobody is asked', async () => {
    const before = asked();
    const attempts: Record<string, string>[] = [{ email: 'anna@example.com' }, { phone: '+48500100200' }, { customer_id: '42' }, { fpcid: 'fp-anna', Email: 'x@example.com' }];
    for (const own of attempts) {
      const res = await get(proxyQuery(own));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'Only the logged-in customer or the visitor’s own cookie can be checked.' });
    }
    expect(asked()).toEqual(before);
  });

  it('an fpcid that no cookie could hold: 400 naming the field', async () => {
    const res = await get(proxyQuery({ fpcid: 'x'.repeat(129) }));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Invalid storefront check.');
    expect(Object.keys(res.body.fieldErrors)).toEqual(['fpcid']);
  });

  it('an uninstalled shop: 404, the same answer as a shop that never installed', async () => {
    const other = 'left-store.myshopify.com';
    const token = await h.shopify.control.sessionToken(other);
    expect((await h.http().get('/api/settings').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    expect((await get(proxyQuery({}, { shop: other }))).status).toBe(200);
    await h.shopify.control.sendWebhook({ shop: other, topic: 'app/uninstalled', body: JSON.stringify({ id: 1, name: 'Left Store', myshopify_domain: other }) });
    await h.settle();
    const res = await get(proxyQuery({ fpcid: 'fp-anna' }, { shop: other }));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Not found.' });
  });
});

describe('the Status page', () => {
  it('counts the storefront checks answered today (refusals are not answers)', async () => {
    const auth = { Authorization: `Bearer ${await h.token()}` };
    const before = (await h.http().get('/api/status').set(auth)).body.storefrontChecksToday as number;
    await get(proxyQuery());
    await get(proxyQuery({ fpcid: 'fp-anna' }));
    await get(proxyQuery({}, { secret: 'wrong' }));
    await get(proxyQuery({ email: 'a@example.com' }));
    const after = (await h.http().get('/api/status').set(auth)).body.storefrontChecksToday as number;
    expect(after - before).toBe(2);
  });
});

describe('limits', () => {
  let limited: Harness;
  beforeAll(async () => {
    limited = await startHarness({ env: { STOREFRONT_CLIENT_LIMIT_PER_MINUTE: '3', STOREFRONT_SHOP_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(async () => limited?.close());

  it('per client: the 4th check from one visitor within a minute is 429 with Retry-After; another visitor is still answered', async () => {
    const from = (ip: string) => limited.http().get(`${PATH}?${proxyQuery()}`).set('X-Forwarded-For', ip);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await from('203.0.113.7')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await from('203.0.113.7');
    expect(refused.body).toEqual({ error: 'Too many requests. Try again shortly.' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['cache-control']).toBe(NO_CACHE);
    expect((await from('198.51.100.9')).status).toBe(200);
  });

  it('per shop: beyond the shop’s limit every visitor gets 429', async () => {
    const from = (ip: string) => limited.http().get(`${PATH}?${proxyQuery()}`).set('X-Forwarded-For', ip);
    // 3 + 1 answered above; the shop allows 5 a minute.
    expect((await from('192.0.2.1')).status).toBe(200);
    expect((await from('192.0.2.2')).status).toBe(429);
  });
});
