// The /api/* contract (app/api-contract/) against the real server: every endpoint is called in realistic
// states (unconfigured and configured shop, consent synced both ways, a dead job, an initial sync and a
// reconciliation started and finished, webhook subscriptions missing, active, failing and deleted, Shopify
// refusing) and every answer is parsed with the contract's schema for its status. The schemas are strict,
// so a field the server adds, drops or reshapes without the contract fails here. Inputs too: the contract
// must accept exactly the bodies and queries the server accepts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  activityQuery,
  apiErrorBody,
  endpoints,
  failuresQuery,
  reconcileIntervalUpdate,
  settingsUpdate,
  webhookSubscriptionsQuery,
  type Endpoint,
} from '../../app/api-contract/index.js';
import { EDRONE_APP_ID, VALID_SETTINGS, startHarness, type Harness } from '../helpers/harness.js';

const UNCONFIGURED = 'contract-unconfigured.myshopify.com';
const EMAIL_TOPIC = 'customers_email_marketing_consent/update';
const SETTINGS = VALID_SETTINGS;

let h: Harness;
beforeAll(async () => {
  // POST /api/reconcile/run waits 1 s for the run (202 after that); the worker is driven by the test.
  // The webhook topics are registered through the Admin API here, so missing and registered rows exist.
  h = await startHarness({
    env: {
      RECONCILE_RUN_WAIT_MS: '1000',
      BACKFILL_POLL_MS: '20',
      JOB_SLICE_MS: '1000',
      WEBHOOK_TOPICS_VIA_API: 'customers_email_marketing_consent/update,customers_marketing_consent/update,app/uninstalled',
    },
  });
  h.shopify.control.bulkOperationDelayMs = 50;
});
afterAll(async () => h?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Answers<E extends Endpoint> = (typeof endpoints)[E]['answers'];
type Status<E extends Endpoint> = keyof Answers<E> & number;
type Parsed<E extends Endpoint, S extends Status<E>> = z.output<Answers<E>[S] & z.ZodType>;
interface CallOptions {
  /** The concrete path, for templates with :id. */
  path?: string;
  query?: Record<string, string | number>;
  body?: string | object;
  shop?: string;
  /** Leave out the session token. */
  anonymous?: boolean;
}

/** "METHOD /path STATUS" of every answer parsed so far, with the first body seen. */
const checked = new Map<string, unknown>();

async function send(endpoint: Endpoint, options: CallOptions = {}) {
  const [method = '', template = ''] = endpoint.split(' ');
  const verb = method.toLowerCase() as 'get' | 'put' | 'post' | 'delete';
  let req = h.http()[verb](options.path ?? template).query(options.query ?? {});
  if (!options.anonymous) req = req.set('Authorization', `Bearer ${await h.token(options.shop)}`);
  if (typeof options.body === 'string') req = req.set('Content-Type', 'application/json');
  return options.body === undefined ? await req : await req.send(options.body);
}

/** Parses an answer with the contract's schema for the endpoint and status (strict: extra fields fail). */
function answer<E extends Endpoint, S extends Status<E>>(endpoint: E, status: S, res: { status: number; body: unknown }): Parsed<E, S> {
  expect(res.status, `${endpoint}: ${JSON.stringify(res.body)}`).toBe(status);
  const schema = (endpoints[endpoint].answers as Record<number, z.ZodType>)[status];
  if (!schema) throw new Error(`the contract has no ${status} answer for ${endpoint}`);
  const parsed = schema.safeParse(res.body);
  if (!parsed.success) throw new Error(`${endpoint} ${status} drifted from the contract:\n${parsed.error.message}\n${JSON.stringify(res.body)}`);
  if (!checked.has(`${endpoint} ${status}`)) checked.set(`${endpoint} ${status}`, res.body);
  return parsed.data as Parsed<E, S>;
}

async function call<E extends Endpoint, S extends Status<E>>(endpoint: E, status: S, options: CallOptions = {}): Promise<Parsed<E, S>> {
  return answer(endpoint, status, await send(endpoint, options));
}

/** Drives the worker until `done` holds (polling jobs are re-queued with a delay, so settle() alone may end early). */
async function until(done: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await h.settle();
    if (await done()) return;
    if (Date.now() > deadline) throw new Error('timed out waiting for the worker');
    await sleep(30);
  }
}

