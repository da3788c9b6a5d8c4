// Issue 9, part 2: fuzzing every inbound surface (/webhooks, /edrone/sync/:token,
// /api/*) with generated malformed or forged requests. Invariants: no answer is
// a 5xx, a refused request stores nothing (events and jobs grow only by the
// deliveries answered "accepted"), and /healthz answers throughout.
//
// FUZZ_RUNS sets the number of requests (default 1,500 for CI). The recorded
// run used 10,000:  FUZZ_RUNS=10000 npx vitest run test/security/inbound-fuzz.test.ts
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signNative5, type Native5SignedFields } from '../../app/adapters/edrone/index.js';
import { signWebhook } from '../../app/sandbox/fake-shopify.js';
import { edroneDate } from '../../app/sandbox/fake-edrone.js';
import { API_SECRET, EDRONE_APP_ID, EDRONE_SECRET, startHarness, type Harness } from '../helpers/harness.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);

let h: Harness;
let syncToken: string;
let token = '';
let tokenAt = 0;
beforeAll(async () => {
  h = await startHarness({ env: { REJECTED_PER_MINUTE_PER_CLIENT: '100000000', REJECTED_PER_MINUTE_PER_SYNC_URL: '100000000' } });
  syncToken = new URL(h.syncUrl).pathname.split('/').pop()!;
});
afterAll(async () => h?.close());

async function sessionToken(): Promise<string> {
  if (Date.now() - tokenAt > 20_000) {
    token = await h.token();
    tokenAt = Date.now();
  }
  return token;
}

// ---------------------------------------------------------------------------
// Generators: nasty strings, then each surface's requests.

/** encodeURIComponent, or a malformed escape where it refuses (a lone surrogate). */
function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ZZ';
  }
}

const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '%00', '0', '1', '2', '-1', '1e309', 'null', 'true', '{}', '[]', '\ud800', '𝔘nicode', '<script>', "' OR 1=1 --", '../../etc/passwd', '2099-01-01 00:00:00', '2026-01-15 10:30:00+99', '2026-01-15 10:30', '2026-01-15', '+48500100200', '0048500100200', 'a@b.co', 'a@b.c0'),
  fc.integer({ min: 1, max: 70_000 }).map((n) => 'a.'.repeat(Math.floor(n / 2)) + '@b.c'),
);

const TOPICS = ['customers_email_marketing_consent/update', 'customers_marketing_consent/update', 'customers/data_request', 'customers/redact', 'shop/redact', 'app/uninstalled'];

const webhookBody = fc.oneof(
  nasty,
  fc.record({
    customer_id: fc.oneof(fc.bigInt({ min: -10n, max: 2n ** 70n }).map(String), nasty),
    email_address: nasty,
    email_marketing_consent: fc.oneof(fc.constant(null), fc.record({ state: nasty, consent_updated_at: nasty })),
  }).map((b) => JSON.stringify(b)),
  fc.record({ shop_id: fc.nat(), shop_domain: fc.oneof(nasty, fc.constant('other.myshopify.com')), customer: fc.record({ id: fc.nat(), email: nasty }) }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
);

const webhookRequest = fc.record({
  surface: fc.constant('webhook' as const),
  topic: fc.oneof(fc.constantFrom(...TOPICS), nasty),
  shop: fc.oneof(fc.constant('demo-store.myshopify.com'), fc.constant('other.myshopify.com'), nasty),
  webhookId: fc.oneof(fc.uuid(), nasty),
  body: webhookBody,
  // A forged delivery: no HMAC, garbage, the wrong secret, or the right one over a malformed body.
  hmac: fc.constantFrom('none', 'garbage', 'wrong-secret', 'right-secret'),
});

const fieldNames = fc.constantFrom('subscription_status_type_id', 'email', 'phone', 'subscriber_status', 'subscription_status_reason', 'event_date', 'event_id', 'app_id', 'signature', 'event', 'data', 'timestamp', 'x');

const edroneRequest = fc.record({
  surface: fc.constant('edrone' as const),
  token: fc.oneof({ weight: 6, arbitrary: fc.constant('valid') }, { weight: 1, arbitrary: nasty }),
  mutations: fc.array(fc.tuple(fieldNames, fc.oneof(nasty, fc.constant(undefined))), { minLength: 1, maxLength: 4 }),
  // Re-signed after mutation with the real secret (authentic but malformed), the original signature (forged), or none.
  signing: fc.constantFrom('resign', 'original', 'none', 'hex-resign'),
  encoding: fc.constantFrom('form', 'json', 'query', 'garbage-type'),
});

const API_PATHS = ['status', 'activity', 'failures', 'failures/x/retry', 'settings', 'settings/test-connection', 'backfill', 'reconcile', 'webhook-subscriptions', 'webhook-subscriptions/x', 'customers/consent', 'consent-history.csv', 'nope'];

const apiRequest = fc.record({
  surface: fc.constant('api' as const),
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
  path: fc.constantFrom(...API_PATHS),
  suffix: fc.oneof(fc.constant(''), nasty.map((s) => `/${encode(s)}`), fc.constantFrom('/%00', '/%ff', '/%', '/..%2f..')),
  query: fc.dictionary(fc.constantFrom('q', 'page', 'pageSize', 'channel', 'direction', 'result', 'customer', 'from', 'to', 'status'), nasty, { maxKeys: 4 }),
  auth: fc.constantFrom('valid', 'none', 'garbage'),
  body: fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 }), nasty),
});

