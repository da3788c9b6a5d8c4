// Limits of outside systems are shared by every process on one database: many
// limiter users (each with its own connection, as separate worker processes
// have) reserving at once never get more than the budget in any 1-second window.
// Slots are read on the limiter's own clock, so nothing here depends on timing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataLayer, openDatabase, type Database } from '../../app/db/index.js';
import { EDRONE_TRACE_RESERVATION } from '../../app/context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let tdb: TestDatabase;
const dbs: Database[] = [];
beforeAll(async () => {
  tdb = await createTestDatabase();
  // Four "processes": four connections (pools) to the same database.
  for (let i = 0; i < 4; i++) dbs.push(await openDatabase(tdb.url));
});
afterAll(async () => {
  for (const db of dbs) await db.close();
  await tdb?.drop();
});

/** The most units whose slots fall in any window [t, t + 1000) ms. */
function peakPerSecond(slots: { atMs: number; cost: number }[]): number {
  const sorted = [...slots].sort((a, b) => a.atMs - b.atMs);
  let peak = 0;
  let sum = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    sum += sorted[end]!.cost;
    while (sorted[end]!.atMs - sorted[start]!.atMs >= 1000) sum -= sorted[start++]!.cost;
    peak = Math.max(peak, sum);
  }
  return peak;
}

describe('shared rate limits', () => {
  it('edrone traces: 4 users x 100 concurrent reservations for one App ID (the app\'s own reservation) never exceed 97 in any 1-second window', async () => {
    const limiters = dbs.map((db) => createDataLayer(db).rateLimits);
    const r = EDRONE_TRACE_RESERVATION;
    const slots = (
      await Promise.all(limiters.map((l) => Promise.all(Array.from({ length: 100 }, () => l.reserve('edrone:one-app', r)))))
    ).flat();
    expect(slots).toHaveLength(400);
    // 95/s plus the burst of 2: under edrone's 100.
    expect(peakPerSecond(slots.map((s) => ({ atMs: s.atMs, cost: 1 })))).toBeLessThanOrEqual(97);
    // Nobody was dropped: the 400 slots span about 400 / 95 s.
    const span = Math.max(...slots.map((s) => s.atMs)) - Math.min(...slots.map((s) => s.atMs));
    expect(span).toBeGreaterThanOrEqual((398 / 95) * 1000 - 1);
    // Another App ID has its own budget.
    expect((await limiters[0]!.reserve('edrone:other-app', r)).waitMs).toBe(0);
  });

  it('Shopify cost budget: concurrent calls of a store stay within rate + burst points in any 1-second window', async () => {
    const limiters = dbs.map((db) => createDataLayer(db).rateLimits);
    const r = { ratePerSecond: 100, burst: 200 };
    const slots = (
      await Promise.all(
        limiters.map((l, i) => Promise.all(Array.from({ length: 60 }, (_, k) => l.reserve('shopify:store', { ...r, cost: 5 + ((i + k) % 3) * 5 }).then((s) => ({ ...s, cost: 5 + ((i + k) % 3) * 5 }))))),
      )
    ).flat();
    expect(peakPerSecond(slots)).toBeLessThanOrEqual(100 + 200 + 15);
  });

  it('a pause (429 / THROTTLED) moves every later slot of that key past it', async () => {
    const [a, b] = dbs.map((db) => createDataLayer(db).rateLimits);
    const r = { cost: 1, ratePerSecond: 50, burst: 1 };
    const first = await a!.reserve('edrone:paused-app', r);
    await b!.pause('edrone:paused-app', 5_000);
    const next = await a!.reserve('edrone:paused-app', r);
    expect(next.atMs - first.atMs).toBeGreaterThanOrEqual(5_000);
  });
});