/** A Shopify change whose trace edrone refuses for good (HTTP 400): its job is dead-lettered. */
async function deadJob(email: string): Promise<void> {
  const c = h.shopify.control.createCustomer({ shop: h.shop, email });
  h.edrone.control.failNext(1, 400);
  h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'subscribed' });
  await h.settle();
}

const failureItemPath = (id: string) => `/api/failures/${encodeURIComponent(id)}/retry`;
const webhookPath = (id: string) => `/api/webhook-subscriptions/${encodeURIComponent(id)}`;

describe('a shop that is installed but not configured', () => {
  const shop = UNCONFIGURED;

  it('answers settings, status and empty lists in the contract', async () => {
    const settings = await call('GET /api/settings', 200, { shop });
    expect(settings).toMatchObject({ edroneAppId: '', edroneAppSecretSet: false });
    expect((await call('GET /api/status', 200, { shop })).state).toBe('not_configured');
    expect((await call('GET /api/activity', 200, { shop })).items).toEqual([]);
    expect((await call('GET /api/failures', 200, { shop })).items).toEqual([]);
    expect(await call('GET /api/backfill', 200, { shop })).toEqual({ run: null });
    expect(await call('GET /api/reconcile', 200, { shop })).toMatchObject({ lastRun: null, running: false });
    expect(await call('GET /api/edrone-connection', 200, { shop })).toEqual({ last: null, lastAcceptedAt: null, recentRejections: [] });
  });

  it('refuses what needs edrone credentials with an error body', async () => {
    const put = await call('PUT /api/settings', 400, { shop, body: SETTINGS });
    expect(Object.keys(put.fieldErrors ?? {})).toEqual(['edroneAppSecret']);
    await call('POST /api/backfill', 400, { shop });
    await call('POST /api/reconcile/run', 400, { shop });
    expect(await call('POST /api/settings/test-connection', 200, { shop, body: {} })).toMatchObject({ ok: false });
  });
});

