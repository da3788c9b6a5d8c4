// The data layer: every Prisma call and SQL statement of the app lives in this
// folder (and in app/queue for the Job table). Repositories return plain objects.
//
// - `openDatabase(url)`: SQLite or PostgreSQL by URL, migrated; once per process.
// - `createDataLayer(db)`: one repository per aggregate; what use cases receive.
import type { Database } from './database.js';
import { createActivityRepository } from './activity.js';
import { createComplianceRepository } from './compliance.js';
import { createConsentRepository } from './consent.js';
import { createConsentJobStore } from './consent-job.js';
import { createConsentHistoryRepository } from './consent-history.js';
import { createEventsRepository } from './events.js';
import { createRejectedEdroneRequestsRepository } from './edrone-requests.js';
import { createBackfillRunsRepository, createReconcileRunsRepository } from './runs.js';
import { createSharedRateLimiter } from './rate-limits.js';
import { createShopCache } from './shop-cache.js';
import { createShopsRepository } from './shops.js';
import { createStorefrontRepository } from './storefront.js';

export { dialectOf, isUniqueViolation, openDatabase, type Database, type Dialect } from './database.js';
export { createSessionStorage, type SessionStorage } from './sessions.js';
export { listenForNotifications, type Notifications } from './notifications.js';
export { edroneCredentials, isConfigured, newSyncToken, settingsOf, type ShopRow, type ShopSettingsUpdate } from './shops.js';
export { openConsent, recordOfRow, type ConsentHandle, type ConsentKey, type ConsentRowKey, type StoredConsentRow } from './consent.js';
export type { ConsentJobRead, ConsentJobStore, ConsentJobWrite } from './consent-job.js';
export type { ActivityFilter, ActivityInput, ActivityResult } from './activity.js';
export type { DeliveryToStore, StoreResult } from './events.js';
export type { BackfillProgress, BackfillRun, OtherRunActive, ReconcileEnqueue, ReconcilePage, ReconcileRun, RunConflict } from './runs.js';
export type { CustomerRef } from './compliance.js';
export type { Reservation, SharedRateLimiter } from './rate-limits.js';
export type { KnownConsent, RememberedCustomer } from './storefront.js';
export type { ConsentHistoryRow, HistoryCursor, HistoryExportFilter } from './consent-history.js';

export function createDataLayer(db: Database) {
  const { prisma } = db;
  // Shared by the repositories that change shops, so every change drops the cached rows.
  const shopCache = createShopCache();
  return {
    shops: createShopsRepository(prisma, shopCache, db.driver),
    consent: createConsentRepository(prisma),
    /** A consent job's one read and one write transaction, in the app's own SQL (the worker's hot path). */
    consentJobs: createConsentJobStore(db.driver),
    events: createEventsRepository(db),
    activity: createActivityRepository(prisma),
    backfillRuns: createBackfillRunsRepository(prisma),
    reconcileRuns: createReconcileRunsRepository(prisma),
    compliance: createComplianceRepository(prisma, shopCache),
    /** Outside systems' limits shared by every process on this database. */
    rateLimits: createSharedRateLimiter(db.driver),
    storefront: createStorefrontRepository(prisma),
    consentHistory: createConsentHistoryRepository(prisma),
    rejectedEdroneRequests: createRejectedEdroneRequestsRepository(prisma),
  };
}

export type DataLayer = ReturnType<typeof createDataLayer>;
