// Reconciliation: webhooks are not guaranteed (Shopify: "implement
// reconciliation jobs"), so every Shop.reconcileIntervalMinutes the app reads
// the customers Shopify changed since the previous reconciliation
// (customers(query: "updated_at:>'…'"), 250 a page) and passes each through
// syncShopifyConsent with origin 'reconcile'. The rules skip whatever is
// already in sync, so only what no webhook delivered is written ("repaired").
//
// At most one pending reconciliation per shop: ReconcileRun.activeKey is unique
// while a run is active. The scheduler moves Shop.lastReconciledAt with a
// conditional update, so several worker processes schedule each run once.
import { z } from 'zod';
import { isUniqueViolation, type PrismaClient } from '../db/database.js';
import type { ShopRow } from '../db/shop-repository.js';
import type { Logger } from '../logger.js';
import { AppError, PermanentError } from '../errors.js';
import { newJob, type Job } from '../queue/job-queue.js';
import type { JobContext, JobHandler, JobResult } from '../queue/worker.js';
import { recordActivity } from './activity.js';
import { neverTouchedKeys, syncCustomerConsent, withoutRows } from './customer-consent.js';
import type { SyncDeps } from './sync-deps.js';

export const DEFAULT_RECONCILE_INTERVAL_MINUTES = 360;
export const MIN_RECONCILE_INTERVAL_MINUTES = 15;
export const MAX_RECONCILE_INTERVAL_MINUTES = 10_080;
/** Each run reads a little before the previous one started: clocks differ, and Shopify's times are to the second. */
export const RECONCILE_OVERLAP_MS = 5 * 60_000;
/** Shopify paginates at most 25,000 objects per query: restart the query from the last update read before that. */
export const MAX_OBJECTS_PER_QUERY = 20_000;

export type ReconcileTrigger = 'schedule' | 'manual' | 'cli';
export type ReconcileRunRow = NonNullable<Awaited<ReturnType<PrismaClient['reconcileRun']['findUnique']>>>;

export class ReconcileConflictError extends AppError {
  constructor(message = 'A reconciliation is already running for this store.') {
    super('reconcile_conflict', message, { retriable: false, httpStatus: 409 });
  }
}

/** Short transactions, but a loaded database may make them wait. */
const TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 };


/** When the shop's next reconciliation is due: one interval after the last (or after install). */
export function nextReconcileAt(shop: { lastReconciledAt: Date | null; installedAt: Date; reconcileIntervalMinutes: number }): Date {
  return new Date((shop.lastReconciledAt ?? shop.installedAt).getTime() + shop.reconcileIntervalMinutes * 60_000);
}

/** Where a new run starts reading: the previous completed run's start, else the install, minus the overlap. */
async function sinceFor(tx: Pick<PrismaClient, 'reconcileRun' | 'shop'>, shopId: string): Promise<Date> {
  const previous = await tx.reconcileRun.findFirst({
    where: { shopId, status: 'completed' },
    orderBy: { startedAt: 'desc' },
    select: { startedAt: true },
  });
  const shop = await tx.shop.findUniqueOrThrow({ where: { id: shopId }, select: { installedAt: true } });
  return new Date((previous?.startedAt ?? shop.installedAt).getTime() - RECONCILE_OVERLAP_MS);
}

/**
 * Queues a reconciliation: run, job and Shop.lastReconciledAt in one transaction.
 * `onlyIfDue`: the scheduler's conditional update; null when the shop is not due
 * (or another scheduler just queued it). ReconcileConflictError while one is pending.
 */
