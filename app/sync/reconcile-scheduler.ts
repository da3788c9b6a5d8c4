// The reconciliation scheduler of a worker process: every RECONCILE_SCHEDULER_MS
// it queues a 'reconcile' job for each shop whose interval has passed. Safe with
// several workers: the queueing is a conditional update of Shop.lastReconciledAt
// plus a unique active run per shop, in one transaction.
import type { DataLayer } from '../db/index.js';
import type { JobQueue } from '../queue/index.js';
import type { Logger } from '../logger.js';
import { createPeriodicPass } from './periodic-pass.js';
import { scheduleDueReconciliations, sweepOrphanRuns } from './reconcile-run.js';

export interface ReconcileScheduler {
  start(): void;
  stop(): void;
  /** One pass now; returns the shops queued. */
  tick(now?: Date): Promise<string[]>;
}

export function createReconcileScheduler(deps: {
  data: DataLayer;
  queue: JobQueue;
  logger: Logger;
  intervalMs: number;
  /** Called after jobs were queued (wake the worker). */
  onQueued?: () => void;
}): ReconcileScheduler {
  async function pass(now: Date): Promise<string[]> {
    await sweepOrphanRuns(deps, now);
    const queued = await scheduleDueReconciliations(deps.data, now);
    if (queued.length > 0) {
      deps.logger.info({ shops: queued }, 'reconciliation queued');
      deps.onQueued?.();
    }
    return queued;
  }

  return createPeriodicPass(pass, { intervalMs: deps.intervalMs, logger: deps.logger, what: 'reconciliation scheduling' });
}