type Infer<A> = A extends fc.Arbitrary<infer T> ? T : never;
type FuzzRequest = Infer<typeof webhookRequest> | Infer<typeof edroneRequest> | Infer<typeof apiRequest>;

// ---------------------------------------------------------------------------
// Sending

function baseEdroneFields(): Native5SignedFields & Record<string, string> {
  return {
    subscription_status_type_id: '1',
    email: 'fuzz@example.com',
    subscriber_status: '0',
    subscription_status_reason: '4',
    event_date: edroneDate(new Date(Date.now() - 60_000)),
    event_id: `fuzz-${Math.random().toString(36).slice(2)}`,
    app_id: EDRONE_APP_ID,
  };
}

function hexSignature(f: Record<string, string>): string {
  const id = f.subscription_status_type_id === '1' ? f.email : f.phone;
  const parts = [id, f.subscriber_status, f.subscription_status_reason, f.event_date, f.event_id].map((p) => p ?? '');
  return createHash('sha256').update([...parts, EDRONE_SECRET, f.app_id ?? ''].join('')).digest('hex');
}

async function send(r: FuzzRequest): Promise<{ status: number; accepted: boolean }> {
  const http = h.http();
  if (r.surface === 'webhook') {
    let req = http.post('/webhooks').set('Content-Type', 'application/json');
    const set = (name: string, value: string) => {
      // Headers cannot carry every character: a value the client refuses is left out (a missing header).
      if (/[^\t\x20-\x7e]/.test(value) || value.length > 8000) return;
      req = req.set(name, value);
    };
    set('X-Shopify-Topic', r.topic);
    set('X-Shopify-Shop-Domain', r.shop);
    set('X-Shopify-Webhook-Id', r.webhookId);
    set('X-Shopify-API-Version', '2026-07');
    if (r.hmac !== 'none') set('X-Shopify-Hmac-Sha256', r.hmac === 'garbage' ? 'AAAA' : signWebhook(r.body, r.hmac === 'right-secret' ? API_SECRET : 'wrong'));
    const res = await req.send(r.body).catch((e: unknown) => ({ status: -1, body: { error: String(e) } }));
    return { status: res.status, accepted: res.status === 200 && (res.body as { status?: string }).status === 'accepted' };
  }
  if (r.surface === 'edrone') {
    const base = baseEdroneFields();
    const original = signNative5(base, EDRONE_SECRET);
    const f: Record<string, unknown> = { ...base };
    for (const [name, value] of r.mutations) {
      if (value === undefined) delete f[name];
      else f[name] = value;
    }
    const wire = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, String(v)]));
    if (r.signing === 'resign') wire.signature = Buffer.from(hexSignature(wire)).toString('base64');
    if (r.signing === 'hex-resign') wire.signature = hexSignature(wire);
    if (r.signing === 'original') wire.signature = original;
    const path = `/edrone/sync/${r.token === 'valid' ? syncToken : encode(r.token)}`;
    let req;
    if (r.encoding === 'json') req = http.post(path).set('Content-Type', 'application/json').send(JSON.stringify(wire));
    else if (r.encoding === 'query') req = http.post(`${path}?${new URLSearchParams(wire).toString()}`).send('');
    else req = http.post(path).set('Content-Type', r.encoding === 'form' ? 'application/x-www-form-urlencoded' : 'image/png').send(new URLSearchParams(wire).toString());
    const res = await req.catch((e: unknown) => ({ status: -1, body: { error: String(e) } }));
    return { status: res.status, accepted: res.status === 200 && (res.body as { status?: string }).status === 'ok' };
  }
  const query = new URLSearchParams(r.query).toString();
  const url = `/api/${r.path}${r.suffix}${query ? `?${query}` : ''}`;
  // With a valid session, only reads and requests that cannot be a valid action (garbage path or body).
  const auth = r.auth === 'valid' ? `Bearer ${await sessionToken()}` : r.auth === 'garbage' ? 'Bearer x.y.z' : undefined;
  const safeWithValidAuth = r.method === 'GET' || r.suffix !== '' || r.path === 'nope' || (r.path === 'settings' && r.method === 'PUT');
  const method = r.auth === 'valid' && !safeWithValidAuth ? 'GET' : r.method;
  let req = h.http()[method.toLowerCase() as 'get' | 'post' | 'put' | 'delete' | 'patch'](url);
  if (auth) req = req.set('Authorization', auth);
  let body = r.body;
  // A settings body that happened to be valid would be a real change: keep it invalid.
  if (method === 'PUT' && r.path === 'settings' && typeof body === 'object' && body !== null) body = { ...(body as object), direction: 'sideways' };
  const res = await (body === undefined ? req : req.set('Content-Type', 'application/json').send(JSON.stringify(body))).catch((e: unknown) => ({ status: -1, body: { error: String(e) } }));
  return { status: res.status, accepted: false };
}

