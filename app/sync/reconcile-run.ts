// Reconciliation's run bookkeeping: queueing (by the scheduler, the admin or
// the command line), finishing with a summary in Activity, the schedule, the
// sweep of runs whose job is gone, and the view the admin shows.
import { RECONCILE_INTERVAL_MINUTES } from '../api-contract/index.js';
import { isConfigured, type DataLayer, type ReconcileRun } from '../db/index.js';
import type { JobQueue } from '../queue/index.js';
import { ConflictError, InputError } from '../errors.js';
import { recordActivity } from './activity.js';
import { JOB_KINDS } from './job-payloads.js';

/** Counts as the admin shows them (8,739): the server does not know the merchant's locale. */
const COUNT = new Intl.NumberFormat('en-US');
const count = (n: number): string => COUNT.format(n);

export const DEFAULT_RECONCILE_INTERVAL_MINUTES = 360;
export const MIN_RECONCILE_INTERVAL_MINUTES = RECONCILE_INTERVAL_MINUTES.min;
export const MAX_RECONCILE_INTERVAL_MINUTES = RECONCILE_INTERVAL_MINUTES.max;
/** Each run reads a little before the previous one started: clocks differ, and Shopify's times are to the second. */
export const RECONCILE_OVERLAP_MS = 5 * 60_000;

export type ReconcileTrigger = 'schedule' | 'manual' | 'cli';
export type ReconcileRunRow = ReconcileRun;

export class ReconcileConflictError extends ConflictError {
  constructor(message = 'A reconciliation is already running for this store.', details?: Record<string, unknown>) {
    super('reconcile_conflict', message, details);
  }
}

/** When the shop's next reconciliation is due: one interval after the last (or after install). */
export function nextReconcileAt(shop: { lastReconciledAt: Date | null; installedAt: Date; reconcileIntervalMinutes: number }): Date {
  return new Date((shop.lastReconciledAt ?? shop.installedAt).getTime() + shop.reconcileIntervalMinutes * 60_000);
}

/**
 * Queues a reconciliation: run, job and Shop.lastReconciledAt in one transaction.
 * `onlyIfDue`: the scheduler's conditional update; null when the shop is not due
 * (or another scheduler just queued it). ReconcileConflictError while one is pending.
 */
export async function enqueueReconcile(
  data: Pick<DataLayer, 'reconcileRuns'>,
  shopId: string,
  trigger: ReconcileTrigger,
  options: { now?: Date; onlyIfDue?: { intervalMinutes: number } } = {},
): Promise<ReconcileRun | null> {
  const run = await data.reconcileRuns.enqueue({
    shopId,
    trigger,
    jobKind: JOB_KINDS.reconcile,
    now: options.now ?? new Date(),
    overlapMs: RECONCILE_OVERLAP_MS,
    onlyIfDue: options.onlyIfDue,
  });
  if (run === 'conflict') throw new ReconcileConflictError();
  if (run === 'other_running') {
    throw new ReconcileConflictError('The initial sync is running for this store. A reconciliation can start once it has finished.');
  }
  return run;
}

/** The scheduler's pass: queues a run for every configured, installed shop that is due. Returns the shops queued. */
export async function scheduleDueReconciliations(data: Pick<DataLayer, 'shops' | 'reconcileRuns'>, now = new Date()): Promise<string[]> {
  const queued: string[] = [];
  for (const shop of await data.shops.reconcilable()) {
    if (nextReconcileAt(shop) > now) continue;
    const run = await enqueueReconcile(data, shop.id, 'schedule', { now, onlyIfDue: { intervalMinutes: shop.reconcileIntervalMinutes } });
    if (run) queued.push(shop.id);
  }
  return queued;
}

/**
 * Active runs whose job is gone (deleted, or finished without ending the run):
 * they would block their shop forever, so they end as failed.
 */
export async function sweepOrphanRuns(deps: { data: Pick<DataLayer, 'reconcileRuns' | 'backfillRuns' | 'activity'>; queue: JobQueue }, now = new Date()): Promise<number> {
  const { data } = deps;
  const [reconciles, backfills] = await Promise.all([data.reconcileRuns.activeRuns(), data.backfillRuns.activeRuns()]);
  const live = await deps.queue.live([...reconciles, ...backfills].map((r) => r.jobId).filter((id): id is string => id !== null));
  const message = 'The run was interrupted (its job no longer exists).';
  let swept = 0;
  for (const r of reconciles) {
    if (r.jobId && live.has(r.jobId)) continue;
    await finishReconcile(data, r.id, 'failed', message, now);
    swept++;
  }
  for (const r of backfills) {
    if (r.jobId && live.has(r.jobId)) continue;
    if (await data.backfillRuns.finish(r.id, 'failed', message, now)) swept++;
  }
  return swept;
}

