// What happens when edrone or Shopify fail, hang or rate-limit: nothing is lost.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, EDRONE_APP_ID, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { EDRONE_TIMEOUT_MS: '2000', SHOPIFY_TIMEOUT_MS: '2000' } });
});
afterAll(async () => h?.close());
beforeEach(() => h.shopify.control.resetCalls());

/** Lets the backoff elapse: every queued job becomes due now. */
async function timePasses(): Promise<void> {
  await h.server.ctx.db.prisma.job.updateMany({ where: { status: 'queued' }, data: { runAt: new Date() } });
  await h.server.ctx.db.prisma.shop.updateMany({ data: { pausedUntil: null } });
}

async function unsubscribeInShopify(email: string): Promise<void> {
  const c = h.shopify.control.createCustomer({ shop: h.shop, email, emailState: 'subscribed' });
  h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'unsubscribed' });
  await h.shopify.control.webhooksIdle();
}

const tracesFor = (email: string) => h.edrone.traces.filter((t) => t.fields.email === email);
const jobs = () => h.server.ctx.db.prisma.job.findMany({ orderBy: { createdAt: 'desc' } });

describe('retries', () => {
  it('when edrone answers 500, the trace is retried later and then succeeds, once', async () => {
    h.edrone.control.failNext(1, 500);
    await unsubscribeInShopify('retry500@example.com');
    await h.settle();
    const [job] = await jobs();
    expect(job).toMatchObject({ status: 'queued', attempts: 1 });
    expect(job?.lastError).toMatch(/edrone/i);
    expect(job!.runAt.getTime()).toBeGreaterThan(Date.now());
    await timePasses();
    await h.settle();
    expect((await jobs())[0]?.status).toBe('done');
    expect(tracesFor('retry500@example.com')).toHaveLength(1);
  });

  it('when edrone never answers, the call times out and is retried', async () => {
    h.edrone.control.hangNext(1);
    await unsubscribeInShopify('hang@example.com');
    await h.settle();
    expect((await jobs())[0]).toMatchObject({ status: 'queued', attempts: 1 });
    await timePasses();
    await h.settle();
    expect(tracesFor('hang@example.com')).toHaveLength(1);
  });

  it('when Shopify answers 500 to the consent mutation, the edrone change is applied on retry', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'shop500@example.com', emailState: 'subscribed' });
    h.shopify.control.failNext(1, { status: 500 });
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'shop500@example.com', status: '0' });
    await h.settle();
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent?.state).toBe('subscribed');
    await timePasses();
    await h.settle();
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent?.state).toBe('unsubscribed');
  });

  it('when Shopify answers THROTTLED, the job waits without spending an attempt, and the shop is paused meanwhile', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'throttled@example.com', emailState: 'subscribed' });
    h.shopify.control.emptyBucket(h.shop, 1_500);
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'throttled@example.com', status: '0' });
    await h.server.ctx.worker.drain();
    const job = (await jobs()).find((j) => j.kind === 'edrone-event');
    expect(job).toMatchObject({ status: 'queued', attempts: 0 });
    expect(job?.lastError).toMatch(/slow down/);
    const shop = await h.server.ctx.db.prisma.shop.findUniqueOrThrow({ where: { id: h.shop } });
    expect(shop.pausedUntil!.getTime()).toBeGreaterThan(Date.now());
    // Once the bucket has refilled, the change goes through.
    await new Promise((r) => setTimeout(r, 2_000));
    await timePasses();
    await h.settle();
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent?.state).toBe('unsubscribed');
    expect(await h.server.ctx.db.prisma.job.count({ where: { status: 'queued' } })).toBe(0);
  });
});

describe('dead letters', () => {
  it('when a call always fails, the job ends dead with its error, shows as a failed activity, and a replay delivers it', async () => {
    h.edrone.control.failNext(100, 503);
    await unsubscribeInShopify('always@example.com');
    for (let i = 0; i < 10; i++) {
      await h.settle();
      await timePasses();
    }
    const [job] = await jobs();
    expect(job).toMatchObject({ status: 'dead', attempts: 8 });
    expect(job?.lastError).toBeTruthy();
    const failed = await h.server.ctx.db.prisma.activity.findFirst({ where: { jobId: job!.id, result: 'failed' } });
    expect(failed?.reason).toMatch(/Failures/);

    h.edrone.control.reset();
    h.edrone.control.registerApp(EDRONE_APP_ID, 'edrone-secret-xyz');
    const token = await h.token();
    const res = await h.http().post(`/api/failures/${job!.id}/retry`).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    await h.settle();
    expect((await h.server.ctx.db.prisma.job.findUniqueOrThrow({ where: { id: job!.id } })).status).toBe('done');
    expect(tracesFor('always@example.com')).toHaveLength(1);
  });

  it('a change that can never work (unknown App ID at edrone: 400) is dead-lettered at once, not retried', async () => {
    h.edrone.control.failNext(1, 400);
    await unsubscribeInShopify('perm@example.com');
    await h.settle();
    expect((await jobs())[0]).toMatchObject({ status: 'dead', attempts: 1 });
  });
});

describe('crashes', () => {
  it('a job claimed by a worker that died is run again once its lease expires, and its change is delivered once', async () => {
    await unsubscribeInShopify('crash@example.com');
    const { queue } = h.server.ctx;
    // A worker claims the job and dies before finishing it.
    const claimed = await queue.claim('dead-worker', 10);
    expect(claimed).toHaveLength(1);
    await h.settle();
    expect(tracesFor('crash@example.com')).toHaveLength(0);
    // The lease runs out; a live worker takes the job over.
    await h.server.ctx.db.prisma.job.update({ where: { id: claimed[0]!.id }, data: { leaseUntil: new Date(Date.now() - 1) } });
    await h.settle();
    expect(tracesFor('crash@example.com')).toHaveLength(1);
    // The dead worker cannot finish (or fail) the job it lost.
    await queue.complete(claimed[0]!);
    await queue.fail(claimed[0]!, 'late failure', true);
    expect((await h.server.ctx.db.prisma.job.findUniqueOrThrow({ where: { id: claimed[0]!.id } })).status).toBe('done');
  });

  it('a job whose worker died after it was carried out (before it was marked done) runs again without writing again, and says so', async () => {
    await unsubscribeInShopify('twice@example.com');
    await h.settle();
    expect(tracesFor('twice@example.com')).toHaveLength(1);
    const [job] = await h.server.ctx.db.prisma.job.findMany({ where: { payload: { contains: 'twice@example.com' } } });
    // As if the completion never reached the database: the lease ran out and the job is due again.
    await h.server.ctx.db.prisma.job.update({ where: { id: job!.id }, data: { status: 'queued', runAt: new Date(), lockedBy: null, leaseUntil: null } });
    await h.settle();
    expect((await h.server.ctx.db.prisma.job.findUniqueOrThrow({ where: { id: job!.id } })).status).toBe('done');
    expect(tracesFor('twice@example.com')).toHaveLength(1);
    const rows = await h.server.ctx.db.prisma.activity.findMany({ where: { identity: 'twice@example.com' }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => r.result)).toEqual(['sent', 'skipped']);
    expect(rows[1]?.reason).toMatch(/already handled/);
  });
});