async function counts() {
  const { prisma } = h.server.ctx.db;
  return { events: await prisma.inboundEvent.count(), jobs: await prisma.job.count() };
}

/** What was stored since `since`: shown when the counts disagree, so a failure names the delivery. */
async function storedSince(since: Date) {
  const { prisma } = h.server.ctx.db;
  const events = await prisma.inboundEvent.findMany({ where: { receivedAt: { gte: since } }, select: { source: true, topic: true, dedupeKey: true } });
  const jobs = await prisma.job.findMany({ where: { createdAt: { gte: since } }, select: { kind: true, status: true } });
  return JSON.stringify({ events, jobs }).slice(0, 20_000);
}

it(`${RUNS} malformed or forged requests: no 5xx, nothing stored when refused, /healthz answers`, async () => {
  const since = new Date(Date.now() - 1000);
  const before = await counts();
  const settingsBefore = await h.server.ctx.db.prisma.shop.findUniqueOrThrow({ where: { id: h.shop } });
  let sent = 0;
  let accepted = 0;
  const acceptedRequests: FuzzRequest[] = [];
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(fc.oneof(webhookRequest, edroneRequest, apiRequest), async (r) => {
      const { status, accepted: ok } = await send(r);
      sent++;
      if (ok) {
        accepted++;
        acceptedRequests.push(r);
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      expect(status, JSON.stringify(r).slice(0, 500)).toBeGreaterThanOrEqual(200);
      expect(status, JSON.stringify(r).slice(0, 500)).toBeLessThan(500);
      if (sent % 500 === 0) expect((await h.http().get('/healthz')).status).toBe(200);
    }),
    { numRuns: RUNS },
  );
  const after = await counts();
  // Each accepted delivery stores one event and one job; a refused one stores nothing.
  const accepted_ = `${accepted} accepted: ${JSON.stringify(acceptedRequests).slice(0, 20_000)}`;
  expect(after.events - before.events, `${accepted_}\nstored: ${await storedSince(since)}`).toBe(accepted);
  expect(after.jobs - before.jobs, `${accepted_}\nstored: ${await storedSince(since)}`).toBe(accepted);
  const settingsAfter = await h.server.ctx.db.prisma.shop.findUniqueOrThrow({ where: { id: h.shop } });
  // The settings are untouched; only what accepted deliveries record (last event times, signature variant) moves.
  const settings = (s: typeof settingsBefore) => ({ ...s, updatedAt: null, edroneSignatureVariant: null, lastEdroneEventAt: null, lastShopifyEventAt: null });
  expect(settings(settingsAfter)).toEqual(settings(settingsBefore));
  expect((await h.http().get('/healthz')).status).toBe(200);
  console.log(`fuzz: ${sent} requests, ${accepted} accepted, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
}, 1_800_000);
