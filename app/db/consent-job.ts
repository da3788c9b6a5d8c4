// The hot path of a consent job in SQL the app writes (issue 10): ONE read of
// the event's presence, the shop and the customer's consent row, and ONE write
// transaction for the consent row (optimistic version check, as consent.ts),
// the Activity and ConsentHistory rows and the job's "done" (guarded by its
// lockedBy). Prisma's compilation is off this path; the rows are the same.
import type { HistoryEntry } from '../core/consent-history.js';
import type { ConsentRecord } from '../core/types.js';
import { pgCompleteJob, SQLITE_COMPLETE_JOB } from '../queue/index.js';
import type { ActivityInput } from './activity.js';
import {
  ACTIVITY_COLUMNS,
  HISTORY_COLUMNS,
  PG_READ,
  pgWrite,
  RECORD_COLUMNS,
  RECORD_DATES,
  SHOP_COLUMNS,
  SQLITE_INSERT_ACTIVITY,
  SQLITE_INSERT_CONSENT,
  SQLITE_INSERT_HISTORY,
  SQLITE_READ,
  SQLITE_UPDATE_CONSENT,
  type ConsentReadColumn,
} from './consent-job-sql.js';
import { columnsOfRecord, concurrentConsentUpdate, type ConsentKey, type StoredConsentRow } from './consent.js';
import { PG_UTC_TYPES as pgTypes, type Driver, type Shop } from './database.js';
import { newRowId } from './row-id.js';
import { withoutBlocking } from './sqlite-retry.js';

export interface ConsentJobRead {
  /** False once a redact request erased the event. */
  eventPresent: boolean;
  shop: Shop | null;
  /** The customer's row; null when there is none (or no key was given). */
  consent: StoredConsentRow | null;
}

/** Everything one job stores, in one transaction. */
export interface ConsentJobWrite {
  now: Date;
  /** The consent row to store: `version` is the one read (null: insert). */
  consent: { key: ConsentKey; version: number | null; record: ConsentRecord; shopifyCustomerId: string | null } | null;
  activities: (ActivityInput & { createdAt: Date })[];
  history: (HistoryEntry & { createdAt: Date })[];
  /** Marked done, only while this claim (lockedBy) still holds it. */
  job: { id: string; lockedBy: string } | null;
}

export interface ConsentJobStore {
  /** `eventId` null: no stored delivery to look for (a bulk run's customer); eventPresent is then false. */
  read(eventId: string | null, shopId: string, key: ConsentKey | null): Promise<ConsentJobRead>;
  /** Throws the retriable concurrent-update error (and stores nothing) when the consent row changed since it was read. */
  write(w: ConsentJobWrite): Promise<void>;
}

type Raw = Record<string, unknown>;
type ToDate = (v: unknown) => Date | null;

function shopOf(r: Raw, date: ToDate): Shop | null {
  if (r.id === null || r.id === undefined) return null;
  const s = (c: (typeof SHOP_COLUMNS)[number]) => r[c] as string | null;
  return {
    id: r.id as string,
    syncToken: r.syncToken as string,
    edroneAppId: s('edroneAppId'),
    edroneAppSecretEnc: s('edroneAppSecretEnc'),
    edroneSignatureVariant: s('edroneSignatureVariant'),
    direction: r.direction as string,
    edroneStatuses: r.edroneStatuses as string,
    syncEmail: Boolean(r.syncEmail),
    syncSms: Boolean(r.syncSms),
    createMissingCustomers: Boolean(r.createMissingCustomers),
    reconcileIntervalMinutes: Number(r.reconcileIntervalMinutes),
    installedAt: date(r.installedAt)!,
    uninstalledAt: date(r.uninstalledAt),
    pausedUntil: date(r.pausedUntil),
    blockedReason: s('blockedReason'),
    lastShopifyEventAt: date(r.lastShopifyEventAt),
    lastEdroneEventAt: date(r.lastEdroneEventAt),
    lastReconciledAt: date(r.lastReconciledAt),
    createdAt: date(r.createdAt)!,
    updatedAt: date(r.updatedAt)!,
  };
}

function consentOf(r: Raw, date: ToDate): StoredConsentRow | null {
  const c = (col: ConsentReadColumn) => r[`c_${col}`];
  if (c('version') === null || c('version') === undefined) return null;
  const text = (col: ConsentReadColumn) => c(col) as string | null;
  return {
    shopifyCustomerId: text('shopifyCustomerId'),
    truthState: text('truthState'),
    truthAt: date(c('truthAt')),
    truthSource: text('truthSource'),
    shopifyState: text('shopifyState'),
    shopifyAt: date(c('shopifyAt')),
    edroneState: text('edroneState'),
    edroneAt: date(c('edroneAt')),
    wroteShopifyState: text('wroteShopifyState'),
    wroteShopifyAt: date(c('wroteShopifyAt')),
    wroteShopifyWallAt: date(c('wroteShopifyWallAt')),
    wroteEdroneState: text('wroteEdroneState'),
    wroteEdroneAt: date(c('wroteEdroneAt')),
    wroteEdroneWallAt: date(c('wroteEdroneWallAt')),
    wroteEdroneDoneAt: date(c('wroteEdroneDoneAt')),
    wroteEdroneOtherWallAt: date(c('wroteEdroneOtherWallAt')),
    wroteEdroneSeriesAt: date(c('wroteEdroneSeriesAt')),
    recentTraces: text('recentTraces'),
    version: Number(c('version')),
  };
}

