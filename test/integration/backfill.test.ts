// Initial sync (backfill) through HTTP against the stand-ins: Shopify's bulk
// export of 2,000 customers is read as a stream and every eligible customer
// reaches edrone exactly once; pending / not_subscribed send nothing; a newer
// known unsubscribe is never re-subscribed; cancel; resume after a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../app/server.js';
import type { FakeCustomer } from '../../app/sandbox/fake-shopify.js';
import { EDRONE_APP_ID, startHarness, type Harness } from '../helpers/harness.js';

const N = 2_000;
// About 400 email and 100 SMS sends: edrone is paced at 90 traces/s.
const MIX = {
  emailStates: { subscribed: 1, unsubscribed: 1, pending: 1, not_subscribed: 7 },
  smsStates: { subscribed: 2, unsubscribed: 1, pending: 1, not_subscribed: 6 },
  phoneShare: 0.2,
};
const ENV = { BACKFILL_POLL_MS: '30', JOB_SLICE_MS: '1500', BACKFILL_CONCURRENCY: '8' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RunView {
  id: string;
  status: string;
  phase: string;
  read: number;
  sent: number;
  skipped: number;
  failed: number;
  error: string | null;
  cancelRequested: boolean;
  total: number | null;
}

async function getRun(h: Harness, url = h.server.url): Promise<RunView | null> {
  const res = await fetch(`${url}/api/backfill`, { headers: { Authorization: `Bearer ${await h.token()}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { run: RunView | null }).run;
}

/** Runs jobs until nothing is due, however long a backfill takes (harness.settle() allows 20 s). */
async function settleLong(h: Harness): Promise<void> {
  for (let round = 0; round < 20; round++) {
    await h.server.ctx.worker.drain({ timeoutMs: 170_000 });
    await h.shopify.control.webhooksIdle();
    await h.edrone.control.settled();
    const now = new Date();
    const due = await h.server.ctx.db.prisma.job.count({
      where: { OR: [{ status: 'queued', runAt: { lte: now } }, { status: 'running', leaseUntil: { lt: now } }] },
    });
    if (due === 0) return;
  }
}

/** Drives the worker until the run is no longer running (the export completes on a timer). */
async function untilFinished(h: Harness, timeoutMs = 170_000): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await settleLong(h);
    const run = await getRun(h);
    if (run && run.status !== 'running') return run;
    if (Date.now() > deadline) throw new Error(`backfill still running: ${JSON.stringify(run)}`);
    await sleep(20);
  }
}

/** Traces per identity: how many times edrone was told each state, per channel. */
function tracesBy(h: Harness): { email: Map<string, string[]>; sms: Map<string, string[]> } {
  const email = new Map<string, string[]>();
  const sms = new Map<string, string[]>();
  for (const t of h.edrone.traces) {
    if (t.fields.email && t.fields.subscriber_status) email.set(t.fields.email, [...(email.get(t.fields.email) ?? []), t.fields.subscriber_status]);
    if (t.fields.phone && t.fields.sms_subscriber_status) sms.set(t.fields.phone, [...(sms.get(t.fields.phone) ?? []), t.fields.sms_subscriber_status]);
  }
  return { email, sms };
}

const wire = (state: string) => (state === 'subscribed' ? '1' : state === 'unsubscribed' ? '0' : null);

/** Every customer's channels: sent exactly once with the right value when eligible, never otherwise. */
function expectExactlyOnce(h: Harness, customers: FakeCustomer[], except: Set<string> = new Set()): { eligibleCustomers: number } {
  const { email, sms } = tracesBy(h);
  const problems: string[] = [];
  let eligibleCustomers = 0;
  for (const c of customers) {
    if (except.has(c.id)) continue;
    let eligible = false;
    if (c.email) {
      const want = wire(c.emailConsent.state);
      const got = email.get(c.email) ?? [];
      if (want) eligible = true;
      if (JSON.stringify(got) !== JSON.stringify(want ? [want] : [])) problems.push(`${c.email} (${c.emailConsent.state}): ${JSON.stringify(got)}`);
    }
    if (c.phone) {
      const want = wire(c.smsConsent.state);
      const got = sms.get(c.phone) ?? [];
      if (want) eligible = true;
      if (JSON.stringify(got) !== JSON.stringify(want ? [want] : [])) problems.push(`${c.phone} (${c.smsConsent.state}): ${JSON.stringify(got)}`);
    }
    if (eligible) eligibleCustomers++;
  }
  expect(problems.slice(0, 10)).toEqual([]);
  return { eligibleCustomers };
}

describe('backfill of 2,000 customers', () => {
  let h: Harness;
  let customers: FakeCustomer[];
  let guarded: FakeCustomer;

  beforeAll(async () => {
    h = await startHarness({ env: ENV });
    h.shopify.control.bulkOperationDelayMs = 100;
    customers = h.shopify.control.seedCustomers(h.shop, N, { ...MIX, consentUpdatedAt: '2026-03-01T10:00:00Z' });

    // A customer subscribed in Shopify in January, who unsubscribed in edrone in June. The
    // unsubscribe is known to the app (applied to Shopify is switched off at that moment).
    guarded = h.shopify.control.createCustomer({
      shop: h.shop,
      email: 'guarded@example.com',
      emailState: 'subscribed',
      emailConsentUpdatedAt: '2026-01-01T00:00:00Z',
    });
    const auth = { Authorization: `Bearer ${await h.token()}` };
    const settings = {
      edroneAppId: EDRONE_APP_ID,
      direction: 'both',
      edroneStatuses: 'all',
      channels: { email: true, sms: true },
      createMissingCustomers: false,
    };
    await h.http().put('/api/settings').set(auth).send({ ...settings, direction: 'shopify_to_edrone' }).expect(200);
    const sync = await h.edrone.control.sendSync({
      appId: EDRONE_APP_ID,
      channel: 'email',
      email: 'guarded@example.com',
      status: '0',
      eventDate: '2026-06-01T00:00:00Z',
    });
    expect(sync.status).toBe(200);
    await h.settle();
    await h.http().put('/api/settings').set(auth).send({ ...settings, direction: 'both' }).expect(200);
    h.edrone.traces.length = 0;
  });
  afterAll(async () => h?.close());

  it('GET /api/backfill is { run: null } before the first run (the UI offers it)', async () => {
    expect(await getRun(h)).toBeNull();
  });

  it('sends every eligible customer exactly once; pending and not_subscribed send nothing; a newer unsubscribe is not re-subscribed', async () => {
    const started = await h.http().post('/api/backfill').set('Authorization', `Bearer ${await h.token()}`);
    expect(started.status).toBe(202);
    expect(started.body.run).toMatchObject({ status: 'running', phase: 'exporting', read: 0, sent: 0 });

    const run = await untilFinished(h);
    expect(run).toMatchObject({ status: 'completed', phase: 'done', read: N + 1, failed: 0, error: null, total: N + 1 });
    expect(run.sent + run.skipped + run.failed).toBe(run.read);

    const { eligibleCustomers } = expectExactlyOnce(h, customers);
    // The guarded customer: edrone is never told "subscribed"; Shopify gets the newer unsubscribe instead.
    expect(tracesBy(h).email.get('guarded@example.com')).toBeUndefined();
    expect(h.shopify.control.getCustomer(h.shop, guarded.id)?.emailConsent.state).toBe('unsubscribed');
    expect(run.sent).toBe(eligibleCustomers + 1);

    // The bulk result was downloaded as one stream from the start.
    expect(h.shopify.control.bulkDownloads().map((d) => d.status)).toContain(200);

    // Activity: one row per write with origin backfill, no row per in-sync or never-sent customer, and a summary.
    const db = h.server.ctx.db.prisma;
    const sentRows = await db.activity.count({ where: { shopId: h.shop, origin: 'backfill', result: 'sent', target: 'edrone' } });
    expect(sentRows).toBe(h.edrone.traces.length);
    expect(await db.activity.count({ where: { shopId: h.shop, origin: 'backfill', result: 'skipped' } })).toBe(0);
    const summary = await db.activity.findFirst({ where: { shopId: h.shop, origin: 'backfill', channel: 'none' } });
    expect(summary?.reason).toContain(`read ${(N + 1).toLocaleString('en-US')} customers`);
  }, 180_000);

  it('a second run finds everything in sync and sends nothing', async () => {
    const before = h.edrone.traces.length;
    await h.http().post('/api/backfill').set('Authorization', `Bearer ${await h.token()}`).expect(202);
    const run = await untilFinished(h);
    expect(run).toMatchObject({ status: 'completed', read: N + 1, sent: 0, failed: 0, skipped: N + 1 });
    expect(h.edrone.traces.length).toBe(before);
  }, 180_000);

  it('answers 409 while a run is active, and cancel stops it', async () => {
    const auth = { Authorization: `Bearer ${await h.token()}` };
    h.shopify.control.bulkOperationDelayMs = 60_000; // the export stays running
    const first = await h.http().post('/api/backfill').set(auth);
    expect(first.status).toBe(202);
    const second = await h.http().post('/api/backfill').set(auth);
    expect(second.status).toBe(409);
    expect(second.body.run.id).toBe(first.body.run.id);

    await settleLong(h); // the export starts
    const cancel = await h.http().post('/api/backfill/cancel').set(auth);
    expect(cancel.status).toBe(202);
    expect(cancel.body.run).toMatchObject({ id: first.body.run.id, cancelRequested: true });
    const run = await untilFinished(h);
    expect(run).toMatchObject({ id: first.body.run.id, status: 'cancelled', read: 0 });

    // Nothing is running any more: cancel answers 409, and a new run may start.
    expect((await h.http().post('/api/backfill/cancel').set(auth)).status).toBe(409);
    h.shopify.control.bulkOperationDelayMs = 100;
  }, 60_000);

  it('cancel while sending stops between batches', async () => {
    const auth = { Authorization: `Bearer ${await h.token()}` };
    // New customers that need sending, so the run takes a while.
    h.shopify.control.seedCustomers(h.shop, 600, { emailStates: { subscribed: 1 }, prefix: 'late', consentUpdatedAt: '2026-03-02T10:00:00Z' });
    const before = h.edrone.traces.length;
    const started = await h.http().post('/api/backfill').set(auth);
    expect(started.status).toBe(202);
    let cancelled = false;
    const watcher = (async () => {
      for (let i = 0; i < 2000 && !cancelled; i++) {
        await sleep(25);
        if (h.edrone.traces.length - before >= 50) {
          const res = await h.http().post('/api/backfill/cancel').set(auth);
          cancelled = res.status === 202;
        }
      }
    })();
    const run = await untilFinished(h);
    await watcher;
    expect(cancelled).toBe(true);
    expect(run.status).toBe('cancelled');
    expect(run.read).toBeLessThan(N + 1 + 600);
    expect(h.edrone.traces.length - before).toBeLessThan(600);
    expect(run.sent).toBe(h.edrone.traces.length - before);
  }, 180_000);

  it('an outage mid-run fails the job; the retry continues from the saved offset and sends each customer once', async () => {
    const auth = { Authorization: `Bearer ${await h.token()}` };
    const fresh = h.shopify.control.seedCustomers(h.shop, 300, {
      emailStates: { subscribed: 1 },
      prefix: 'outage',
      consentUpdatedAt: '2026-03-03T10:00:00Z',
    });
    const before = h.edrone.traces.length;
    await h.http().post('/api/backfill').set(auth).expect(202);
    let injected = false;
    const watcher = (async () => {
      for (let i = 0; i < 4000 && !injected; i++) {
        await sleep(10);
        if (h.edrone.traces.length - before >= 40) {
          h.edrone.control.failNext(3, 503); // edrone is down for a moment: the job throws
          injected = true;
        }
      }
    })();
    const run = await untilFinished(h);
    await watcher;
    expect(injected).toBe(true);
    // What the cancelled run above left unsent is sent now as well. Customers of a failed batch that
    // finished after the failing one are read again on the retry and found in sync: nobody is sent
    // twice, but up to (concurrency - 1) of them count as skipped instead of sent, per failed
    // attempt. The three 503s may fail one attempt or, when the retry meets the rest, up to three.
    expect(run).toMatchObject({ status: 'completed', failed: 0 });
    const traced = h.edrone.traces.length - before;
    const outages = h.edrone.requests.filter((r) => r.response === 503).length;
    expect(outages).toBe(3);
    expect(run.sent).toBeLessThanOrEqual(traced);
    expect(run.sent).toBeGreaterThanOrEqual(traced - 7 * outages);
    const { email } = tracesBy(h);
    for (const c of fresh) expect(email.get(c.email!)).toEqual(['1']);
  }, 180_000);

  it('POST /api/backfill needs edrone credentials', async () => {
    const other = 'no-credentials.myshopify.com';
    const res = await h.http().post('/api/backfill').set('Authorization', `Bearer ${await h.token(other)}`);
    expect(res.status).toBe(400);
  });
});

describe('backfill resumes after a restart', () => {
  let h: Harness;
  let second: RunningServer | null = null;

  beforeAll(async () => {
    h = await startHarness({ env: { ...ENV, JOB_SLICE_MS: '60000' } });
    h.shopify.control.bulkOperationDelayMs = 50;
  });
  afterAll(async () => {
    // The first server is already closed: close the second, then the stand-ins and the database.
    await second?.close();
    await Promise.all([h.shopify.close(), h.edrone.close()]);
    await h.db.drop();
  });

  it('stopping the app mid-sending and starting a new one on the same database sends every eligible customer exactly once', async () => {
    const customers = h.shopify.control.seedCustomers(h.shop, N, { ...MIX, consentUpdatedAt: '2026-03-01T10:00:00Z', seed: 7 });
    await h.http().post('/api/backfill').set('Authorization', `Bearer ${await h.token()}`).expect(202);

    // Run the worker in the background and stop the whole app once a good part was sent.
    let stopping = false;
    const draining = (async () => {
      while (!stopping) {
        await h.server.ctx.worker.drain({ timeoutMs: 170_000 });
        await sleep(10);
      }
    })();
    let reached = false;
    for (let i = 0; i < 6000 && !reached; i++) {
      const run = await h.server.ctx.db.prisma.backfillRun.findFirstOrThrow({ where: { shopId: h.shop } });
      if (run.status !== 'running') throw new Error(`the run ended before the restart: ${JSON.stringify(run)}`);
      reached = run.phase === 'sending' && h.edrone.traces.length >= 150;
      if (!reached) await sleep(20);
    }
    expect(reached).toBe(true);
    stopping = true;
    await h.server.close();
    await draining;
    const sentBeforeRestart = h.edrone.traces.length;

    // The saved state: part of the file read, the job queued to continue.
    const { openDatabase } = await import('../../app/db/database.js');
    const db = await openDatabase(h.config.databaseUrl);
    const saved = await db.prisma.backfillRun.findFirstOrThrow({ where: { shopId: h.shop } });
    const job = await db.prisma.job.findUniqueOrThrow({ where: { id: saved.jobId! } });
    await db.close();
    expect(saved.status).toBe('running');
    expect(saved.lineOffset).toBeGreaterThan(0);
    expect(saved.lineOffset).toBeLessThan(N);
    expect(Number(saved.byteOffset)).toBeGreaterThan(0);
    expect(job.status).toBe('queued');

    // A new app on the same database finishes the run.
    second = await startServer(h.config, { host: '127.0.0.1' });
    h.shopify.control.webhookTarget = second.url;
    for (let i = 0; i < 100; i++) {
      await second.ctx.worker.drain({ timeoutMs: 120_000 });
      const run = await second.ctx.db.prisma.backfillRun.findFirstOrThrow({ where: { shopId: h.shop } });
      if (run.status !== 'running') break;
      await sleep(20);
    }
    const run = await getRun(h, second.url);
    expect(run).toMatchObject({ status: 'completed', read: N, failed: 0 });
    expect(h.edrone.traces.length).toBeGreaterThan(sentBeforeRestart);

    // The second download continued from the saved byte offset (HTTP Range).
    const ranges = h.shopify.control.bulkDownloads().map((d) => d.range);
    expect(ranges).toContain(`bytes=${saved.byteOffset}-`);

    const { eligibleCustomers } = expectExactlyOnce(h, customers);
    expect(run!.sent).toBe(eligibleCustomers);
    expect(run!.sent + run!.skipped).toBe(N);
  }, 180_000);
});