describe('the configured shop', () => {
  it('GET and PUT /api/settings, and the connection test both ways', async () => {
    expect(await call('GET /api/settings', 200)).toMatchObject({ edroneAppId: EDRONE_APP_ID, edroneAppSecretSet: true });
    expect((await call('PUT /api/settings', 200, { body: SETTINGS })).direction).toBe('both');
    const bad = await call('PUT /api/settings', 400, { body: { ...SETTINGS, direction: 'sideways', extra: 1 } });
    expect(Object.keys(bad.fieldErrors ?? {}).length).toBeGreaterThan(0);
    expect(await call('POST /api/settings/test-connection', 200, { body: {} })).toEqual({ ok: true });
    expect(await call('POST /api/settings/test-connection', 200, { body: { edroneAppId: 'nobody-knows-me' } })).toMatchObject({ ok: false });
  });

  it('status and activity after consent changes synced both ways', async () => {
    const { control } = h.shopify;
    const a = control.createCustomer({ shop: h.shop, email: 'contract-a@example.com' });
    control.setConsent({ shop: h.shop, customerId: a.id, channel: 'email', state: 'subscribed' });
    const p = control.createCustomer({ shop: h.shop, phone: '+48 511 222 444' });
    control.setConsent({ shop: h.shop, customerId: p.id, channel: 'sms', state: 'subscribed' });
    control.createCustomer({ shop: h.shop, email: 'contract-b@example.com', emailState: 'subscribed' });
    await h.settle();
    for (const email of ['contract-b@example.com', 'contract-ghost@example.com']) {
      expect((await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email, status: '0' })).status).toBe(200);
    }
    await h.settle();

    const status = await call('GET /api/status', 200);
    expect(status).toMatchObject({ state: 'healthy', failures: 0 });
    expect(status.today.shopifyToEdrone).toBeGreaterThan(0);
    expect(status.today.edroneToShopify).toBeGreaterThan(0);
    expect(status.lastShopifyEventAt).not.toBeNull();
    expect(status.lastEdroneEventAt).not.toBeNull();

    const all = await call('GET /api/activity', 200, { query: { pageSize: 100 } });
    expect(all.items.map((i) => i.result)).toEqual(expect.arrayContaining(['sent', 'no_customer']));
    expect(all.items.some((i) => i.reasonCode !== null)).toBe(true);
    const filtered = await call('GET /api/activity', 200, { query: { direction: 'edrone_to_shopify', channel: 'email', q: 'CONTRACT' } });
    expect(filtered.items.map((i) => i.identity)).toContain('contract-b@example.com');
    await call('GET /api/activity', 400, { query: { result: 'maybe' } });
  });

  it('failures: a dead job, its retry, a retry of nothing, and retry-all', async () => {
    await deadJob('contract-dead-1@example.com');
    const list = await call('GET /api/failures', 200);
    expect(list.items).toHaveLength(1);
    expect((await call('GET /api/status', 200)).state).toBe('some_failed');
    const [item] = list.items;
    if (!item) throw new Error('no failure listed');
    expect(item.kind).toBe('shopify-webhook');
    expect(await call('POST /api/failures/:id/retry', 200, { path: failureItemPath(item.id) })).toEqual({
      ok: true,
      job: { id: item.id, status: 'queued' },
    });
    await call('POST /api/failures/:id/retry', 404, { path: failureItemPath(item.id) });
    await h.settle();

    await deadJob('contract-dead-2@example.com');
    expect(await call('POST /api/failures/retry-all', 200)).toEqual({ retried: 1 });
    await h.settle();
    expect((await call('GET /api/failures', 200)).total).toBe(0);
    await call('GET /api/failures', 400, { query: { page: 0 } });
  });

  it('initial sync: none yet, started, conflict, cancelled, then one that completes', async () => {
    h.shopify.control.seedCustomers(h.shop, 20, { emailStates: { subscribed: 1, not_subscribed: 1 }, prefix: 'contract' });
    expect(await call('GET /api/backfill', 200)).toEqual({ run: null });

    h.shopify.control.bulkOperationDelayMs = 60_000; // the export stays running
    const started = await call('POST /api/backfill', 202);
    expect(started.run).toMatchObject({ status: 'running', phase: 'exporting', total: null, cancelRequested: false });
    const conflict = await call('POST /api/backfill', 409);
    expect(conflict.run?.id).toBe(started.run.id);
    await h.settle(); // the export starts
    expect((await call('POST /api/backfill/cancel', 202)).run.cancelRequested).toBe(true);
    await until(async () => (await call('GET /api/backfill', 200)).run?.status === 'cancelled');
    expect((await call('POST /api/backfill/cancel', 409)).run?.status).toBe('cancelled');

    h.shopify.control.bulkOperationDelayMs = 50;
    await call('POST /api/backfill', 202);
    await until(async () => (await call('GET /api/backfill', 200)).run?.status === 'completed');
    const done = await call('GET /api/backfill', 200);
    expect(done.run).toMatchObject({ phase: 'done', error: null });
    expect(done.run?.total).toBeGreaterThanOrEqual(20);
    expect(done.run?.finishedAt).not.toBeNull();
  });

  it('reconciliation: interval, a run still going (202), a conflict (409), and a run that finishes in time (200)', async () => {
    expect(await call('GET /api/reconcile', 200)).toMatchObject({ intervalMinutes: 360, lastRun: null, running: false });
    expect((await call('PUT /api/reconcile', 200, { body: { intervalMinutes: 60 } })).intervalMinutes).toBe(60);
    const bad = await call('PUT /api/reconcile', 400, { body: { intervalMinutes: 5 } });
    expect(Object.keys(bad.fieldErrors ?? {})).toEqual(['intervalMinutes']);

    const pending = await call('POST /api/reconcile/run', 202);
    expect(pending).toMatchObject({ lastRun: null, run: { status: 'running', trigger: 'manual' } });
    expect((await call('POST /api/reconcile/run', 409)).run?.id).toBe(pending.run.id);
    expect((await call('GET /api/reconcile', 200)).running).toBe(true);
    await h.settle();
    const after = await call('GET /api/reconcile', 200);
    expect(after).toMatchObject({ running: false, lastRun: { status: 'completed', error: null } });

    // The worker runs while the server waits for the run: the answer carries its result.
    const request = send('POST /api/reconcile/run');
    let finished = false;
    void request.finally(() => (finished = true));
    while (!finished) {
      await h.settle();
      await sleep(20);
    }
    const ran = answer('POST /api/reconcile/run', 200, await request);
    expect(ran.lastRun).toMatchObject({ status: 'completed' });
    expect(ran.run.finishedAt).not.toBeNull();
  });
});

