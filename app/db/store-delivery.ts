// The ingest hot path's one write: the accepted delivery and its job, in one
// statement on PostgreSQL (one round trip; separate workers are woken after the
// commit, see wake-workers.ts) and on SQLite two prepared statements in an
// immediate transaction shared by the deliveries of one event-loop turn. No shared row is updated, so concurrent deliveries
// never wait for each other's locks.
import type { NewJob } from '../queue/index.js';
import type { Driver } from './database.js';
import { withoutBlocking } from './sqlite-retry.js';
import { createWorkerWake } from './wake-workers.js';

export interface DeliveryRow {
  id: string;
  shopId: string;
  source: string;
  topic: string;
  dedupeKey: string;
  payload: string;
  receivedAt: Date;
}

/** True when stored; false when the dedupe key was already there (nothing stored). */
export type StoreDelivery = (event: DeliveryRow, job: NewJob) => Promise<boolean>;

const PG_STORE = `WITH e AS (
  INSERT INTO "InboundEvent" ("id", "shopId", "source", "topic", "dedupeKey", "payload", "receivedAt")
  VALUES ($1, $2, $3, $4, $5, $6, $7::timestamp)
  ON CONFLICT ("shopId", "source", "dedupeKey") DO NOTHING
  RETURNING "id"
), j AS (
  INSERT INTO "Job" ("id", "shopId", "kind", "payload", "status", "attempts", "maxAttempts", "runAt", "createdAt", "updatedAt")
  SELECT $8, $2, $9, $10, 'queued', 0, $11, $12::timestamp, $7::timestamp, $7::timestamp FROM e
  RETURNING "id"
)
SELECT "id" FROM j`;

const SQLITE_EVENT = `INSERT INTO "InboundEvent" ("id", "shopId", "source", "topic", "dedupeKey", "payload", "receivedAt")
  VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT ("shopId", "source", "dedupeKey") DO NOTHING`;
const SQLITE_JOB = `INSERT INTO "Job" ("id", "shopId", "kind", "payload", "status", "attempts", "maxAttempts", "runAt", "createdAt", "updatedAt")
  VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?)`;

export function createStoreDelivery(driver: Driver): StoreDelivery {
  if (driver.dialect === 'postgres') {
    const wake = createWorkerWake(driver.pool);
    return async (e, job) => {
      // PostgreSQL reads an ISO text with Z as UTC wall time for a timestamp column: how Prisma stores them.
      const { rowCount } = await driver.pool.query({
        name: 'store_delivery',
        text: PG_STORE,
        values: [e.id, e.shopId, e.source, e.topic, e.dedupeKey, e.payload, e.receivedAt.toISOString(), job.id, job.kind, job.payload, job.maxAttempts, job.runAt.toISOString()],
      });
      if (rowCount !== 1) return false;
      wake();
      return true;
    };
  }
  const { sqlite } = driver;
  const insertEvent = sqlite.prepare(SQLITE_EVENT);
  const insertJob = sqlite.prepare(SQLITE_JOB);
  // Dates as Prisma's adapter stores them here (timestampFormat 'unixepoch-ms').
  const storeOne = (d: Pending): boolean => {
    const { event: e, job } = d;
    const at = e.receivedAt.getTime();
    if (insertEvent.run(e.id, e.shopId, e.source, e.topic, e.dedupeKey, e.payload, at).changes === 0) return false;
    insertJob.run(job.id, job.shopId, job.kind, job.payload, job.maxAttempts, job.runAt.getTime(), at, at);
    return true;
  };
  const storeAll = sqlite.transaction((batch: Pending[]): boolean[] => batch.map(storeOne));
  const storeAlone = sqlite.transaction(storeOne);

  // Group commit: the deliveries that arrive within one turn of the event loop are
  // stored in one transaction, so they share its commit (one sync of the WAL file,
  // which blocks the event loop) instead of paying one each. Each is answered only
  // after the transaction that holds it committed.
  let waiting: Pending[] = [];
  const flush = async () => {
    const batch = waiting;
    waiting = [];
    try {
      const stored = await withoutBlocking(() => storeAll.immediate(batch));
      batch.forEach((d, i) => d.settle.resolve(stored[i]!));
    } catch {
      // One delivery the database refuses must not fail the others: each alone, with its own answer.
      for (const d of batch) {
        await withoutBlocking(() => storeAlone.immediate(d)).then(d.settle.resolve, d.settle.reject);
      }
    }
  };
  return (event, job) =>
    new Promise<boolean>((resolve, reject) => {
      if (waiting.push({ event, job, settle: { resolve, reject } }) === 1) setImmediate(() => void flush());
    });
}

type Pending = { event: DeliveryRow; job: NewJob; settle: { resolve(stored: boolean): void; reject(err: unknown): void } };
