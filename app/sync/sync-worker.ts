// The worker of this app: the queue's worker loop with the app's handlers and
// hooks, plus the reconciliation scheduler, started and stopped together.
import { createWorker, type Job, type Worker } from '../queue/index.js';
import { recordActivity } from './activity.js';
import { finishBackfill } from './backfill-run.js';
import { createBackfillHandler, type BackfillOptions } from './backfill-job.js';
import { createEdroneEventHandler, createShopifyWebhookHandler } from './consent-jobs.js';
import type { SyncDeps } from './deps.js';
import { JOB_KINDS } from './job-payloads.js';
import { createReconcileHandler, type ReconcileOptions } from './reconcile-job.js';
import { finishReconcile } from './reconcile-run.js';
import { createReconcileScheduler, type ReconcileScheduler } from './reconcile-scheduler.js';
import { createRetentionPruner, type RetentionOptions, type RetentionPruner } from './retention.js';

export interface SyncWorkerOptions {
  id?: string;
  concurrency: number;
  /** How often an idle worker looks for due jobs (notifications wake it sooner). */
  pollMs?: number;
  backfill: BackfillOptions;
  reconcile: ReconcileOptions;
  /** How often the scheduler looks for shops due a reconciliation. */
  schedulerMs: number;
  /** Retention of the consent history and the activity log; absent: no pruning in this process. */
  retention?: RetentionOptions;
}

/** Starting the worker also starts the reconciliation scheduler; stopping stops both. */
export interface SyncWorker extends Worker {
  scheduler: ReconcileScheduler;
  retention: RetentionPruner | null;
}

export function createSyncWorker(deps: SyncDeps, options: SyncWorkerOptions): SyncWorker {
  const { data } = deps;
  const jobWorker = createWorker({
    queue: deps.queue,
    logger: deps.logger,
    id: options.id,
    concurrency: options.concurrency,
    pollMs: options.pollMs,
    // One slow outside system holds up only its own calls: Shopify changes wait for edrone
    // slots, edrone changes for Shopify slots, runs (both) for theirs; one store takes at most
    // half of a lane.
    lanes: [
      { name: 'edrone', kinds: [JOB_KINDS.shopifyWebhook], concurrency: options.concurrency, perShop: Math.max(1, Math.ceil(options.concurrency / 2)) },
      { name: 'shopify', kinds: [JOB_KINDS.edroneEvent], concurrency: options.concurrency, perShop: Math.max(1, Math.ceil(options.concurrency / 2)) },
      { name: 'runs', concurrency: Math.max(1, Math.ceil(options.concurrency / 2)) },
    ],
    handlers: {
      [JOB_KINDS.shopifyWebhook]: createShopifyWebhookHandler(deps),
      [JOB_KINDS.edroneEvent]: createEdroneEventHandler(deps),
      [JOB_KINDS.backfill]: createBackfillHandler(deps, options.backfill),
      [JOB_KINDS.reconcile]: createReconcileHandler(deps, options.reconcile),
    },
    onDead: (job, message) => onDead(deps, job, message),
    async onThrottled(job, error, until) {
      if (error.service === 'shopify') await data.shops.pauseUntil(job.shopId, until);
    },
    async onAccessRevoked(job, error) {
      await data.shops.block(job.shopId, error.message);
    },
  });
  const scheduler = createReconcileScheduler({
    data,
    queue: deps.queue,
    logger: deps.logger,
    intervalMs: options.schedulerMs,
    onQueued: () => jobWorker.wake(),
  });
  const retention = options.retention ? createRetentionPruner(deps, options.retention) : null;
  return {
    get id() {
      return jobWorker.id;
    },
    scheduler,
    retention,
    start() {
      jobWorker.start();
      scheduler.start();
      retention?.start();
    },
    async stop() {
      retention?.stop();
      scheduler.stop();
      await jobWorker.stop();
    },
    wake: () => jobWorker.wake(),
    drain: (opts) => jobWorker.drain(opts),
  };
}

/** A dead job's failure becomes visible: a run ends as failed (so the shop can start another), a change gets a row in Activity. */
async function onDead(deps: SyncDeps, job: Job, message: string): Promise<void> {
  const { data } = deps;
  const runId = job.kind === JOB_KINDS.backfill || job.kind === JOB_KINDS.reconcile ? (JSON.parse(job.payload) as { runId?: string }).runId : undefined;
  if (job.kind === JOB_KINDS.backfill && runId) return finishBackfill(data, runId, 'failed', message);
  if (job.kind === JOB_KINDS.reconcile && runId) return finishReconcile(data, runId, 'failed', message);
  const fromEdrone = job.kind === JOB_KINDS.edroneEvent;
  await recordActivity(data, {
    shopId: job.shopId,
    jobId: job.id,
    origin: fromEdrone ? 'edrone' : 'shopify',
    target: fromEdrone ? 'shopify' : 'edrone',
    channel: 'none',
    result: 'failed',
    reason: `${message} It is listed under Failures, where it can be retried.`,
  });
}
