// SQLite's claim, through the driver in one immediate transaction: the oldest
// due jobs of each shop first (one store's backlog cannot hide the others),
// marked running with this claim's token, returned whole. A second process on
// the same file waits for the write lock, so no job is claimed twice.
import type BetterSqlite3 from 'better-sqlite3';
import type { ClaimFilter, Job } from './job-rows.js';

const PICK = `SELECT "id" FROM (
    SELECT "id", "runAt", row_number() OVER (PARTITION BY "shopId" ORDER BY "runAt") AS rn
    FROM "Job"
    WHERE (("status" = 'queued' AND "runAt" <= :now) OR ("status" = 'running' AND "leaseUntil" < :now))
      AND NOT ("shopId" IN (SELECT value FROM json_each(:heldShops)) AND "kind" IN (SELECT value FROM json_each(:heldKinds)))
      AND (:kinds IS NULL OR "kind" IN (SELECT value FROM json_each(:kinds)))
      AND "shopId" NOT IN (SELECT value FROM json_each(:skipShops))
  ) WHERE rn <= :perShop ORDER BY rn, "runAt" LIMIT :limit`;

const TAKE = `UPDATE "Job" SET "status" = 'running', "lockedBy" = :token, "leaseUntil" = :leaseUntil, "attempts" = "attempts" + 1, "updatedAt" = :now
  WHERE "id" = :id AND (("status" = 'queued' AND "runAt" <= :now) OR ("status" = 'running' AND "leaseUntil" < :now))
  RETURNING *`;

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

export function createSqliteClaim(sqlite: BetterSqlite3.Database) {
  const pick = sqlite.prepare(PICK).pluck();
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
      const ids = pick.all({
        now: args.now,
        limit: args.limit,
        perShop: args.filter.perShop ?? args.limit,
        heldShops: JSON.stringify(args.heldShops),
        heldKinds: JSON.stringify(args.heldKinds),
        kinds: args.filter.kinds ? JSON.stringify(args.filter.kinds) : null,
        skipShops: JSON.stringify(args.filter.skipShops ?? []),
      }) as string[];
      const jobs: Job[] = [];
      for (const id of ids) {
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
