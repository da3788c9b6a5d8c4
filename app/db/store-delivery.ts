// The ingest hot path's one write: the accepted delivery and its job. Group
// commit: the deliveries that arrive within one turn of the event loop are stored
// together, in one statement on PostgreSQL (one round trip; separate workers are
// woken after the commit, see wake-workers.ts) and in one immediate transaction
// of prepared statements on SQLite (one sync of the WAL file, which blocks the
// event loop, instead of one each). Each delivery is answered only after the
// commit that holds it; a delivery the database refuses is retried alone, so it
// fails alone. No shared row is updated, so concurrent deliveries never wait for
// each other's locks.
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

type Delivery = { event: DeliveryRow; job: NewJob };

/** Every delivery of a batch, in order: an event is stored with its job, or not at all (duplicate: a later one of the same key too). */
const PG_STORE = `WITH d AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamp[], $8::text[], $9::text[], $10::text[], $11::int[], $12::timestamp[])
    AS t("id", "shopId", "source", "topic", "dedupeKey", "payload", "receivedAt", "jobId", "kind", "jobPayload", "maxAttempts", "runAt")
), e AS (
  INSERT INTO "InboundEvent" ("id", "shopId", "source", "topic", "dedupeKey", "payload", "receivedAt")
  SELECT "id", "shopId", "source", "topic", "dedupeKey", "payload", "receivedAt" FROM d
  ON CONFLICT ("shopId", "source", "dedupeKey") DO NOTHING
  RETURNING "id"
), j AS (
  INSERT INTO "Job" ("id", "shopId", "kind", "payload", "status", "attempts", "maxAttempts", "runAt", "createdAt", "updatedAt")
  SELECT d."jobId", d."shopId", d."kind", d."jobPayload", 'queued', 0, d."maxAttempts", d."runAt", d."receivedAt", d."receivedAt" FROM d JOIN e ON e."id" = d."id"
  RETURNING "id"
)
SELECT "id" FROM j`;

const SQLITE_EVENT = `INSERT INTO "InboundEvent" ("id", "shopId", "source", "topic", "dedupeKey", "payload", "receivedAt")
  VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT ("shopId", "source", "dedupeKey") DO NOTHING`;
const SQLITE_JOB = `INSERT INTO "Job" ("id", "shopId", "kind", "payload", "status", "attempts", "maxAttempts", "runAt", "createdAt", "updatedAt")
  VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?)`;

/** Stores a batch: for each delivery, whether it was stored (false: its dedupe key was already there). */
type StoreBatch = (batch: Delivery[]) => Promise<boolean[]>;

export function createStoreDelivery(driver: Driver): StoreDelivery {
  if (driver.dialect === 'postgres') {
    const wake = createWorkerWake(driver.pool);
    return groupCommit(async (batch) => {
      const column = <T>(f: (d: Delivery) => T) => batch.map(f);
      // PostgreSQL reads an ISO text with Z as UTC wall time for a timestamp column: how Prisma stores them.
      const { rows } = await driver.pool.query<{ id: string }>({
        name: 'store_deliveries',
        text: PG_STORE,
        values: [
          column((d) => d.event.id),
          column((d) => d.event.shopId),
          column((d) => d.event.source),
          column((d) => d.event.topic),
          column((d) => d.event.dedupeKey),
          column((d) => d.event.payload),
          column((d) => d.event.receivedAt.toISOString()),
          column((d) => d.job.id),
          column((d) => d.job.kind),
          column((d) => d.job.payload),
          column((d) => d.job.maxAttempts),
          column((d) => d.job.runAt.toISOString()),
        ],
      });
      if (rows.length > 0) wake();
      const stored = new Set(rows.map((r) => r.id));
      return batch.map((d) => stored.has(d.job.id));
    });
  }
  const { sqlite } = driver;
  const insertEvent = sqlite.prepare(SQLITE_EVENT);
  const insertJob = sqlite.prepare(SQLITE_JOB);
  // Dates as Prisma's adapter stores them here (timestampFormat 'unixepoch-ms').
  const storeOne = ({ event: e, job }: Delivery): boolean => {
    const at = e.receivedAt.getTime();
    if (insertEvent.run(e.id, e.shopId, e.source, e.topic, e.dedupeKey, e.payload, at).changes === 0) return false;
    insertJob.run(job.id, job.shopId, job.kind, job.payload, job.maxAttempts, job.runAt.getTime(), at, at);
    return true;
  };
  const storeAll = sqlite.transaction((batch: Delivery[]): boolean[] => batch.map(storeOne));
  return groupCommit((batch) => withoutBlocking(() => storeAll.immediate(batch)));
}

type Waiting = Delivery & { resolve(stored: boolean): void; reject(err: unknown): void };

/** Collects the deliveries of one event-loop turn and stores them with one call of `storeBatch`. */
function groupCommit(storeBatch: StoreBatch): StoreDelivery {
  let waiting: Waiting[] = [];
  const flush = async () => {
    const batch = waiting;
    waiting = [];
    try {
      const stored = await storeBatch(batch);
      batch.forEach((d, i) => d.resolve(stored[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // One delivery the database refuses must not fail the others: each alone, with its own answer.
      for (const d of batch) await storeBatch([d]).then(([stored]) => d.resolve(stored!), d.reject);
    }
  };
  return (event, job) =>
    new Promise<boolean>((resolve, reject) => {
      if (waiting.push({ event, job, resolve, reject }) === 1) setImmediate(() => void flush());
    });
}