describe('inputs: the contract accepts exactly what the server accepts', () => {
  async function agrees(endpoint: Endpoint, schema: z.ZodType, inputs: object[], as: 'query' | 'body'): Promise<void> {
    for (const input of inputs) {
      const res = await send(endpoint, { [as]: input });
      expect([200, 400], `${endpoint} ${JSON.stringify(input)}`).toContain(res.status);
      expect(schema.safeParse(input).success, `${endpoint} ${JSON.stringify(input)}: server ${res.status}`).toBe(res.status === 200);
    }
  }

  it('PUT /api/settings bodies', async () => {
    await agrees(
      'PUT /api/settings',
      settingsUpdate,
      [
        SETTINGS,
        { ...SETTINGS, edroneAppId: `  ${EDRONE_APP_ID} `, edroneAppSecret: '' },
        { ...SETTINGS, direction: 'paused', edroneStatuses: 'unsubscribes', channels: { email: false, sms: true } },
        { ...SETTINGS, edroneAppId: '' },
        { ...SETTINGS, edroneAppId: 'has spaces inside' },
        { ...SETTINGS, edroneAppSecret: 'x'.repeat(257) },
        { ...SETTINGS, channels: { email: true } },
        { ...SETTINGS, createMissingCustomers: 'yes' },
        { ...SETTINGS, unknown: true },
        { channels: SETTINGS.channels },
      ],
      'body',
    );
    await send('PUT /api/settings', { body: SETTINGS });
  });

  it('PUT /api/reconcile bodies', async () => {
    const bodies = [{ intervalMinutes: 15 }, { intervalMinutes: 10_080 }, { intervalMinutes: 14 }, { intervalMinutes: 10_081 }];
    await agrees('PUT /api/reconcile', reconcileIntervalUpdate, [...bodies, { intervalMinutes: 60.5 }, { intervalMinutes: '60' }, {}], 'body');
  });

  it('GET queries of the lists', async () => {
    const paging = [{}, { page: '2', pageSize: '100' }, { page: '0' }, { page: 'abc' }, { pageSize: '101' }, { pageSize: '-1' }];
    await agrees('GET /api/failures', failuresQuery, paging, 'query');
    await agrees(
      'GET /api/activity',
      activityQuery,
      [...paging, { direction: 'shopify_to_edrone', channel: 'sms', result: 'no_customer', q: ' x ' }, { direction: 'sideways' }, { channel: 'fax' }, { q: 'x'.repeat(201) }],
      'query',
    );
    await agrees(
      'GET /api/webhook-subscriptions',
      webhookSubscriptionsQuery,
      [...paging, { filter: 'missing' }, { filter: 'failing', page: '1' }, { filter: 'active' }, { filter: 'broken' }],
      'query',
    );
  });
});

describe('errors every endpoint can answer', () => {
  it('401 without a session token, 404 for an unknown path, 400 for a body that is not JSON', async () => {
    for (const endpoint of Object.keys(endpoints) as Endpoint[]) {
      const path = endpoint.includes(':id') ? endpoint.split(' ')[1]?.replace(':id', 'some-id') : undefined;
      const res = await send(endpoint, { anonymous: true, path });
      expect(res.status, endpoint).toBe(401);
      apiErrorBody.parse(res.body);
    }
    const unknown = await h.http().get('/api/no-such-thing').set('Authorization', `Bearer ${await h.token()}`);
    expect(unknown.status).toBe(404);
    apiErrorBody.parse(unknown.body);
    await call('PUT /api/settings', 400, { body: '{"edroneAppId": ' });
  });
});

