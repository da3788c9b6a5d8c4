// The composition root: builds every dependency once from the config.
import { PrismaSessionStorage } from '@shopify/shopify-app-session-storage-prisma';
import type { AppConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { openDatabase, type Database, type PrismaClient } from './db/database.js';
import { createSecretBox, type SecretBox } from './crypto/secret-box.js';
import { createShopifyApi, ensureFreshOfflineSession, type ShopifyApi } from './adapters/shopify/index.js';
import { createShopifyAdminClient } from './adapters/shopify/index.js';
import { createEdroneTraceClient } from './adapters/edrone/index.js';
import type { EdroneTraceClient } from './adapters/edrone/index.js';
import { ShopAccessError } from './errors.js';
import { createJobQueue, type JobQueue } from './queue/job-queue.js';
import { createWorker, type Worker } from './queue/worker.js';
import { createKeyedLock } from './sync/keyed-lock.js';
import { createShopifyWebhookHandler } from './sync/shopify-webhook-job.js';
import { createEdroneEventHandler } from './sync/edrone-event-job.js';
import { recordActivity } from './sync/activity.js';
import { createBackfillHandler, finishBackfill } from './sync/backfill.js';
import { createReconcileHandler, finishReconcile } from './sync/reconcile.js';
import { createReconcileScheduler, type ReconcileScheduler } from './sync/reconcile-scheduler.js';
import type { SyncDeps } from './sync/sync-deps.js';

export interface AppContext extends SyncDeps {
  config: AppConfig;
  logger: Logger;
  db: Database;
  prisma: PrismaClient;
  shopify: ShopifyApi;
  sessionStorage: PrismaSessionStorage<never>;
  secretBox: SecretBox;
  edrone: EdroneTraceClient;
  queue: JobQueue;
  /** Starting the worker also starts the reconciliation scheduler; stopping stops both. */
  worker: Worker;
  scheduler: ReconcileScheduler;
  close(): Promise<void>;
}

export async function createContext(config: AppConfig, options: { logger?: Logger; workerId?: string } = {}): Promise<AppContext> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = await openDatabase(config.databaseUrl);
  const { prisma } = db;
  // The library's types pin @prisma/client; ours is generated from the same Session model.
  const sessionStorage = new PrismaSessionStorage<never>(prisma as never);
  const shopify = createShopifyApi(config.shopify, sessionStorage);
  const secretBox = createSecretBox({ encryptionKey: config.encryptionKey, fallbackSecret: config.shopify.apiSecret });
  const edrone = createEdroneTraceClient({ baseUrl: config.edroneApiUrl, timeoutMs: config.timeouts.edroneMs });
  const queue = createJobQueue(db, { leaseMs: config.worker.leaseMs });
  const locks = createKeyedLock();

  const deps: SyncDeps = {
    prisma,
    edrone,
    secretBox,
    locks,
    now: () => new Date(),
    async adminClientFor(shopId) {
      const session = await ensureFreshOfflineSession(shopify, sessionStorage, shopId);
      if (!session) throw new ShopAccessError('The app has no access to this store yet. Open the app from your Shopify admin to connect it.');
      return createShopifyAdminClient({ shopify, session, logger, timeoutMs: config.timeouts.shopifyMs });
    },
  };

  const longJobs = { concurrency: config.backfill.concurrency, sliceMs: config.backfill.sliceMs, logger };
  const jobWorker = createWorker({
    queue,
    prisma,
    logger,
    id: options.workerId,
    concurrency: config.worker.concurrency,
    handlers: {
      'shopify-webhook': createShopifyWebhookHandler(deps),
      'edrone-event': createEdroneEventHandler(deps),
      backfill: createBackfillHandler(deps, { ...longJobs, pollMs: config.backfill.pollMs }),
      reconcile: createReconcileHandler(deps, longJobs),
    },
    async onDead(job, message) {
      // A run whose job gave up ends as failed, so the shop can start another.
      const runId = job.kind === 'backfill' || job.kind === 'reconcile' ? (JSON.parse(job.payload) as { runId?: string }).runId : undefined;
      if (job.kind === 'backfill' && runId) return finishBackfill(prisma, runId, 'failed', message);
      if (job.kind === 'reconcile' && runId) return finishReconcile(prisma, runId, 'failed', message);
      await recordActivity(prisma, {
        shopId: job.shopId,
        jobId: job.id,
        origin: job.kind === 'edrone-event' ? 'edrone' : 'shopify',
        target: job.kind === 'edrone-event' ? 'shopify' : 'edrone',
        channel: 'none',
        result: 'failed',
        reason: `${message} It is listed under Failures, where it can be retried.`,
      });
    },
  });

  const scheduler = createReconcileScheduler({
    prisma,
    logger,
    intervalMs: config.reconcile.schedulerMs,
    onQueued: () => jobWorker.wake(),
  });
  const worker: Worker = {
    get id() {
      return jobWorker.id;
    },
    start() {
      jobWorker.start();
      scheduler.start();
    },
    async stop() {
      scheduler.stop();
      await jobWorker.stop();
    },
    wake: () => jobWorker.wake(),
    drain: (opts) => jobWorker.drain(opts),
  };

  return {
    ...deps,
    config,
    logger,
    db,
    prisma,
    shopify,
    sessionStorage,
    secretBox,
    edrone,
    queue,
    worker,
    scheduler,
    async close() {
      await worker.stop();
      await db.close();
    },
  };
}
