// The ingest hot path's one write: the accepted delivery and its job, in one
// statement on PostgreSQL (one round trip; separate workers are woken after the
// commit, see wake-workers.ts) and in one immediate transaction of two prepared
// statements on SQLite. No shared row is updated, so concurrent deliveries
// never wait for each other's locks.
import type { NewJob } from '../queue/index.js';
import type { Driver } from './database.js';
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  const store = sqlite.transaction((e: DeliveryRow, job: NewJob): boolean => {
    const at = e.receivedAt.getTime();
    if (insertEvent.run(e.id, e.shopId, e.source, e.topic, e.dedupeKey, e.payload, at).changes === 0) return false;
    insertJob.run(job.id, job.shopId, job.kind, job.payload, job.maxAttempts, job.runAt.getTime(), at, at);
    return true;
  });
  return async (e, job) => {
    // This connection never waits inside SQLite (that would block the event loop while
    // Prisma's connection, in this same process, holds the write lock): it retries here.
    for (let attempt = 0; ; attempt++) {
      try {
        return store.immediate(e, job);
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 200) throw err;
        await sleep(Math.min(25, 1 + attempt));
      }
    }
  };
}
