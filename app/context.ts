// The composition root: builds every dependency once from the config.
import type { AppConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import {
  createDataLayer,
  createSessionStorage,
  listenForNotifications,
  openDatabase,
  type DataLayer,
  type Database,
  type SessionStorage,
} from './db/index.js';
import { createSecretBox, type SecretBox } from './crypto/secret-box.js';
import {
  createEdroneTraceClient,
  createShopifyAdminClient,
  createShopifyApi,
  createSubscriptionStatusClient,
  ensureFreshOfflineSession,
  type EdroneTraceClient,
  type Pacer,
  type ShopifyApi,
} from './adapters/index.js';
import { ShopAccessError } from './errors.js';
import { createJobQueue, type JobQueue } from './queue/index.js';
import { createInstaller, createKeyedLock, createSyncWorker, heldJobs, SHOPIFY_CALLING_KINDS, type Installer, type SyncDeps, type SyncWorker } from './sync/index.js';
import { createStorefrontStatus, type StorefrontStatus } from './sync/index.js';

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
  /** The storefront's subscription check (app proxy), with its short cache of edrone's answers. */
  storefront: StorefrontStatus;
  close(): Promise<void>;
}

/** edrone allows 100 traces/s per App ID; 95, shared by every process, leaves room for timer jitter. */
export const EDRONE_TRACES_PER_SECOND = 95;
/**
 * One App ID's reservation of a trace. A burst of 2 lets a trace that found the pace idle
 * (a bulk run between two batches) take back the one slot the pause lost, so a steady
 * stream keeps 95/s; any 1-second window still holds at most 97 (edrone allows 100).
 */
export const EDRONE_TRACE_RESERVATION = { cost: 1, ratePerSecond: EDRONE_TRACES_PER_SECOND, burst: 2 } as const;
/** A Standard store restores 100 points/s; a call is assumed to cost ESTIMATED_CALL_POINTS until Shopify says. */
const SHOPIFY_BUDGET = { ratePerSecond: 100, burst: 1000 };

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/** edrone's per-App-ID limit, kept in the database so that all worker processes share it. */
function sharedTracePacer(data: DataLayer): Pacer {
  return {
    async wait(appId) {
      await sleep((await data.rateLimits.reserve(`edrone:${appId}`, EDRONE_TRACE_RESERVATION)).waitMs);
    },
    pause(appId, ms) {
      void data.rateLimits.pause(`edrone:${appId}`, ms).catch(() => {});
    },
  };
}

export async function createContext(config: AppConfig, options: { logger?: Logger; workerId?: string } = {}): Promise<AppContext> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = await openDatabase(config.databaseUrl);
  const data = createDataLayer(db);
  const secretBox = createSecretBox({ encryptionKey: config.encryptionKey, fallbackSecret: config.shopify.apiSecret });
  const sessionStorage = createSessionStorage(db, secretBox);
  const shopify = createShopifyApi(config.shopify);
  const edrone = createEdroneTraceClient({ baseUrl: config.edroneApiUrl, timeoutMs: config.timeouts.edroneMs, pacer: sharedTracePacer(data) });
  const queue = createJobQueue(db, { leaseMs: config.worker.leaseMs, held: heldJobs(data), heldKinds: SHOPIFY_CALLING_KINDS });

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
      const budget = async (points: number) => sleep((await data.rateLimits.reserve(`shopify:${shopId}`, { ...SHOPIFY_BUDGET, cost: points })).waitMs);
      const refund = (points: number) => data.rateLimits.refund(`shopify:${shopId}`, { ...SHOPIFY_BUDGET, cost: points });
      return createShopifyAdminClient({ shopify, session, logger, timeoutMs: config.timeouts.shopifyMs, budget, refund });
    },
  };

  const longJobs = { concurrency: config.backfill.concurrency, sliceMs: config.backfill.sliceMs, logger };
  worker = createSyncWorker(deps, {
    id: options.workerId,
    concurrency: config.worker.concurrency,
    pollMs: config.worker.pollMs,
    backfill: { ...longJobs, pollMs: config.backfill.pollMs },
    reconcile: longJobs,
    schedulerMs: config.reconcile.schedulerMs,
    retention: config.retention,
  });
  // PostgreSQL: other processes' new jobs wake this worker, and their shop changes reach this cache.
  const notifications = await listenForNotifications(db, (e) => logger.warn({ err: e.message }, 'database notifications interrupted; reconnecting'));
  notifications.onJob(() => worker?.wake());
  notifications.onShopChanged((shopId) => data.shops.forget(shopId));
  data.shops.onChange((shopId) => void notifications.shopChanged(shopId).catch(() => {}));

  const installer = createInstaller({ data, queue, shopify, sessionStorage, logger, wakeWorker: deps.wakeWorker });
  const running = worker;
  const storefront = createStorefrontStatus(
    { ...deps, edroneStatus: createSubscriptionStatusClient({ baseUrl: config.edroneApiUrl }) },
    { cacheTtlMs: config.storefront.cacheTtlMs },
  );

  return {
    ...deps,
    config,
    db,
    shopify,
    sessionStorage,
    installer,
    worker: running,
    storefront,
    async close() {
      await running.stop();
      await notifications.close();
      await storefront.flush();
      await db.close();
    },
  };
}