export async function enqueueReconcile(
  prisma: PrismaClient,
  shopId: string,
  trigger: ReconcileTrigger,
  options: { now?: Date; onlyIfDue?: { intervalMinutes: number } } = {},
): Promise<ReconcileRunRow | null> {
  const now = options.now ?? new Date();
  try {
    return await prisma.$transaction(async (tx) => {
      if (options.onlyIfDue) {
        const cutoff = new Date(now.getTime() - options.onlyIfDue.intervalMinutes * 60_000);
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
      const since = await sinceFor(tx, shopId);
      const run = await tx.reconcileRun.create({ data: { shopId, activeKey: shopId, trigger, since, startedAt: now } });
      const job = newJob(shopId, 'reconcile', { runId: run.id }, now);
      await tx.job.create({ data: job });
      return tx.reconcileRun.update({ where: { id: run.id }, data: { jobId: job.id } });
    }, TX_OPTIONS);
  } catch (e) {
    if (isUniqueViolation(e)) {
      if (options.onlyIfDue) return null;
      throw new ReconcileConflictError();
    }
    throw e;
  }
}

/** The scheduler's pass: queues a run for every configured, installed shop that is due. Returns the shops queued. */
export async function scheduleDueReconciliations(prisma: PrismaClient, now = new Date()): Promise<string[]> {
  const shops = await prisma.shop.findMany({
    where: { uninstalledAt: null, blockedReason: null, edroneAppId: { not: null }, edroneAppSecretEnc: { not: null } },
    select: { id: true, reconcileIntervalMinutes: true, lastReconciledAt: true, installedAt: true },
  });
  const queued: string[] = [];
  for (const shop of shops) {
    if (nextReconcileAt(shop) > now) continue;
    const run = await enqueueReconcile(prisma, shop.id, 'schedule', { now, onlyIfDue: { intervalMinutes: shop.reconcileIntervalMinutes } });
    if (run) queued.push(shop.id);
  }
  return queued;
}

/**
 * Active runs whose job is gone (deleted, or finished without ending the run):
 * they would block their shop forever, so they end as failed.
 */
export async function sweepOrphanRuns(prisma: PrismaClient, now = new Date()): Promise<number> {
  const [reconciles, backfills] = await Promise.all([
    prisma.reconcileRun.findMany({ where: { activeKey: { not: null } }, select: { id: true, jobId: true } }),
    prisma.backfillRun.findMany({ where: { activeKey: { not: null } }, select: { id: true, jobId: true } }),
  ]);
  const jobIds = [...reconciles, ...backfills].map((r) => r.jobId).filter((id): id is string => id !== null);
  const live = new Set(
    (await prisma.job.findMany({ where: { id: { in: jobIds }, status: { in: ['queued', 'running'] } }, select: { id: true } })).map((j) => j.id),
  );
  const message = 'The run was interrupted (its job no longer exists).';
  let swept = 0;
  for (const r of reconciles) {
    if (r.jobId && live.has(r.jobId)) continue;
    await finishReconcile(prisma, r.id, 'failed', message, now);
    swept++;
  }
  for (const r of backfills) {
    if (r.jobId && live.has(r.jobId)) continue;
    const { count } = await prisma.backfillRun.updateMany({
      where: { id: r.id, status: 'running' },
      data: { status: 'failed', activeKey: null, finishedAt: now, error: message },
    });
    swept += count;
  }
  return swept;
}

export async function finishReconcile(
  prisma: PrismaClient,
  runId: string,
  status: 'completed' | 'failed',
  error: string | null = null,
  now = new Date(),
): Promise<void> {
  const { count } = await prisma.reconcileRun.updateMany({
    where: { id: runId, status: 'running' },
    data: { status, activeKey: null, finishedAt: now, error },
  });
  if (count === 0) return;
  const run = await prisma.reconcileRun.findUniqueOrThrow({ where: { id: runId } });
  // A run that found everything in sync leaves no row: repairs are listed one by one already.
  if (status === 'completed' && run.repaired === 0 && run.failed === 0) return;
  await recordActivity(prisma, {
    shopId: run.shopId,
    jobId: run.jobId,
    origin: 'reconcile',
    target: 'edrone',
    channel: 'none',
    result: status === 'failed' ? 'failed' : 'recorded',
    reason:
      status === 'failed'
        ? `Reconciliation stopped after checking ${run.checked} customers: ${error ?? 'unknown error'}`
        : `Reconciliation checked ${run.checked} customers changed since ${run.since.toISOString()}; repaired ${run.repaired}, failed ${run.failed}.`,
  });
}

export interface ReconcileView {
  intervalMinutes: number;
  lastRunAt: string | null;
  nextRunAt: string | null;
  lastRun: { checked: number; repaired: number; at: string; status: 'completed' | 'failed'; failed: number; error: string | null } | null;
  running: boolean;
}

export async function reconcileView(prisma: PrismaClient, shopId: string): Promise<ReconcileView> {
  const [shop, last, active] = await Promise.all([
    prisma.shop.findUniqueOrThrow({ where: { id: shopId } }),
    prisma.reconcileRun.findFirst({ where: { shopId, status: { in: ['completed', 'failed'] } }, orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }] }),
    prisma.reconcileRun.findUnique({ where: { activeKey: shopId }, select: { id: true } }),
  ]);
  return {
    intervalMinutes: shop.reconcileIntervalMinutes,
    lastRunAt: shop.lastReconciledAt?.toISOString() ?? null,
    nextRunAt: shop.uninstalledAt ? null : nextReconcileAt(shop).toISOString(),
    lastRun: last ? runSummary(last) : null,
    running: active !== null,
  };
}

