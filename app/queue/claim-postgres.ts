// PostgreSQL's claim, through the driver in one statement: the oldest due jobs
// of each shop first (one store's backlog cannot hide the others), locked with
// FOR UPDATE SKIP LOCKED so concurrent claimers never wait for or take each
// other's rows, marked running with a token of their own, returned whole.
import type pg from 'pg';
import { PG_UTC_TYPES } from '../db/database.js';
import type { ClaimFilter, Job } from './job-rows.js';

const CLAIM = `WITH ranked AS (
    SELECT j.id, j."runAt", row_number() OVER (PARTITION BY j."shopId" ORDER BY j."runAt") AS rn
    FROM "Job" j
    WHERE ((j.status = 'queued' AND j."runAt" <= $1::timestamp) OR (j.status = 'running' AND j."leaseUntil" < $1::timestamp))
      AND NOT (j."shopId" = ANY($2::text[]) AND j.kind = ANY($3::text[]))
      AND ($8::text[] IS NULL OR j.kind = ANY($8::text[]))
      AND NOT (j."shopId" = ANY($9::text[]))
  ), candidates AS (
    SELECT id, "runAt", rn FROM ranked WHERE rn <= $10::int ORDER BY rn, "runAt" LIMIT $4::int
  ), picked AS (
    SELECT j.id FROM "Job" j JOIN candidates c ON c.id = j.id
    WHERE (j.status = 'queued' AND j."runAt" <= $1::timestamp) OR (j.status = 'running' AND j."leaseUntil" < $1::timestamp)
    ORDER BY c.rn, c."runAt"
    LIMIT $5::int
    FOR UPDATE OF j SKIP LOCKED
  )
  UPDATE "Job" SET status = 'running', "lockedBy" = $6::text || ':' || md5(random()::text || id), "leaseUntil" = $7::timestamp,
    attempts = attempts + 1, "updatedAt" = $1::timestamp
  WHERE id IN (SELECT id FROM picked)
  RETURNING *`;

export function createPostgresClaim(pool: pg.Pool) {
  return async (args: { workerId: string; limit: number; now: Date; leaseUntil: Date; heldShops: string[]; heldKinds: readonly string[]; filter: ClaimFilter }): Promise<Job[]> => {
    const { workerId, limit, now, leaseUntil, filter } = args;
    const { rows } = await pool.query<Job>({
      name: 'claim_jobs',
      text: CLAIM,
      values: [
        now.toISOString(),
        args.heldShops,
        [...args.heldKinds],
        limit * 8,
        limit,
        workerId,
        leaseUntil.toISOString(),
        filter.kinds ? [...filter.kinds] : null,
        filter.skipShops ?? [],
        filter.perShop ?? limit,
      ],
      types: PG_UTC_TYPES,
    });
    return rows;
  };
}
