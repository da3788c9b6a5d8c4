// The use cases: what the app does, independent of HTTP and of the database.
// Routes, the worker and the command line call these; they call app/db,
// app/queue and the adapters through SyncDeps.
//
// - Ingest (`ingestShopifyWebhook`, `ingestEdroneSync`): verify, normalise,
//   store event + job. Any transport (HTTPS, Pub/Sub, EventBridge) can call them.
// - Consent sync (`syncConsent`): one observed change, both directions.
// - The worker (`createSyncWorker`): the jobs' handlers, hooks and scheduler.
// - Runs: initial sync (`requestBackfill`...) and reconciliation (`runReconcileNow`...).
// - Admin views: settings, shop status, activity, failures, webhook health, install.
// - Storefront (`createStorefrontStatus`): the app proxy's "is this visitor subscribed?".
export type { SyncDeps } from './deps.js';
export { createKeyedLock, type KeyedLock } from './keyed-lock.js';
export { heldJobs, JOB_KINDS, SHOPIFY_CALLING_KINDS, type JobKind } from './job-payloads.js';
export { ingestShopifyWebhook, type IngestOutcome, type ShopifyDelivery } from './ingest-shopify.js';
export { ingestEdroneSync, type EdroneDelivery, type EdroneIngestOutcome } from './ingest-edrone.js';
export { syncConsent, type ConsentChange, type SyncMeta } from './consent-sync.js';
export { createSyncWorker, type SyncWorker, type SyncWorkerOptions } from './sync-worker.js';
export { createInstaller, type Installer } from './install.js';
export { getSettings, saveSettings, settingsView, syncUrlOf, testConnection } from './settings.js';
export { activityPage, failuresPage, retryFailures, shopStatus } from './shop-status.js';
export { customerConsentHistory } from './customer-history.js';
export { countHistory, historyCsvChunks, historyExportFilter } from './history-export.js';
export {
  createStorefrontStatus,
  storefrontChecksToday,
  STOREFRONT_MESSAGES,
  type StorefrontCheck,
  type StorefrontStatus,
  type StorefrontStatusDeps,
} from './storefront-status.js';
export { edroneConnectionView, recordRejectedEdroneRequest } from './edrone-connection.js';
export {
  deleteWebhookSubscription,
  listWebhookSubscriptions,
  registerMissingSubscriptions,
  webhookHealth,
  webhookSubscriptionDetail,
  type WebhookFilter,
} from './webhook-health.js';
export {
  BackfillConflictError,
  backfillView,
  latestBackfillView,
  requestBackfill,
  requestBackfillCancel,
  startBackfill,
  type BackfillRunView,
} from './backfill-run.js';
export {
  DEFAULT_RECONCILE_INTERVAL_MINUTES,
  MAX_RECONCILE_INTERVAL_MINUTES,
  MIN_RECONCILE_INTERVAL_MINUTES,
  ReconcileConflictError,
  enqueueReconcile,
  reconcileView,
  runReconcileNow,
  runView,
  scheduleDueReconciliations,
  setReconcileInterval,
  type ReconcileView,
} from './reconcile-run.js';
