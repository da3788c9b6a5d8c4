// The shops whose Shopify-calling jobs wait (paused after a throttle, or blocked
// until the merchant acts): asked before every claim, so in the driver's SQL.
import type { Driver } from './database.js';

const PG_HELD = `SELECT "id" FROM "Shop" WHERE "pausedUntil" > $1::timestamp OR "blockedReason" IS NOT NULL`;
const SQLITE_HELD = `SELECT "id" FROM "Shop" WHERE "pausedUntil" > ? OR "blockedReason" IS NOT NULL`;

export function createHeldShopsQuery(driver: Driver): (now: Date) => Promise<string[]> {
  if (driver.dialect === 'postgres') {
    return async (now) => {
      const { rows } = await driver.pool.query<{ id: string }>({ name: 'held_shops', text: PG_HELD, values: [now.toISOString()] });
      return rows.map((r) => r.id);
    };
  }
  const held = driver.sqlite.prepare(SQLITE_HELD).pluck();
  // Dates as Prisma's adapter stores them here (ms since the epoch).
  return async (now) => held.all(now.getTime()) as string[];
}
