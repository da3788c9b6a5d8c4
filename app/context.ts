// The composition root: builds every dependency once from the config.
import type { AppConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createDataLayer, createSessionStorage, openDatabase, type DataLayer, type Database, type SessionStorage } from './db/index.js';
import { createSecretBox, type SecretBox } from './crypto/secret-box.js';
import {
  createEdroneTraceClient,
  createShopifyAdminClient,
  createShopifyApi,
  ensureFreshOfflineSession,
  type EdroneTraceClient,
  type ShopifyApi,
} from './adapters/index.js';
import { ShopAccessError } from './errors.js';
import { createJobQueue, type JobQueue } from './queue/index.js';
import { createInstaller, createKeyedLock, createSyncWorker, heldJobs, type Installer, type SyncDeps, type SyncWorker } from './sync/index.js';

export interface AppContext extends SyncDeps {
  config: AppConfig;
  logger: Logger;
  /** The open database; its Prisma client is for app/db and app/queue (and tests) only. */
  db: Database;
  data: DataLayer;
  shopify: ShopifyApi;
  sessionStorage: SessionStorage;
  secretBox: SecretBox;
  edrone: EdroneTraceClient;
  queue: JobQueue;
  installer: Installer;
  /** Starting the worker also starts the reconciliation scheduler; stopping stops both. */
  worker: SyncWorker;
  close(): Promise<void>;
}

export async function createContext(config: AppConfig, options: { logger?: Logger; workerId?: string } = {}): Promise<AppContext> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = await openDatabase(config.databaseUrl);
  const data = createDataLayer(db);
  const sessionStorage = createSessionStorage(db);
  const shopify = createShopifyApi(config.shopify);
  const secretBox = createSecretBox({ encryptionKey: config.encryptionKey, fallbackSecret: config.shopify.apiSecret });
  const edrone = createEdroneTraceClient({ baseUrl: config.edroneApiUrl, timeoutMs: config.timeouts.edroneMs });
  const queue = createJobQueue(db, { leaseMs: config.worker.leaseMs, held: heldJobs(data) });

  // The worker is built from the deps, and the deps wake the worker: bound once both exist.
  let worker: SyncWorker | null = null;
  const deps: SyncDeps = {
    data,
    queue,
    edrone,
    secretBox,
    locks: createKeyedLock(),
    logger,
    now: () => new Date(),
    wakeWorker: () => worker?.wake(),
    async adminClientFor(shopId) {
      const session = await ensureFreshOfflineSession(shopify, sessionStorage, shopId);
      if (!session) throw new ShopAccessError('The app has no access to this store yet. Open the app from your Shopify admin to connect it.');
      return createShopifyAdminClient({ shopify, session, logger, timeoutMs: config.timeouts.shopifyMs });
    },
  };

  const longJobs = { concurrency: config.backfill.concurrency, sliceMs: config.backfill.sliceMs, logger };
  worker = createSyncWorker(deps, {
    id: options.workerId,
    concurrency: config.worker.concurrency,
    backfill: { ...longJobs, pollMs: config.backfill.pollMs },
    reconcile: longJobs,
    schedulerMs: config.reconcile.schedulerMs,
    retention: config.retention,
  });
  const installer = createInstaller({ data, queue, shopify, sessionStorage, logger, wakeWorker: deps.wakeWorker });
  const running = worker;

  return {
    ...deps,
    config,
    db,
    shopify,
    sessionStorage,
    installer,
    worker: running,
    async close() {
      await running.stop();
      await db.close();
    },
  };
}
