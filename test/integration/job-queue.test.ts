// The job table under several workers: every due job is claimed by exactly one,
// and one busy shop cannot starve the others.
import { beforeAll, describe, expect, it } from 'vitest';
import { createDataLayer, openDatabase, type Database } from '../../app/db/index.js';
import { heldJobs } from '../../app/sync/index.js';
import { createJobQueue, newJob, fairPick } from '../../app/queue/index.js';
import { useOpenDatabase } from '../helpers/test-database.js';

const database = useOpenDatabase();
let db: Database;
beforeAll(() => {
  db = database();
});

describe('claiming', () => {
  it('four workers claiming concurrently take each of 100 jobs exactly once', async () => {
    await db.prisma.job.deleteMany();
    await db.prisma.job.createMany({ data: Array.from({ length: 100 }, (_, i) => newJob(`shop-${i % 5}.myshopify.com`, 'shopify-webhook', { i })) });
    const queue = createJobQueue(db);
    const seen = new Map<string, string>();
    await Promise.all(
      ['w1', 'w2', 'w3', 'w4'].map(async (worker) => {
        for (;;) {
          const jobs = await queue.claim(worker, 7);
          if (jobs.length === 0) return;
          for (const j of jobs) {
            expect(seen.has(j.id), `job ${j.id} claimed by ${seen.get(j.id)} and ${worker}`).toBe(false);
            seen.set(j.id, worker);
            await queue.complete(j);
          }
        }
      }),
    );
    expect(seen.size).toBe(100);
    expect(await db.prisma.job.count({ where: { status: 'done' } })).toBe(100);
  });

  it('jobs of a shop whose Shopify access is paused are not claimed, other shops go on', async () => {
    await db.prisma.job.deleteMany();
    await db.prisma.shop.create({ data: { id: 'paused.myshopify.com', syncToken: 'tok-paused', pausedUntil: new Date(Date.now() + 60_000) } });
    await db.prisma.job.createMany({
      data: [newJob('paused.myshopify.com', 'edrone-event', {}), newJob('other.myshopify.com', 'edrone-event', {}), newJob('paused.myshopify.com', 'shopify-webhook', {})],
    });
    const claimed = await createJobQueue(db, { held: heldJobs(createDataLayer(db)) }).claim('w', 10);
    expect(claimed.map((j) => `${j.shopId}:${j.kind}`).sort()).toEqual(['other.myshopify.com:edrone-event', 'paused.myshopify.com:shopify-webhook']);
  });

  it('a claim takes jobs shop by shop, so 1,000 queued jobs of one store do not delay another store', async () => {
    await db.prisma.job.deleteMany();
    const old = new Date(Date.now() - 60_000);
    await db.prisma.job.createMany({ data: Array.from({ length: 1000 }, () => newJob('big.myshopify.com', 'shopify-webhook', {}, old)) });
    await db.prisma.job.create({ data: newJob('small.myshopify.com', 'shopify-webhook', {}) });
    const claimed = await createJobQueue(db).claim('w', 4);
    expect(claimed.map((j) => j.shopId)).toContain('small.myshopify.com');
  });
  it('a claim takes each shop\'s oldest due jobs, abandoned ones included, and leaves out held, skipped and future jobs and other lanes\' kinds', async () => {
    await db.prisma.job.deleteMany();
    const at = (s: number) => new Date(Date.now() - 600_000 + s * 1000);
    const job = (shop: string, kind: string, s: number, name: string) => ({ ...newJob(`${shop}.myshopify.com`, kind, { name }, at(s)) });
    await db.prisma.job.createMany({
      data: [
        job('a', 'shopify-webhook', 3, 'a3'),
        job('a', 'shopify-webhook', 1, 'a1'),
        job('a', 'shopify-webhook', 2, 'a2'),
        job('a', 'edrone-event', 0, 'a-other-lane'),
        job('b', 'shopify-webhook', 5, 'b5'),
        job('c', 'shopify-webhook', 0, 'c-skipped'),
        { ...job('d', 'shopify-webhook', 0, 'd-future'), runAt: new Date(Date.now() + 60_000) },
      ],
    });
    // A job of shop b whose worker died: its lease ran out, so it is due again (and older than b5).
    await db.prisma.job.create({ data: { ...job('b', 'shopify-webhook', 4, 'b4-abandoned'), status: 'running', lockedBy: 'dead-worker', leaseUntil: new Date(Date.now() - 1000) } });
    // Held: shop e's Shopify webhooks wait (as for a paused shop).
    await db.prisma.job.create({ data: job('e', 'shopify-webhook', 0, 'e-held') });
    const queue = createJobQueue(db, { held: async () => ({ shopIds: ['e.myshopify.com'], kinds: ['shopify-webhook'] }), heldKinds: ['shopify-webhook'] });
    const filter = { kinds: ['shopify-webhook'], skipShops: ['c.myshopify.com'], perShop: 2 };
    const claimed = await queue.claim('w', 3, new Date(), filter);
    const names = (jobs: typeof claimed) => jobs.map((j) => (JSON.parse(j.payload) as { name: string }).name).sort();
    // Every shop's oldest (a1, b4) before any shop's second (a2 is older than b5); at most two of one shop.
    expect(names(claimed)).toEqual(['a1', 'a2', 'b4-abandoned']);
    expect(names(await queue.claim('w', 10, new Date(), filter))).toEqual(['a3', 'b5']);
    expect(claimed.every((j) => j.status === 'running' && j.lockedBy?.startsWith('w:'))).toBe(true);
  });
});

