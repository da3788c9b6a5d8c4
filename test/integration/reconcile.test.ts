// Reconciliation through HTTP against the stand-ins: a consent change whose
// webhook was dropped is repaired and shows in Activity with origin reconcile;
// nothing is written when all is in sync; the interval setting; the scheduler
// queues one run per due shop however many workers schedule at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataLayer, openDatabase } from '../../app/db/index.js';
import { enqueueReconcile, scheduleDueReconciliations } from '../../app/sync/index.js';
import { createReconcileHandler } from '../../app/sync/reconcile-job.js';
import { startHarness, type Harness } from '../helpers/harness.js';

describe('reconciliation', () => {
  let h: Harness;
  const auth = async () => ({ Authorization: `Bearer ${await h.token()}` });

  beforeAll(async () => {
    // The run endpoint answers at once (202); the test drives the worker with settle().
    h = await startHarness({ env: { RECONCILE_RUN_WAIT_MS: '0' } });
  });
  afterAll(async () => h?.close());

  async function runNow(): Promise<{ checked: number; repaired: number; at: string; status: string }> {
    const res = await h.http().post('/api/reconcile/run').set(await auth());
    expect(res.status).toBe(202);
    expect(res.body.run).toMatchObject({ status: 'running', trigger: 'manual' });
    await h.settle();
    const view = await h.http().get('/api/reconcile').set(await auth());
    expect(view.body.running).toBe(false);
    return view.body.lastRun;
  }

  it('GET /api/reconcile: every 6 hours by default, never run yet', async () => {
    const res = await h.http().get('/api/reconcile').set(await auth());
    expect(res.status).toBe(200);
    const shop = await h.server.ctx.db.prisma.shop.findUniqueOrThrow({ where: { id: h.shop } });
    expect(res.body).toEqual({
      intervalMinutes: 360,
      lastRunAt: null,
      nextRunAt: new Date(shop.installedAt.getTime() + 360 * 60_000).toISOString(),
      lastRun: null,
      running: false,
      currentRun: null,
      blockedBy: null,
    });
  });

  it('PUT /api/reconcile accepts 15..10080 minutes', async () => {
    for (const bad of [14, 10_081, 60.5, '60', null]) {
      const res = await h.http().put('/api/reconcile').set(await auth()).send({ intervalMinutes: bad });
      expect(res.status, String(bad)).toBe(400);
      expect(res.body.fieldErrors.intervalMinutes).toEqual(expect.any(String));
    }
    const res = await h.http().put('/api/reconcile').set(await auth()).send({ intervalMinutes: 60 });
    expect(res.status).toBe(200);
    expect(res.body.intervalMinutes).toBe(60);
    const shop = await h.server.ctx.db.prisma.shop.findUniqueOrThrow({ where: { id: h.shop } });
    expect(shop.reconcileIntervalMinutes).toBe(60);
    expect(res.body.nextRunAt).toBe(new Date(shop.installedAt.getTime() + 60 * 60_000).toISOString());
  });

  it('repairs a consent change whose webhook was dropped, with origin reconcile in Activity', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'dropped@example.com' });
    // Subscribed with the webhook delivered: both sides agree.
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'subscribed' });
    await h.settle();
    expect(h.edrone.traces.at(-1)?.fields).toMatchObject({ email: 'dropped@example.com', subscriber_status: '1' });

    // The unsubscribe's webhook never arrives.
    h.shopify.control.deliverWebhooks = false;
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'unsubscribed' });
    await h.settle();
    expect(h.shopify.control.deliveries().at(-1)?.outcome).toBe('dropped');
    const before = h.edrone.traces.length;

    const lastRun = await runNow();
    expect(lastRun).toMatchObject({ status: 'completed', repaired: 1 });
    expect(lastRun.checked).toBeGreaterThanOrEqual(1);
    expect(h.edrone.traces.length).toBe(before + 1);
    expect(h.edrone.traces.at(-1)?.fields).toMatchObject({ email: 'dropped@example.com', subscriber_status: '0' });

    const activity = await h.http().get('/api/activity').query({ q: 'dropped@example.com' }).set(await auth());
    const repaired = activity.body.items.find((a: { origin: string; result: string }) => a.origin === 'reconcile' && a.result === 'sent');
    expect(repaired).toMatchObject({ origin: 'reconcile', target: 'edrone', channel: 'email', newState: 'unsubscribed', result: 'sent' });

    const view = await h.http().get('/api/reconcile').set(await auth());
    expect(view.body.lastRunAt).not.toBeNull();
    expect(new Date(view.body.nextRunAt).getTime()).toBe(new Date(view.body.lastRunAt).getTime() + 60 * 60_000);
    h.shopify.control.deliverWebhooks = true;
  });

  it('changes nothing when everything is in sync: zero traces', async () => {
    // A few more customers, all in sync through their webhooks.
    for (let i = 0; i < 5; i++) {
      const c = h.shopify.control.createCustomer({ shop: h.shop, email: `insync-${i}@example.com`, phone: `+4860100000${i}` });
      h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: i % 2 ? 'subscribed' : 'unsubscribed' });
      h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'sms', state: 'subscribed' });
    }
    await h.settle();
    const before = h.edrone.traces.length;
    const reconcileRowsBefore = await h.server.ctx.db.prisma.activity.count({ where: { shopId: h.shop, origin: 'reconcile' } });

    const lastRun = await runNow();
    expect(lastRun).toMatchObject({ status: 'completed', repaired: 0 });
    expect(lastRun.checked).toBeGreaterThanOrEqual(5);
    expect(h.edrone.traces.length).toBe(before);
    const rows = await h.server.ctx.db.prisma.activity.findMany({ where: { shopId: h.shop, origin: 'reconcile' }, orderBy: { createdAt: 'asc' } });
    expect(rows.length, JSON.stringify(rows.slice(reconcileRowsBefore))).toBe(reconcileRowsBefore);
  });

  it('a second POST while one is pending answers 409', async () => {
    const first = await h.http().post('/api/reconcile/run').set(await auth());
    expect(first.status).toBe(202);
    const second = await h.http().post('/api/reconcile/run').set(await auth());
    expect(second.status).toBe(409);
    expect(second.body.run.id).toBe(first.body.run.id);
    await h.settle();
  });

  it('the scheduler queues one run per due shop, however many workers schedule at once', async () => {
    const prisma = h.server.ctx.db.prisma;
    const now = new Date();
    await prisma.shop.update({ where: { id: h.shop }, data: { lastReconciledAt: new Date(now.getTime() - 61 * 60_000) } });
    // On PostgreSQL a second process too: its own connection to the same database. (SQLite is one
    // process's database: a second connection in this process would only wait on the first one's lock.)
    const other = h.server.ctx.db.dialect === 'postgres' ? await openDatabase(h.config.databaseUrl) : null;
    try {
      const results = await Promise.all([
        scheduleDueReconciliations(h.server.ctx.data, now),
        scheduleDueReconciliations(other ? createDataLayer(other) : h.server.ctx.data, now),
        h.server.ctx.worker.scheduler.tick(now),
        h.server.ctx.worker.scheduler.tick(now),
      ]);
      expect(results.flat().filter((s, i, all) => all.indexOf(s) === i)).toEqual([h.shop]);
      // The two ticks of one scheduler share one pass; across schedulers, one queued the run.
      expect(results[0]!.length + results[1]!.length + results[2]!.length).toBe(1);
    } finally {
      await other?.close();
    }
    expect(await prisma.reconcileRun.count({ where: { shopId: h.shop, status: 'running' } })).toBe(1);
    expect(await prisma.job.count({ where: { shopId: h.shop, kind: 'reconcile', status: 'queued' } })).toBe(1);
    const run = await prisma.reconcileRun.findFirstOrThrow({ where: { shopId: h.shop, status: 'running' } });
    expect(run.trigger).toBe('schedule');
    // Not due any more, and one is pending: nothing new.
    expect(await scheduleDueReconciliations(h.server.ctx.data, new Date(now.getTime() + 1000))).toEqual([]);
    await h.settle();
    expect(await prisma.reconcileRun.count({ where: { shopId: h.shop, status: 'running' } })).toBe(0);
    // An hour later it is due again.
    expect(await scheduleDueReconciliations(h.server.ctx.data, new Date(now.getTime() + 61 * 60_000))).toEqual([h.shop]);
    await h.settle();
  });

  it('POST /api/reconcile/run needs edrone credentials', async () => {
    const res = await h.http().post('/api/reconcile/run').set('Authorization', `Bearer ${await h.token('unconfigured.myshopify.com')}`);
    expect(res.status).toBe(400);
  });
});

