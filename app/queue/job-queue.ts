// The persistent job table: enqueue (inside the ingest transaction), claim with
// a lease, complete, fail with backoff, dead-letter, replay. Every update after
// the claim is guarded by the lock owner, so a job whose lease expired and was
// claimed again is never finished twice.
import { randomUUID } from 'node:crypto';
import { retryDelayMs } from '../core/backoff.js';
import type { Database, PrismaClient } from '../db/database.js';

export type JobKind = 'shopify-webhook' | 'edrone-event' | 'backfill' | 'reconcile';

/** Kinds that call the Shopify Admin API: they wait while a shop is throttled or its token is revoked. */
export const SHOPIFY_CALLING_KINDS: readonly string[] = ['edrone-event', 'backfill', 'reconcile'];

/** A claimed job not finished by then is considered abandoned (crashed worker) and runs again. */
export const LEASE_MS = 60_000;
export const DEFAULT_MAX_ATTEMPTS = 8;

export interface Job {
  id: string;
  shopId: string;
  kind: string;
  payload: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  leaseUntil: Date | null;
  lockedBy: string | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/** The create data of a new job; pass it to prisma.job.create inside the ingest transaction. */
export function newJob(shopId: string, kind: JobKind, payload: unknown, runAt = new Date()) {
  return { id: randomUUID(), shopId, kind, payload: JSON.stringify(payload), runAt, maxAttempts: DEFAULT_MAX_ATTEMPTS };
}

function claimToken(workerId: string): string {
  return `${workerId}:${randomUUID().slice(0, 8)}`;
}

const due = (now: Date) => [
  { status: 'queued', runAt: { lte: now } },
  { status: 'running', leaseUntil: { lt: now } },
];

/** Interleaves candidates shop by shop, so one large store cannot starve the others. */
export function fairPick<T extends { shopId: string }>(candidates: T[], limit: number): T[] {
  const byShop = new Map<string, T[]>();
  for (const c of candidates) byShop.set(c.shopId, [...(byShop.get(c.shopId) ?? []), c]);
  const queues = [...byShop.values()];
  const picked: T[] = [];
  for (let round = 0; picked.length < limit && queues.some((q) => q.length > round); round++) {
    for (const q of queues) {
      const next = q[round];
      if (next && picked.length < limit) picked.push(next);
    }
  }
  return picked;
}

export interface JobQueue {
  claim(workerId: string, limit: number, now?: Date): Promise<Job[]>;
  complete(job: Job): Promise<void>;
  /** Records the failure; retries later with backoff, or dead-letters. Returns what happened. */
  fail(job: Job, message: string, retriable: boolean, now?: Date): Promise<'retry' | 'dead'>;
  /** Runs the job again at `until` without counting this attempt (rate limits, paused shop). */
  postpone(job: Job, until: Date, reason: string): Promise<void>;
  /** Puts dead jobs back in the queue (one, or all of a shop). Returns how many. */
  replay(shopId: string, jobId?: string): Promise<number>;
  /**
   * A long job that did one slice of its work runs again at `runAt` (the same job,
   * attempts reset): backfill and reconciliation continue this way.
   */
  reschedule(job: Job, runAt: Date): Promise<void>;
  /** Extends the lease of a running job; false when this worker no longer holds it. */
  heartbeat(job: Job, now?: Date): Promise<boolean>;
  /** How long a claim lasts without a heartbeat. */
  readonly leaseMs: number;
}

export function createJobQueue(db: Database, options: { leaseMs?: number } = {}): JobQueue {
  const { prisma } = db;
  const leaseMs = options.leaseMs ?? LEASE_MS;

  async function blockedShops(now: Date): Promise<string[]> {
    const shops = await prisma.shop.findMany({
      where: { OR: [{ pausedUntil: { gt: now } }, { blockedReason: { not: null } }] },
      select: { id: true },
    });
    return shops.map((s) => s.id);
  }

  async function claimSqlite(workerId: string, limit: number, now: Date): Promise<Job[]> {
    const blocked = await blockedShops(now);
    const where = {
      OR: due(now),
      ...(blocked.length ? { NOT: { shopId: { in: blocked }, kind: { in: [...SHOPIFY_CALLING_KINDS] } } } : {}),
    };
    // The oldest jobs of each shop with work due, so a large backlog of one store cannot hide the others.
    const shops = await prisma.job.groupBy({ by: ['shopId'], where, _min: { runAt: true }, orderBy: { _min: { runAt: 'asc' } }, take: 64 });
    const perShop = await Promise.all(
      shops.map((s) =>
        prisma.job.findMany({ where: { ...where, shopId: s.shopId }, orderBy: { runAt: 'asc' }, take: limit, select: { id: true, shopId: true } }),
      ),
    );
    const candidates = perShop.flat();
    const claimed: Job[] = [];
    for (const c of fairPick(candidates, limit)) {
      // Optimistic claim: only one worker's update matches while the job is still due.
      const { count } = await prisma.job.updateMany({
        where: { id: c.id, OR: due(now) },
        data: { status: 'running', lockedBy: claimToken(workerId), leaseUntil: new Date(now.getTime() + leaseMs), attempts: { increment: 1 } },
      });
      if (count === 1) {
        const job = await prisma.job.findUnique({ where: { id: c.id } });
        if (job) claimed.push(job);
      }
    }
    return claimed;
  }

  async function claimPostgres(workerId: string, limit: number, now: Date): Promise<Job[]> {
    const blocked = await blockedShops(now);
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const rows = await prisma.$queryRawUnsafe<{ id: string }[]>(
      `WITH ranked AS (
         SELECT j.id, j."runAt", row_number() OVER (PARTITION BY j."shopId" ORDER BY j."runAt") AS rn
         FROM "Job" j
         WHERE ((j.status = 'queued' AND j."runAt" <= $1) OR (j.status = 'running' AND j."leaseUntil" < $1))
           AND NOT (j."shopId" = ANY($2::text[]) AND j.kind = ANY($3::text[]))
       ), candidates AS (
         -- the oldest jobs of each shop first: one store's backlog cannot hide the others
         SELECT id, "runAt", rn FROM ranked WHERE rn <= $5 ORDER BY rn, "runAt" LIMIT $4
       ), picked AS (
         SELECT j.id FROM "Job" j JOIN candidates c ON c.id = j.id
         WHERE (j.status = 'queued' AND j."runAt" <= $1) OR (j.status = 'running' AND j."leaseUntil" < $1)
         ORDER BY c.rn, c."runAt"
         LIMIT $5
         FOR UPDATE OF j SKIP LOCKED
       )
       UPDATE "Job" SET status = 'running', "lockedBy" = $6 || ':' || md5(random()::text || id), "leaseUntil" = $7, attempts = attempts + 1, "updatedAt" = $1
       WHERE id IN (SELECT id FROM picked)
       RETURNING id`,
      now,
      blocked,
      [...SHOPIFY_CALLING_KINDS],
      limit * 8,
      limit,
      workerId,
      leaseUntil,
    );
    if (rows.length === 0) return [];
    return prisma.job.findMany({ where: { id: { in: rows.map((r) => r.id) } } });
  }

  // Each claim has its own token: a job claimed again (lease expired) is no longer the first claimer's.
  const owned = (job: Job) => ({ id: job.id, lockedBy: job.lockedBy ?? '', status: 'running' });

  return {
    leaseMs,
    claim(workerId, limit, now = new Date()) {
      return db.dialect === 'postgres' ? claimPostgres(workerId, limit, now) : claimSqlite(workerId, limit, now);
    },
    async complete(job) {
      await prisma.job.updateMany({
        where: owned(job),
        data: { status: 'done', leaseUntil: null, lockedBy: null, finishedAt: new Date() },
      });
    },
    async fail(job, message, retriable, now = new Date()) {
      const dead = !retriable || job.attempts >= job.maxAttempts;
      await prisma.job.updateMany({
        where: owned(job),
        data: dead
          ? { status: 'dead', lastError: message, leaseUntil: null, lockedBy: null, finishedAt: now }
          : { status: 'queued', lastError: message, leaseUntil: null, lockedBy: null, runAt: new Date(now.getTime() + retryDelayMs(job.attempts)) },
      });
      return dead ? 'dead' : 'retry';
    },
    async postpone(job, until, reason) {
      await prisma.job.updateMany({
        where: owned(job),
        data: { status: 'queued', runAt: until, leaseUntil: null, lockedBy: null, lastError: reason, attempts: { decrement: 1 } },
      });
    },
    async reschedule(job, runAt) {
      await prisma.job.updateMany({
        where: owned(job),
        data: { status: 'queued', runAt, leaseUntil: null, lockedBy: null, lastError: null, attempts: 0 },
      });
    },
    async heartbeat(job, now = new Date()) {
      const { count } = await prisma.job.updateMany({
        where: owned(job),
        data: { leaseUntil: new Date(now.getTime() + leaseMs) },
      });
      return count === 1;
    },
    async replay(shopId, jobId) {
      const { count } = await prisma.job.updateMany({
        where: { shopId, status: 'dead', ...(jobId ? { id: jobId } : {}) },
        data: { status: 'queued', runAt: new Date(), attempts: 0, finishedAt: null },
      });
      return count;
    },
  };
}

export type { PrismaClient };