export async function finishReconcile(
  data: Pick<DataLayer, 'reconcileRuns' | 'activity'>,
  runId: string,
  status: 'completed' | 'failed',
  error: string | null = null,
  now = new Date(),
): Promise<void> {
  const run = await data.reconcileRuns.finish(runId, status, error, now);
  if (!run) return;
  // A run that found everything in sync leaves no row: repairs are listed one by one already.
  if (status === 'completed' && run.repaired === 0 && run.failed === 0) return;
  await recordActivity(data, {
    shopId: run.shopId,
    jobId: run.jobId,
    origin: 'reconcile',
    target: 'edrone',
    channel: 'none',
    result: status === 'failed' ? 'failed' : 'recorded',
    reason:
      status === 'failed'
        ? `Reconciliation stopped after checking ${count(run.checked)} customers: ${error ?? 'unknown error'}`
        : `Reconciliation checked ${count(run.checked)} customers changed since ${run.since.toISOString()}; repaired ${count(run.repaired)}, failed ${count(run.failed)}.`,
  });
}

export interface ReconcileView {
  intervalMinutes: number;
  lastRunAt: string | null;
  nextRunAt: string | null;
  lastRun: { checked: number; repaired: number; at: string; status: 'completed' | 'failed'; failed: number; error: string | null } | null;
  running: boolean;
  /** The run in progress, with its counts so far (null when none). */
  currentRun: ReturnType<typeof runView> | null;
  /** Why "Run now" cannot start now (another bulk run of the shop is going), in merchant words. */
  blockedBy: string | null;
}

export async function reconcileView(data: Pick<DataLayer, 'shops' | 'reconcileRuns' | 'backfillRuns'>, shopId: string): Promise<ReconcileView> {
  const [shop, last, active, backfill] = await Promise.all([
    data.shops.get(shopId),
    data.reconcileRuns.lastFinished(shopId),
    data.reconcileRuns.active(shopId),
    data.backfillRuns.active(shopId),
  ]);
  return {
    intervalMinutes: shop.reconcileIntervalMinutes,
    lastRunAt: shop.lastReconciledAt?.toISOString() ?? null,
    nextRunAt: shop.uninstalledAt ? null : nextReconcileAt(shop).toISOString(),
    lastRun: last ? runSummary(last) : null,
    running: active !== null,
    currentRun: active ? runView(active) : null,
    blockedBy: backfill ? 'The initial sync is running. A reconciliation can start once it has finished.' : null,
  };
}

export function runSummary(run: ReconcileRun): NonNullable<ReconcileView['lastRun']> {
  return {
    checked: run.checked,
    repaired: run.repaired,
    at: (run.finishedAt ?? run.updatedAt).toISOString(),
    status: run.status === 'failed' ? 'failed' : 'completed',
    failed: run.failed,
    error: run.error,
  };
}

/** The run as POST /api/reconcile/run shows it. */
export function runView(run: ReconcileRun) {
  // Nothing read yet: the worker has not picked the run up (or is reading the first page).
  const queued = run.status === 'running' && run.checked === 0 && run.cursor === null && run.queryFrom === null;
  return {
    id: run.id,
    status: run.status,
    state: queued ? ('queued' as const) : (run.status as 'running' | 'completed' | 'failed'),
    trigger: run.trigger,
    since: run.since.toISOString(),
    checked: run.checked,
    repaired: run.repaired,
    failed: run.failed,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    error: run.error,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The admin's "Run now": queues a run and waits up to `waitMs` for it, so most
 * answers carry the result. `finished` false: still running when the wait ended.
 */
export async function runReconcileNow(
  deps: { data: Pick<DataLayer, 'shops' | 'reconcileRuns'>; wakeWorker(): void },
  shopId: string,
  waitMs: number,
): Promise<{ finished: boolean; lastRun: ReturnType<typeof runSummary> | null; run: ReturnType<typeof runView> }> {
  const { data } = deps;
  if (!isConfigured(await data.shops.get(shopId))) throw new InputError('Enter your edrone App ID and App Secret in Setup before reconciling.');
  let run: ReconcileRun | null;
  try {
    run = await enqueueReconcile(data, shopId, 'manual');
  } catch (e) {
    if (!(e instanceof ReconcileConflictError)) throw e;
    const active = await data.reconcileRuns.active(shopId);
    throw new ReconcileConflictError(e.merchantMessage, { run: active ? runView(active) : null });
  }
  if (!run) throw new Error('reconciliation was not queued');
  deps.wakeWorker();
  const deadline = Date.now() + waitMs;
  let current = run;
  while (current.status === 'running' && Date.now() < deadline) {
    await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
    current = (await data.reconcileRuns.find(run.id)) ?? current;
  }
  const finished = current.status !== 'running';
  return { finished, lastRun: finished ? runSummary(current) : null, run: runView(current) };
}

/** Sets the interval between scheduled runs; returns the new view. */
export async function setReconcileInterval(data: Pick<DataLayer, 'shops' | 'reconcileRuns' | 'backfillRuns'>, shopId: string, minutes: number) {
  await data.shops.setReconcileInterval(shopId, minutes);
  return reconcileView(data, shopId);
}
