// SQLite's claim, through the driver in one immediate transaction: the oldest
// due jobs of each shop first (one store's backlog cannot hide the others),
// marked running with this claim's token, returned whole. A second process on
// the same file waits for the write lock, so no job is claimed twice.
//
// The pick walks the index ("status", "shopId", "runAt"): the shops with queued
// jobs at one seek each, then each shop's oldest due jobs, so a claim costs a few
// index probes per waiting shop however many jobs wait (one window ranking every
// due job cost milliseconds per claim with a thousand queued).
import type BetterSqlite3 from 'better-sqlite3';
import { fairPick } from './fair-pick.js';
import type { ClaimFilter, Job } from './job-rows.js';

/** Every shop with a queued job, one index seek each (SQLite has no loose index scan of its own). */
const QUEUED_SHOPS = `WITH RECURSIVE shops("shopId") AS (
    SELECT (SELECT min("shopId") FROM "Job" WHERE "status" = 'queued')
    UNION ALL
    SELECT (SELECT min("shopId") FROM "Job" WHERE "status" = 'queued' AND "shopId" > shops."shopId") FROM shops WHERE shops."shopId" IS NOT NULL
  ) SELECT "shopId" FROM shops WHERE "shopId" IS NOT NULL`;

/** The lane's kinds, and not a held kind of a held shop (a throttled store's Shopify calls wait). */
const CLAIMABLE = `(:kinds IS NULL OR "kind" IN (SELECT value FROM json_each(:kinds)))
      AND NOT ("shopId" IN (SELECT value FROM json_each(:heldShops)) AND "kind" IN (SELECT value FROM json_each(:heldKinds)))`;

/** One shop's oldest due queued jobs that this claim may take. */
const SHOP_DUE = `SELECT "id", "shopId", "runAt" FROM "Job"
    WHERE "status" = 'queued' AND "shopId" = :shopId AND "runAt" <= :now AND ${CLAIMABLE}
    ORDER BY "runAt" LIMIT :perShop`;

/** Jobs whose worker stopped renewing its lease (few: at most the ones running) that this claim may take. */
const EXPIRED = `SELECT "id", "shopId", "runAt" FROM "Job"
    WHERE "status" = 'running' AND "leaseUntil" < :now AND ${CLAIMABLE}
      AND "shopId" NOT IN (SELECT value FROM json_each(:skipShops))`;

const TAKE = `UPDATE "Job" SET "status" = 'running', "lockedBy" = :token, "leaseUntil" = :leaseUntil, "attempts" = "attempts" + 1, "updatedAt" = :now
  WHERE "id" = :id AND (("status" = 'queued' AND "runAt" <= :now) OR ("status" = 'running' AND "leaseUntil" < :now))
  RETURNING *`;

type Candidate = { id: string; shopId: string; runAt: number };

type RawJob = Omit<Job, 'runAt' | 'leaseUntil' | 'createdAt' | 'updatedAt' | 'finishedAt'> & {
  runAt: number;
  leaseUntil: number | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
};

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

/** Dates are stored as ms since the epoch (Prisma's adapter with timestampFormat 'unixepoch-ms'). */
export function jobFromSqlite(r: RawJob): Job {
  return { ...r, runAt: new Date(r.runAt), leaseUntil: date(r.leaseUntil), createdAt: new Date(r.createdAt), updatedAt: new Date(r.updatedAt), finishedAt: date(r.finishedAt) };
}

/** Each shop's oldest candidates, at most `perShop` of one shop, oldest first. */
function oldestPerShop(candidates: Candidate[], perShop: number): Candidate[] {
  const taken = new Map<string, number>();
  return candidates
    .sort((a, b) => a.runAt - b.runAt)
    .filter((c) => {
      const n = taken.get(c.shopId) ?? 0;
      taken.set(c.shopId, n + 1);
      return n < perShop;
    });
}

export function createSqliteClaim(sqlite: BetterSqlite3.Database) {
  const queuedShops = sqlite.prepare(QUEUED_SHOPS).pluck();
  const shopDue = sqlite.prepare(SHOP_DUE);
  const expired = sqlite.prepare(EXPIRED);
  const take = sqlite.prepare(TAKE);
  const claim = sqlite.transaction(
    (args: {
      now: number;
      leaseUntil: number;
      limit: number;
      token: () => string;
      heldShops: string[];
      heldKinds: readonly string[];
      filter: ClaimFilter;
    }): Job[] => {
      const perShop = args.filter.perShop ?? args.limit;
      const skipShops = args.filter.skipShops ?? [];
      const params = {
        now: args.now,
        kinds: args.filter.kinds ? JSON.stringify(args.filter.kinds) : null,
        heldShops: JSON.stringify(args.heldShops),
        heldKinds: JSON.stringify(args.heldKinds),
      };
      const candidates = expired.all({ ...params, skipShops: JSON.stringify(skipShops) }) as Candidate[];
      for (const shopId of queuedShops.all() as string[]) {
        if (!skipShops.includes(shopId)) candidates.push(...(shopDue.all({ ...params, shopId, perShop }) as Candidate[]));
      }
      const jobs: Job[] = [];
      for (const { id } of fairPick(oldestPerShop(candidates, perShop), args.limit)) {
        const row = take.get({ id, now: args.now, leaseUntil: args.leaseUntil, token: args.token() }) as RawJob | undefined;
        if (row) jobs.push(jobFromSqlite(row));
      }
      return jobs;
    },
  );
  return async (args: Parameters<typeof claim>[0]): Promise<Job[]> => {
    // Never wait inside SQLite on the event loop (Prisma's connection in this process may hold the lock).
    for (let attempt = 0; ; attempt++) {
      try {
        return claim.immediate(args);
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || attempt >= 200) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.min(25, 1 + attempt)));
      }
    }
  };
}