export function runSummary(run: ReconcileRunRow): NonNullable<ReconcileView['lastRun']> {
  return {
    checked: run.checked,
    repaired: run.repaired,
    at: (run.finishedAt ?? run.updatedAt).toISOString(),
    status: run.status === 'failed' ? 'failed' : 'completed',
    failed: run.failed,
    error: run.error,
  };
}

// ---------------------------------------------------------------------------
// The job

const payloadSchema = z.object({ runId: z.string() });

export interface ReconcileOptions {
  /** Customers processed at once within a page. */
  concurrency: number;
  sliceMs: number;
  pageSize?: number;
  maxObjectsPerQuery?: number;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn'>;
}

export function createReconcileHandler(deps: SyncDeps, options: ReconcileOptions): JobHandler {
  const { prisma } = deps;
  const pageSize = options.pageSize ?? 250;
  const maxPerQuery = options.maxObjectsPerQuery ?? MAX_OBJECTS_PER_QUERY;

  return async (job: Job, jc: JobContext): Promise<JobResult> => {
    const { runId } = payloadSchema.parse(JSON.parse(job.payload));
    let run = await prisma.reconcileRun.findUnique({ where: { id: runId } });
    if (!run || run.status !== 'running' || run.jobId !== job.id) return;
    const shop = await prisma.shop.findUnique({ where: { id: job.shopId } });
    if (!shop || shop.uninstalledAt) return finishReconcile(prisma, run.id, 'failed', 'The app was uninstalled from this store.');

    const deadline = Date.now() + options.sliceMs;
    try {
      const client = await deps.adminClientFor(shop.id);
      for (;;) {
        const from = run.queryFrom ?? run.since;
        const page = await client.customersUpdatedSince(from, run.cursor, { inclusive: run.queryFrom !== null, first: pageSize });
        const outcomes = await processPage(shop, job, page.customers);
        const repaired = outcomes.reduce((n, o) => n + o.sent, 0);
        const failed = outcomes.reduce((n, o) => n + (o.failed > 0 ? 1 : 0), 0);
        const last = page.customers.at(-1);
        // Close to Shopify's pagination limit: start a new query from the last update read.
        const restartFrom: string | null =
          page.hasNextPage &&
          run.queryCount + page.customers.length >= maxPerQuery &&
          last?.updatedAt &&
          Date.parse(last.updatedAt) > (run.queryFrom ?? run.since).getTime()
            ? last.updatedAt
            : null;
        run = await prisma.reconcileRun.update({
          where: { id: run.id },
          data: {
            checked: { increment: page.customers.length },
            repaired: { increment: repaired },
            failed: { increment: failed },
            ...(restartFrom
              ? { queryFrom: new Date(restartFrom), cursor: null, queryCount: 0 }
              : { cursor: page.endCursor, queryCount: { increment: page.customers.length } }),
          },
        });
        if (!page.hasNextPage) {
          await finishReconcile(prisma, run.id, 'completed');
          return;
        }
        if (jc.signal.aborted || Date.now() >= deadline) return { rescheduleAt: new Date() };
        if (!(await jc.heartbeat())) return;
      }
    } catch (e) {
      if (e instanceof PermanentError) {
        await finishReconcile(prisma, run.id, 'failed', e.merchantMessage);
        return;
      }
      throw e;
    }
  };

  /** All customers of a page, `concurrency` at a time; the first run-stopping error is thrown after the others finish. */
  async function processPage(shop: ShopRow, job: Job, customers: Parameters<typeof syncCustomerConsent>[2][]) {
    const outcomes: Awaited<ReturnType<typeof syncCustomerConsent>>[] = [];
    let error: unknown = null;
    const absent = await withoutRows(deps, shop.id, neverTouchedKeys(customers));
    let next = 0;
    const worker = async () => {
      while (error === null && next < customers.length) {
        const customer = customers[next++]!;
        try {
          outcomes.push(await syncCustomerConsent(deps, shop, customer, 'reconcile', job.id, absent));
        } catch (e) {
          error ??= e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, Math.max(customers.length, 1)) }, worker));
    if (error !== null) throw error;
    return outcomes;
  }
}
