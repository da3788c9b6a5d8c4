// Limits that belong to an outside system and are shared by every process on
// one database: edrone's traces per App ID, Shopify's cost budget per store.
// A generic cell rate algorithm: one row per key holds the "theoretical arrival
// time" (tat, ms). A reservation of `cost` units moves it by cost/rate seconds
// in one atomic statement and tells the caller how long to wait before using
// them. PostgreSQL's clock is the one clock of all processes; on SQLite the
// file is shared and the machine's clock is. Slots only ever move later, so any
// 1-second window holds at most rate + burst units, however many processes ask.
import type { Driver } from './database.js';
import { withoutBlocking } from './sqlite-retry.js';

export interface Reservation {
  /** Units to reserve (1 trace; the estimated points of a GraphQL call). */
  cost: number;
  /** Sustained units per second. */
  ratePerSecond: number;
  /** Units that may go at once after a quiet period (1: evenly spaced). */
  burst: number;
}

export interface SharedRateLimiter {
  /** Reserves the units: wait `waitMs` before using them; `atMs` is their slot on the limiter's clock. */
  reserve(key: string, r: Reservation): Promise<{ waitMs: number; atMs: number }>;
  /** Gives back units reserved but not used (a call cost less than estimated); never below now. */
  refund(key: string, r: Reservation): Promise<void>;
  /** Nothing more of `key` may go before `ms` from now (the system answered 429 / THROTTLED). */
  pause(key: string, ms: number): Promise<void>;
}

const PG_NOW = `(extract(epoch from clock_timestamp()) * 1000)`;
const PG_RESERVE = `INSERT INTO "RateLimit" ("key", "tatMs") VALUES ($1, ${PG_NOW} + $2)
  ON CONFLICT ("key") DO UPDATE SET "tatMs" = GREATEST("RateLimit"."tatMs", ${PG_NOW}) + $2
  RETURNING "tatMs", ${PG_NOW} AS "nowMs"`;
const PG_PAUSE = `INSERT INTO "RateLimit" ("key", "tatMs") VALUES ($1, ${PG_NOW} + $2)
  ON CONFLICT ("key") DO UPDATE SET "tatMs" = GREATEST("RateLimit"."tatMs", ${PG_NOW} + $2)`;

const PG_REFUND = `UPDATE "RateLimit" SET "tatMs" = GREATEST("tatMs" - $2, ${PG_NOW}) WHERE "key" = $1`;
const SQLITE_REFUND = `UPDATE "RateLimit" SET "tatMs" = max("tatMs" - :step, :now) WHERE "key" = :key`;
const SQLITE_RESERVE = `INSERT INTO "RateLimit" ("key", "tatMs") VALUES (:key, :now + :step)
  ON CONFLICT ("key") DO UPDATE SET "tatMs" = max("tatMs", :now) + :step
  RETURNING "tatMs"`;
const SQLITE_PAUSE = `INSERT INTO "RateLimit" ("key", "tatMs") VALUES (:key, :now + :ms)
  ON CONFLICT ("key") DO UPDATE SET "tatMs" = max("tatMs", :now + :ms)`;

/** When the reserved units may go: the old arrival time less the burst tolerance, never before now. */
function slot(tatMs: number, nowMs: number, step: number, r: Reservation): { waitMs: number; atMs: number } {
  const tolerance = (Math.max(1, r.burst) - 1) * (1000 / r.ratePerSecond);
  const atMs = Math.max(nowMs, tatMs - step - tolerance);
  return { waitMs: atMs - nowMs, atMs };
}

export function createSharedRateLimiter(driver: Driver, now: () => number = Date.now): SharedRateLimiter {
  if (driver.dialect === 'postgres') {
    const { pool } = driver;
    return {
      async reserve(key, r) {
        const step = (r.cost * 1000) / r.ratePerSecond;
        const { rows } = await pool.query<{ tatMs: number; nowMs: string }>({ name: 'rate_reserve', text: PG_RESERVE, values: [key, step] });
        const row = rows[0]!;
        return slot(Number(row.tatMs), Number(row.nowMs), step, r);
      },
      async refund(key, r) {
        await pool.query({ name: 'rate_refund', text: PG_REFUND, values: [key, (r.cost * 1000) / r.ratePerSecond] });
      },
      async pause(key, ms) {
        await pool.query({ name: 'rate_pause', text: PG_PAUSE, values: [key, ms] });
      },
    };
  }
  const reserve = driver.sqlite.prepare(SQLITE_RESERVE).pluck();
  const pause = driver.sqlite.prepare(SQLITE_PAUSE);
  const refund = driver.sqlite.prepare(SQLITE_REFUND);
  return {
    async reserve(key, r) {
      const step = (r.cost * 1000) / r.ratePerSecond;
      const t = now();
      const tat = await withoutBlocking(() => reserve.get({ key, now: t, step }) as number);
      return slot(tat, t, step, r);
    },
    async refund(key, r) {
      await withoutBlocking(() => refund.run({ key, now: now(), step: (r.cost * 1000) / r.ratePerSecond }));
    },
    async pause(key, ms) {
      await withoutBlocking(() => pause.run({ key, now: now(), ms }));
    },
  };
}
