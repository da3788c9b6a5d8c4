// The reconciliation scheduler of a worker process: every RECONCILE_SCHEDULER_MS
// it queues a 'reconcile' job for each shop whose interval has passed. Safe with
// several workers: the queueing is a conditional update of Shop.lastReconciledAt
// plus a unique active run per shop, in one transaction.
import type { DataLayer } from '../db/index.js';
import type { JobQueue } from '../queue/index.js';
import type { Logger } from '../logger.js';
import { coerceError } from '../errors.js';
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
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<string[]> | null = null;

  async function pass(now: Date): Promise<string[]> {
    await sweepOrphanRuns(deps, now);
    const queued = await scheduleDueReconciliations(deps.data, now);
    if (queued.length > 0) {
      deps.logger.info({ shops: queued }, 'reconciliation queued');
      deps.onQueued?.();
    }
    return queued;
  }

  const scheduler: ReconcileScheduler = {
    start() {
      if (timer) return;
      timer = setInterval(() => {
        void scheduler.tick().catch((e: unknown) => deps.logger.error({ err: coerceError(e).message }, 'reconciliation scheduling failed'));
      }, deps.intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    tick(now = new Date()) {
      // One pass at a time in this process.
      running ??= pass(now).finally(() => {
        running = null;
      });
      return running;
    },
  };
  return scheduler;
}
