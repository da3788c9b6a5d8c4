// Bulk runs of a shop: the initial sync (BackfillRun) and reconciliations
// (ReconcileRun). At most one active run of each kind per shop (activeKey is
// unique); a run and the job that drives it are created in one transaction.
import { insertJob, newJob } from '../queue/index.js';
import { isUniqueViolation, type BackfillRun, type PrismaClient, type ReconcileRun } from './database.js';

export type { BackfillRun, ReconcileRun };
export type RunConflict = 'conflict';
/** The shop's other kind of bulk run is active (backfill and reconciliation are exclusive). */
export type OtherRunActive = 'other_running';

/** Short transactions, but a loaded database may make them wait. */
const TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 };

/** What one batch of an initial sync finished (added to the run's counters and resume point). */
export interface BackfillProgress {
  lines: number;
  bytes: number;
  read: number;
  sent: number;
  skipped: number;
  failed: number;
}

export function createBackfillRunsRepository(prisma: PrismaClient) {
  return {
    find: (id: string) => prisma.backfillRun.findUnique({ where: { id } }),
    get: (id: string) => prisma.backfillRun.findUniqueOrThrow({ where: { id } }),
    /** The shop's running run, if any. */
    active: (shopId: string) => prisma.backfillRun.findUnique({ where: { activeKey: shopId } }),
    latest: (shopId: string) => prisma.backfillRun.findFirst({ where: { shopId }, orderBy: [{ startedAt: 'desc' }, { id: 'desc' }] }),
    /** True once any initial sync of the shop finished (the setup guide's last step). */
    everCompleted: async (shopId: string) => (await prisma.backfillRun.count({ where: { shopId, status: 'completed' } })) > 0,
    /** Creates the run and its job ('conflict' while another run of the shop is active). */
    async start(shopId: string, jobKind: string, now: Date): Promise<BackfillRun | RunConflict | OtherRunActive> {
      try {
        return await prisma.$transaction(async (tx) => {
          // One bulk run per shop: the two runs' counts would muddle each other.
          if (await tx.reconcileRun.findUnique({ where: { activeKey: shopId }, select: { id: true } })) return 'other_running' as const;
          const run = await tx.backfillRun.create({ data: { shopId, activeKey: shopId, startedAt: now } });
          const job = newJob(shopId, jobKind, { runId: run.id }, now);
          await insertJob(tx, job);
          return tx.backfillRun.update({ where: { id: run.id }, data: { jobId: job.id } });
        }, TX_OPTIONS);
      } catch (e) {
        if (isUniqueViolation(e)) return 'conflict';
        throw e;
      }
    },
    async requestCancel(id: string): Promise<void> {
      await prisma.backfillRun.updateMany({ where: { id, status: 'running' }, data: { cancelRequested: true } });
    },
    /** Ends a running run; null when it had ended already. */
    async finish(id: string, status: 'completed' | 'cancelled' | 'failed', error: string | null, now: Date): Promise<BackfillRun | null> {
      const { count } = await prisma.backfillRun.updateMany({
        where: { id, status: 'running' },
        data: { status, activeKey: null, finishedAt: now, error, ...(status === 'completed' ? { phase: 'done' } : {}) },
      });
      return count === 0 ? null : prisma.backfillRun.findUniqueOrThrow({ where: { id } });
    },
    async setBulkOperation(id: string, bulkOperationId: string): Promise<void> {
      await prisma.backfillRun.update({ where: { id }, data: { bulkOperationId } });
    },
    async exportFinished(id: string, resultUrl: string | null, objectCount: number): Promise<void> {
      await prisma.backfillRun.update({ where: { id }, data: { phase: resultUrl ? 'sending' : 'done', resultUrl, objectCount } });
    },
    /** Adds a batch's progress, only while `jobId` still drives the running run. */
    async addProgress(id: string, jobId: string, p: BackfillProgress): Promise<void> {
      await prisma.backfillRun.updateMany({
        where: { id, jobId, status: 'running' },
        data: {
          lineOffset: { increment: p.lines },
          byteOffset: { increment: BigInt(p.bytes) },
          read: { increment: p.read },
          sent: { increment: p.sent },
          skipped: { increment: p.skipped },
          failed: { increment: p.failed },
        },
      });
    },
    /** What a run checks between batches. */
    control: (id: string) => prisma.backfillRun.findUnique({ where: { id }, select: { cancelRequested: true, status: true, jobId: true } }),
    activeRuns: () => prisma.backfillRun.findMany({ where: { activeKey: { not: null } }, select: { id: true, jobId: true } }),
  };
}