/** The record columns in RECORD_COLUMNS order, dates through `date`. */
function recordValues<D>(record: ConsentRecord, date: (d: Date | null) => D): (string | D | null)[] {
  const cols = columnsOfRecord(record) as Record<string, unknown>;
  return RECORD_COLUMNS.map((c) => (RECORD_DATES.has(c) ? date((cols[c] as Date | null) ?? null) : ((cols[c] as string | null) ?? null)));
}

function activityRow(a: ConsentJobWrite['activities'][number]) {
  const { shopId, jobId, eventId, origin, target, channel, identity, customerId, previousState, newState, result, reason, reasonCode, retried, createdAt } = a;
  return { id: newRowId(), shopId, jobId: jobId ?? null, eventId: eventId ?? null, origin, target, channel, identity: identity ?? null, customerId: customerId ?? null, previousState: previousState ?? null, newState: newState ?? null, result, reason: reason ?? null, reasonCode: reasonCode ?? null, retried: retried ?? false, createdAt };
}

function historyRow(h: ConsentJobWrite['history'][number]) {
  return { ...h, id: newRowId() };
}

export function createConsentJobStore(driver: Driver): ConsentJobStore {
  if (driver.dialect === 'postgres') {
    const { pool } = driver;
    const pgDate: ToDate = (v) => (v === null || v === undefined ? null : (v as Date));
    const statements = new Map<string, string>();
    const complete = (extra: string) => pgCompleteJob({ jobId: '$2', lockedBy: '$3', now: '$1' }, extra);
    for (const mode of ['none', 'insert', 'update'] as const) statements.set(mode, pgWrite(mode, complete));
    return {
      async read(eventId, shopId, key) {
        const { rows } = await pool.query({ name: 'consent_job_read', text: PG_READ, values: [eventId, shopId, key?.channel ?? null, key?.identity ?? null], types: pgTypes });
        const r = rows[0] as Raw;
        return { eventPresent: Boolean(r.eventPresent), shop: shopOf(r, pgDate), consent: consentOf(r, pgDate) };
      },
      async write(w) {
        const mode = w.consent === null ? 'none' : w.consent.version === null ? 'insert' : 'update';
        const values: unknown[] = [w.now.toISOString(), w.job?.id ?? null, w.job?.lockedBy ?? null, JSON.stringify(w.activities.map(activityRow)), JSON.stringify(w.history.map(historyRow))];
        if (w.consent) {
          const { key, record, shopifyCustomerId, version } = w.consent;
          values.push(key.shopId, key.channel, key.identity, shopifyCustomerId, ...recordValues(record, (d) => d?.toISOString() ?? null));
          values.push(version === null ? newRowId() : version);
        }
        const { rows } = await pool.query<{ consent: number }>({ name: `consent_job_write_${mode}`, text: statements.get(mode)!, values });
        if (rows[0]?.consent !== 1) throw concurrentConsentUpdate();
      },
    };
  }
  const { sqlite } = driver;
  const sqliteDate: ToDate = (v) => (v === null || v === undefined ? null : new Date(v as number | string));
  const ms = (d: Date | null) => (d === null ? null : d.getTime());
  const read = sqlite.prepare(SQLITE_READ);
  const insertConsent = sqlite.prepare(SQLITE_INSERT_CONSENT);
  const updateConsent = sqlite.prepare(SQLITE_UPDATE_CONSENT);
  const insertActivity = sqlite.prepare(SQLITE_INSERT_ACTIVITY);
  const insertHistory = sqlite.prepare(SQLITE_INSERT_HISTORY);
  const completeJob = sqlite.prepare(SQLITE_COMPLETE_JOB);
  const write = sqlite.transaction((w: ConsentJobWrite) => {
    const now = w.now.getTime();
    if (w.consent) {
      const { key, record, shopifyCustomerId, version } = w.consent;
      const values = recordValues(record, ms);
      const cols = Object.fromEntries(RECORD_COLUMNS.map((c, i) => [c, values[i]]));
      const params = { ...cols, ...key, shopifyCustomerId, now };
      const changed = version === null ? insertConsent.run({ ...params, id: newRowId() }).changes : updateConsent.run({ ...params, version }).changes;
      // Thrown inside the transaction: nothing of this job is stored.
      if (changed !== 1) throw concurrentConsentUpdate();
    }
    for (const a of w.activities) {
      const row = activityRow(a);
      insertActivity.run(Object.fromEntries(ACTIVITY_COLUMNS.map((c) => [c, c === 'retried' ? (row.retried ? 1 : 0) : c === 'createdAt' ? row.createdAt.getTime() : row[c]])));
    }
    for (const h of w.history) {
      const row = historyRow(h) as Record<string, unknown>;
      insertHistory.run(Object.fromEntries(HISTORY_COLUMNS.map((c) => [c, row[c] instanceof Date ? (row[c] as Date).getTime() : (row[c] ?? null)])));
    }
    if (w.job) completeJob.run({ jobId: w.job.id, lockedBy: w.job.lockedBy, now });
  });
  return {
    async read(eventId, shopId, key) {
      const r = read.get({ eventId, shopId, channel: key?.channel ?? null, identity: key?.identity ?? null }) as Raw;
      return { eventPresent: Boolean(r.eventPresent), shop: shopOf(r, sqliteDate), consent: consentOf(r, sqliteDate) };
    },
    async write(w) {
      await withoutBlocking(() => write.immediate(w));
    },
  };
}