describe('leases', () => {
  it('a job claimed again after its lease expired, even by the same worker, is no longer the first claim’s to finish', async () => {
    await db.prisma.job.deleteMany();
    await db.prisma.job.create({ data: newJob('lease.myshopify.com', 'shopify-webhook', {}) });
    const queue = createJobQueue(db, { leaseMs: 1_000 });
    const [first] = await queue.claim('w', 1);
    const [second] = await queue.claim('w', 1, new Date(Date.now() + 2_000));
    expect(second?.id).toBe(first?.id);
    await queue.fail(first!, 'the first claim timed out', true);
    expect(await db.prisma.job.findUniqueOrThrow({ where: { id: first!.id } })).toMatchObject({ status: 'running', attempts: 2 });
    await queue.complete(second!);
    expect(await db.prisma.job.findUniqueOrThrow({ where: { id: first!.id } })).toMatchObject({ status: 'done', lastError: null });
  });

  it('while a job runs longer than its lease, the worker keeps the lease, so nobody claims it twice', async () => {
    await db.prisma.job.deleteMany();
    await db.prisma.job.create({ data: newJob('slow.myshopify.com', 'shopify-webhook', {}) });
    const queue = createJobQueue(db, { leaseMs: 600 });
    const runs: string[] = [];
    const handler = async () => {
      runs.push('start');
      await new Promise((r) => setTimeout(r, 2_000));
    };
    const { createWorker } = await import('../../app/queue/index.js');
    const { createLogger } = await import('../../app/logger.js');
    const worker = createWorker({ queue, logger: createLogger('silent'), handlers: { 'shopify-webhook': handler } });
    const draining = worker.drain();
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await queue.claim('other-worker', 5)).toHaveLength(0);
    await draining;
    expect(runs).toEqual(['start']);
    expect(await db.prisma.job.findFirstOrThrow()).toMatchObject({ status: 'done', attempts: 1 });
  });
});

describe('fairPick', () => {
  it('interleaves shops in order of their oldest job', () => {
    const picked = fairPick(
      [{ shopId: 'a', n: 1 }, { shopId: 'a', n: 2 }, { shopId: 'a', n: 3 }, { shopId: 'b', n: 1 }, { shopId: 'c', n: 1 }],
      4,
    );
    expect(picked.map((p) => `${p.shopId}${p.n}`)).toEqual(['a1', 'b1', 'c1', 'a2']);
  });
});