describe('webhook subscriptions', () => {
  it('missing, registered, failing, with deliveries, deleted', async () => {
    const missing = await call('GET /api/webhook-subscriptions', 200);
    expect((await call('GET /api/webhook-health', 200)).topics.every((t) => t.state === 'missing' && t.source === 'api')).toBe(true);
    expect(missing.items.every((i) => i.status === 'missing' && i.id.startsWith('missing:'))).toBe(true);
    expect(missing.expectedAddress).toBe(`${h.config.shopify.appUrl}/webhooks`);
    expect((await call('GET /api/webhook-subscriptions/:id', 200, { path: webhookPath(`missing:${EMAIL_TOPIC}`) })).format).toBeNull();

    const registered = await call('POST /api/webhook-subscriptions/register', 200);
    expect(registered.created).toBe(3);
    h.shopify.control.addWebhookSubscription(h.shop, { topic: 'CUSTOMERS_MARKETING_CONSENT_UPDATE', uri: 'https://old-tunnel.example.com/webhooks' });
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'contract-hooks@example.com' });
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'subscribed' });
    await h.settle();

    const list = await call('GET /api/webhook-subscriptions', 200, { query: { pageSize: 10 } });
    expect(new Set(list.items.map((i) => i.status))).toEqual(new Set(['active', 'failing']));
    expect((await call('GET /api/webhook-subscriptions', 200, { query: { filter: 'failing' } })).total).toBe(1);
    const email = list.items.find((i) => i.topic === EMAIL_TOPIC && i.status === 'active');
    if (!email) throw new Error('no active email subscription');
    expect(email.lastDeliveryAt).not.toBeNull();
    const health = await call('GET /api/webhook-health', 200);
    expect(health.topics.find((t) => t.topic === EMAIL_TOPIC)?.state).toBe('receiving');
    const detail = await call('GET /api/webhook-subscriptions/:id', 200, { path: webhookPath(email.id) });
    expect(detail.recentDeliveries.length).toBeGreaterThan(0);
    await call('GET /api/webhook-subscriptions/:id', 404, { path: webhookPath('gid://shopify/WebhookSubscription/999999') });

    expect(await call('DELETE /api/webhook-subscriptions/:id', 200, { path: webhookPath(email.id) })).toEqual({
      ok: true,
      deletedId: email.id,
      topic: EMAIL_TOPIC,
    });
    await call('DELETE /api/webhook-subscriptions/:id', 404, { path: webhookPath(email.id) });
    await call('DELETE /api/webhook-subscriptions/:id', 404, { path: webhookPath(`missing:${EMAIL_TOPIC}`) });
    await call('GET /api/webhook-subscriptions', 400, { query: { filter: 'broken' } });
  });

  it('Shopify failing, throttling or refusing the app becomes an error body', async () => {
    h.shopify.control.failNext(20, { status: 500 });
    await call('GET /api/webhook-subscriptions', 502);
    await call('GET /api/webhook-health', 502);
    h.shopify.control.failNext(0);
    h.shopify.control.failNext(20, { status: 429, retryAfterSeconds: 1 });
    expect((await call('GET /api/webhook-subscriptions', 429)).retryAfterMs).toBeGreaterThan(0);
    await call('GET /api/webhook-health', 429);
    h.shopify.control.failNext(0);
    h.shopify.control.revokeShop(h.shop); // last: the shop stays refused
    await call('GET /api/webhook-subscriptions', 403);
    await call('GET /api/webhook-health', 403);
  });
});

describe('consent history', () => {
  it('a customer’s timeline, and 400 for an unusable customer', async () => {
    const body = await call('GET /api/customers/consent', 200, { query: { customer: 'contract-hooks@example.com' } });
    expect(body.channels.map((c) => c.channel)).toEqual(['email', 'sms']);
    await call('GET /api/customers/consent', 400, { query: { customer: 'nobody' } });
  });
});

describe('coverage', () => {
  it('every answer the contract lists for every endpoint was parsed above', () => {
    const listed = Object.entries(endpoints).flatMap(([endpoint, spec]) => Object.keys(spec.answers).map((status) => `${endpoint} ${status}`));
    expect(listed.filter((a) => !checked.has(a))).toEqual([]);
  });

  it('every answer schema is strict: a field the contract does not name fails', () => {
    for (const [key, body] of checked) {
      const [method, path, status] = key.split(' ');
      const schema = (endpoints[`${method} ${path}` as Endpoint].answers as Record<string, z.ZodType>)[status ?? ''];
      expect(schema?.safeParse({ ...(body as object), undocumented: true }).success, key).toBe(false);
    }
  });
});
