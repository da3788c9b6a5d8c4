// One bulk run per shop: the initial sync and a reconciliation never run at the same time (their
// counts would muddle each other), and the one refused says why. The reconciliation view carries
// the run in progress, queued then running with counts, so the Sync card can follow it to its end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
const auth = async () => ({ Authorization: `Bearer ${await h.token()}` });

beforeAll(async () => {
  h = await startHarness({ env: { RECONCILE_RUN_WAIT_MS: '0', BACKFILL_POLL_MS: '20' } });
});
afterAll(async () => h?.close());

describe('bulk runs', () => {
  it('a reconciliation is refused while the initial sync runs, and the view says why', async () => {
    h.shopify.control.bulkOperationDelayMs = 60_000; // the export stays in progress
    const started = await h.http().post('/api/backfill').set(await auth());
    expect(started.status).toBe(202);
    const refused = await h.http().post('/api/reconcile/run').set(await auth());
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('The initial sync is running for this store. A reconciliation can start once it has finished.');
    const view = await h.http().get('/api/reconcile').set(await auth());
    expect(view.body).toMatchObject({ running: false, currentRun: null, blockedBy: expect.stringContaining('initial sync is running') });
    const cancel = await h.http().post('/api/backfill/cancel').set(await auth());
    expect(cancel.status).toBe(202);
    for (let i = 0; i < 50; i++) {
      await h.settle();
      if ((await h.http().get('/api/backfill').set(await auth())).body.run.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await h.http().get('/api/backfill').set(await auth())).body.run.status).toBe('cancelled');
  });

  it('the initial sync is refused while a reconciliation runs; the run is followed from queued to finished', async () => {
    h.shopify.control.bulkOperationDelayMs = 10;
    for (let i = 0; i < 30; i++) h.shopify.control.createCustomer({ shop: h.shop, email: `bulk-${i}@example.com`, emailState: 'subscribed' });
    const run = await h.http().post('/api/reconcile/run').set(await auth());
    expect(run.status).toBe(202);
    const queued = await h.http().get('/api/reconcile').set(await auth());
    expect(queued.body).toMatchObject({ running: true, currentRun: { state: 'queued', checked: 0 }, blockedBy: null });
    const refused = await h.http().post('/api/backfill').set(await auth());
    expect(refused.status).toBe(409);
    expect(refused.body.error).toContain('A reconciliation is running for this store.');
    await h.settle();
    const done = await h.http().get('/api/reconcile').set(await auth());
    expect(done.body).toMatchObject({ running: false, currentRun: null, lastRun: { status: 'completed' } });
    expect(done.body.lastRun.checked).toBeGreaterThanOrEqual(30);
    expect((await h.http().post('/api/backfill').set(await auth())).status).toBe(202);
  });
});