/** Where a new reconciliation starts reading: the previous completed run's start, else the install, minus the overlap. */
async function sinceFor(tx: Pick<PrismaClient, 'reconcileRun' | 'shop'>, shopId: string, overlapMs: number): Promise<Date> {
  const previous = await tx.reconcileRun.findFirst({
    where: { shopId, status: 'completed' },
    orderBy: { startedAt: 'desc' },
    select: { startedAt: true },
  });
  const shop = await tx.shop.findUniqueOrThrow({ where: { id: shopId }, select: { installedAt: true } });
  return new Date((previous?.startedAt ?? shop.installedAt).getTime() - overlapMs);
}

export interface ReconcileEnqueue {
  shopId: string;
  trigger: 'schedule' | 'manual' | 'cli';
  jobKind: string;
  now: Date;
  overlapMs: number;
  /** The scheduler's conditional update: queue only when the shop's interval has passed. */
  onlyIfDue?: { intervalMinutes: number };
}

/** One page of a reconciliation: what it found, and where the next page starts. */
export interface ReconcilePage {
  checked: number;
  repaired: number;
  failed: number;
  /** Restart the query from this update time (Shopify's pagination limit), or continue after `cursor`. */
  next: { queryFrom: Date } | { cursor: string | null };
}

export function createReconcileRunsRepository(prisma: PrismaClient) {
  return {
    find: (id: string) => prisma.reconcileRun.findUnique({ where: { id } }),
    get: (id: string) => prisma.reconcileRun.findUniqueOrThrow({ where: { id } }),
    active: (shopId: string) => prisma.reconcileRun.findUnique({ where: { activeKey: shopId } }),
    lastFinished: (shopId: string) =>
      prisma.reconcileRun.findFirst({ where: { shopId, status: { in: ['completed', 'failed'] } }, orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }] }),
    /**
     * Queues a run: run, job and Shop.lastReconciledAt in one transaction. null when the shop
     * is not due (onlyIfDue) or another scheduler just queued it; 'conflict' while one is pending.
     */
    async enqueue(e: ReconcileEnqueue): Promise<ReconcileRun | RunConflict | OtherRunActive | null> {
      const { shopId, now } = e;
      try {
        return await prisma.$transaction(async (tx) => {
          // One bulk run per shop: while the initial sync runs, the scheduler waits and "Run now" is refused.
          if (await tx.backfillRun.findUnique({ where: { activeKey: shopId }, select: { id: true } })) {
            return e.onlyIfDue ? null : ('other_running' as const);
          }
          if (e.onlyIfDue) {
            const cutoff = new Date(now.getTime() - e.onlyIfDue.intervalMinutes * 60_000);
            const { count } = await tx.shop.updateMany({
              where: {
                id: shopId,
                uninstalledAt: null,
                OR: [{ lastReconciledAt: { lte: cutoff } }, { lastReconciledAt: null, installedAt: { lte: cutoff } }],
              },
              data: { lastReconciledAt: now },
            });
            if (count === 0) return null;
          } else {
            await tx.shop.update({ where: { id: shopId }, data: { lastReconciledAt: now } });
          }
          const since = await sinceFor(tx, shopId, e.overlapMs);
          const run = await tx.reconcileRun.create({ data: { shopId, activeKey: shopId, trigger: e.trigger, since, startedAt: now } });
          const job = newJob(shopId, e.jobKind, { runId: run.id }, now);
          await insertJob(tx, job);
          return tx.reconcileRun.update({ where: { id: run.id }, data: { jobId: job.id } });
        }, TX_OPTIONS);
      } catch (err) {
        if (isUniqueViolation(err)) return e.onlyIfDue ? null : 'conflict';
        throw err;
      }
    },
    recordPage(id: string, p: ReconcilePage): Promise<ReconcileRun> {
      return prisma.reconcileRun.update({
        where: { id },
        data: {
          checked: { increment: p.checked },
          repaired: { increment: p.repaired },
          failed: { increment: p.failed },
          ...('queryFrom' in p.next
            ? { queryFrom: p.next.queryFrom, cursor: null, queryCount: 0 }
            : { cursor: p.next.cursor, queryCount: { increment: p.checked } }),
        },
      });
    },
    /** Ends a running run; null when it had ended already. */
    async finish(id: string, status: 'completed' | 'failed', error: string | null, now: Date): Promise<ReconcileRun | null> {
      const { count } = await prisma.reconcileRun.updateMany({
        where: { id, status: 'running' },
        data: { status, activeKey: null, finishedAt: now, error },
      });
      return count === 0 ? null : prisma.reconcileRun.findUniqueOrThrow({ where: { id } });
    },
    activeRuns: () => prisma.reconcileRun.findMany({ where: { activeKey: { not: null } }, select: { id: true, jobId: true } }),
  };
}

export type BackfillRunsRepository = ReturnType<typeof createBackfillRunsRepository>;
export type ReconcileRunsRepository = ReturnType<typeof createReconcileRunsRepository>;