describe('reconciliation with the worker running', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { WORKER: 'inline' } });
  });
  afterAll(async () => h?.close());

  it('POST /api/reconcile/run waits for the run and answers its result', async () => {
    h.shopify.control.deliverWebhooks = false;
    const c = h.shopify.control.createCustomer({ shop: h.shop, phone: '+48601999888' });
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'sms', state: 'subscribed' });
    const res = await h.http().post('/api/reconcile/run').set('Authorization', `Bearer ${await h.token()}`);
    expect(res.status).toBe(200);
    expect(res.body.lastRun).toMatchObject({ checked: 1, repaired: 1, status: 'completed', at: expect.any(String) });
    expect(h.edrone.traces.at(-1)?.fields).toMatchObject({ phone: '+48601999888', sms_subscriber_status: '1' });
  });
});

describe('reconciliation across pages and restarted queries', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('reads every page, restarts its query before the per-query limit, and sends each missing change exactly once', async () => {
    // 23 subscribed customers Shopify never told the app about, changed over the last 8 seconds (about three in each second).
    const seeded = h.shopify.control.seedCustomers(h.shop, 23, { emailStates: { subscribed: 1 }, prefix: 'paged', updatedAtSpreadMs: 8_000 });
    const run = await enqueueReconcile(h.server.ctx.data, h.shop, 'cli');
    const job = await h.server.ctx.db.prisma.job.findUniqueOrThrow({ where: { id: run!.jobId! } });
    // Pages of 4 and a new query after 10 customers: 6 pages, two restarts.
    const handler = createReconcileHandler(h.server.ctx, { concurrency: 3, sliceMs: 60_000, pageSize: 4, maxObjectsPerQuery: 10 });
    expect(await handler(job, { signal: new AbortController().signal, heartbeat: async () => true })).toBeUndefined();

    const finished = await h.server.ctx.db.prisma.reconcileRun.findUniqueOrThrow({ where: { id: run!.id } });
    expect(finished).toMatchObject({ status: 'completed', repaired: 23, failed: 0 });
    // A restarted query re-reads the customers of its first second, never fewer than all.
    expect(finished.checked).toBeGreaterThanOrEqual(23);
    expect(finished.queryFrom).not.toBeNull();
    const sent = h.edrone.traces.filter((t) => t.fields.email?.startsWith('paged-')).map((t) => t.fields.email);
    expect([...sent].sort()).toEqual(seeded.map((c) => c.email).sort());
  });
});
