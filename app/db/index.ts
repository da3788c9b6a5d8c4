// The data layer: every Prisma call and SQL statement of the app lives in this
// folder (and in app/queue for the Job table). Repositories return plain objects.
//
// - `openDatabase(url)`: SQLite or PostgreSQL by URL, migrated; once per process.
// - `createDataLayer(db)`: one repository per aggregate; what use cases receive.
import type { Database } from './database.js';
import { createActivityRepository } from './activity.js';
import { createComplianceRepository } from './compliance.js';
import { createConsentRepository } from './consent.js';
import { createEventsRepository } from './events.js';
import { createRejectedEdroneRequestsRepository } from './edrone-requests.js';
import { createBackfillRunsRepository, createReconcileRunsRepository } from './runs.js';
import { createShopsRepository } from './shops.js';

export { dialectOf, isUniqueViolation, openDatabase, type Database, type Dialect } from './database.js';
export { createSessionStorage, type SessionStorage } from './sessions.js';
export { edroneCredentials, isConfigured, newSyncToken, settingsOf, type ShopRow, type ShopSettingsUpdate } from './shops.js';
export { openConsent, type ConsentHandle, type ConsentKey, type ConsentRowKey } from './consent.js';
export type { ActivityFilter, ActivityInput, ActivityResult } from './activity.js';
export type { DeliveryToStore, StoreResult } from './events.js';
export type { BackfillProgress, BackfillRun, OtherRunActive, ReconcileEnqueue, ReconcilePage, ReconcileRun, RunConflict } from './runs.js';
export type { CustomerRef } from './compliance.js';

export function createDataLayer(db: Database) {
  const { prisma } = db;
  return {
    shops: createShopsRepository(prisma),
    consent: createConsentRepository(prisma),
    events: createEventsRepository(prisma),
    activity: createActivityRepository(prisma),
    backfillRuns: createBackfillRunsRepository(prisma),
    reconcileRuns: createReconcileRunsRepository(prisma),
    compliance: createComplianceRepository(prisma),
    rejectedEdroneRequests: createRejectedEdroneRequestsRepository(prisma),
  };
}

export type DataLayer = ReturnType<typeof createDataLayer>;
