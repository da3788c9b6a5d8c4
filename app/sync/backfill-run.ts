// The initial sync's run bookkeeping: start, cancel, finish (with its summary
// in Activity) and the view the admin and the command line show.
import { isConfigured, type BackfillRun, type DataLayer } from '../db/index.js';
import type { JobQueue } from '../queue/index.js';
import { ConflictError, InputError } from '../errors.js';
import { recordActivity } from './activity.js';
import { JOB_KINDS } from './job-payloads.js';

/** Counts as the admin shows them (8,739): the server does not know the merchant's locale. */
const COUNT = new Intl.NumberFormat('en-US');
const count = (n: number): string => COUNT.format(n);

export type BackfillStatus = 'running' | 'completed' | 'cancelled' | 'failed';
export type BackfillPhase = 'exporting' | 'sending' | 'done';

/** GET /api/backfill's `run`. */
export interface BackfillRunView {
  id: string;
  status: BackfillStatus;
  phase: BackfillPhase;
  read: number;
  sent: number;
  skipped: number;
  failed: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  /** A cancel was asked for and is applied at the next batch. */
  cancelRequested: boolean;
  /** Customers in the export, once Shopify finished it (null before). */
  total: number | null;
}

export function backfillView(run: BackfillRun): BackfillRunView {
  return {
    id: run.id,
    status: run.status as BackfillStatus,
    phase: run.phase as BackfillPhase,
    read: run.read,
    sent: run.sent,
    skipped: run.skipped,
    failed: run.failed,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    error: run.error,
    cancelRequested: run.cancelRequested,
    total: run.objectCount,
  };
}

export class BackfillConflictError extends ConflictError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('backfill_conflict', message, details);
  }
}

/** Starts a run (row and job in one transaction). BackfillConflictError while one is active. */
export async function startBackfill(data: Pick<DataLayer, 'backfillRuns'>, shopId: string, now = new Date()): Promise<BackfillRun> {
  const run = await data.backfillRuns.start(shopId, JOB_KINDS.backfill, now);
  if (run === 'conflict') throw new BackfillConflictError('An initial sync is already running for this store.');
  if (run === 'other_running') {
    throw new BackfillConflictError('A reconciliation is running for this store. Start the initial sync when it has finished; the Sync tab shows its progress.');
  }
  return run;
}

/** Asks the active run to stop at its next batch; its job runs now to notice. */
export async function cancelBackfill(deps: { data: Pick<DataLayer, 'backfillRuns'>; queue: JobQueue }, shopId: string, now = new Date()): Promise<BackfillRun> {
  const run = await deps.data.backfillRuns.active(shopId);
  if (!run) throw new BackfillConflictError('No initial sync is running.');
  await deps.data.backfillRuns.requestCancel(run.id);
  if (run.jobId) await deps.queue.runNow(run.jobId, now);
  return deps.data.backfillRuns.get(run.id);
}

/** Ends a run: frees the shop for a new one and leaves a summary in Activity. */
export async function finishBackfill(
  data: Pick<DataLayer, 'backfillRuns' | 'activity'>,
  runId: string,
  status: Exclude<BackfillStatus, 'running'>,
  error: string | null = null,
  now = new Date(),
): Promise<void> {
  const run = await data.backfillRuns.finish(runId, status, error, now);
  if (!run) return;
  const counts = `read ${count(run.read)} customers, sent ${count(run.sent)}, skipped ${count(run.skipped)} (already in sync, or nothing to send), failed ${count(run.failed)}`;
  const what = { completed: 'finished', cancelled: 'was cancelled', failed: 'stopped' }[status];
  await recordActivity(data, {
    shopId: run.shopId,
    jobId: run.jobId,
    origin: 'backfill',
    target: 'edrone',
    channel: 'none',
    result: status === 'failed' ? 'failed' : 'recorded',
    reason: `Initial sync ${what}: ${counts}.${error ? ` ${error}` : ''}`,
  });
}

/** The admin's "Start initial sync": needs the edrone credentials; the 409 answer carries the run in progress. */
export async function requestBackfill(deps: { data: Pick<DataLayer, 'shops' | 'backfillRuns'>; wakeWorker(): void }, shopId: string) {
  const shop = await deps.data.shops.get(shopId);
  if (!isConfigured(shop)) throw new InputError('Enter your edrone App ID and App Secret in Setup before the initial sync.');
  const run = await withRunOnConflict(deps.data, shopId, () => startBackfill(deps.data, shopId));
  deps.wakeWorker();
  return { run: backfillView(run) };
}

/** The admin's "Cancel": the 409 answer (nothing running) carries the latest run. */
export async function requestBackfillCancel(deps: { data: Pick<DataLayer, 'backfillRuns'>; queue: JobQueue; wakeWorker(): void }, shopId: string) {
  const run = await withRunOnConflict(deps.data, shopId, () => cancelBackfill(deps, shopId));
  deps.wakeWorker();
  return { run: backfillView(run) };
}

export async function latestBackfillView(data: Pick<DataLayer, 'backfillRuns'>, shopId: string) {
  const run = await data.backfillRuns.latest(shopId);
  return { run: run ? backfillView(run) : null };
}

async function withRunOnConflict<T>(data: Pick<DataLayer, 'backfillRuns'>, shopId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof BackfillConflictError)) throw e;
    throw new BackfillConflictError(e.merchantMessage, await latestBackfillView(data, shopId));
  }
}
