// The persistent job table: claim with a lease, complete, fail with backoff,
// dead-letter, replay. Every update after the claim is guarded by the lock
// owner, so a job whose lease expired and was claimed again is never finished
// twice. The queue knows nothing about shops: which jobs must wait is the
// `held` hook the application passes in.
import { randomUUID } from 'node:crypto';
import { retryDelayMs } from '../core/backoff.js';
import type { Database } from '../db/database.js';
import { createPostgresClaim } from './claim-postgres.js';
import { createSqliteClaim } from './claim-sqlite.js';
import { LEASE_MS, type ClaimFilter, type Job } from './job-rows.js';

/** Jobs that must not be claimed now: those of `kinds` for any of `shopIds`. */
export interface HeldJobs {
  shopIds: string[];
  kinds: readonly string[];
}

export interface JobQueueOptions {
  /** How long a claim lasts without a heartbeat. */
  leaseMs?: number;
  /** Asked before every claim: which jobs wait (for example, the shops Shopify throttled). */
  held?: (now: Date) => Promise<HeldJobs>;
  /** Every kind `held` may name: a claim limited to other kinds does not ask it (one query less per claim). */
  heldKinds?: readonly string[];
}

export interface JobCounts {
  /** Dead-lettered: shown under Failures. */
  dead: number;
  /** Queued or running. */
  pending: number;
}

function claimToken(workerId: string): string {
  return `${workerId}:${randomUUID().slice(0, 8)}`;
}

export interface JobQueue {
  claim(workerId: string, limit: number, now?: Date, filter?: ClaimFilter): Promise<Job[]>;
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
  /** A queued job runs now instead of at its scheduled time (a run was cancelled and must notice). */
  runNow(jobId: string, now?: Date): Promise<void>;
  /** The shop's queued jobs that wait for a later time run now (its access was restored). */
  releaseShop(shopId: string, now?: Date): Promise<void>;
  /** The shop's dead-lettered jobs, newest first. */
  dead(shopId: string, page: { skip: number; take: number }): Promise<{ jobs: Job[]; total: number }>;
  counts(shopId: string): Promise<JobCounts>;
  /** How many jobs of each kind and status a shop has (the command line's status). */
  countsByKind(shopId: string): Promise<{ kind: string; status: string; count: number }[]>;
  /** The ids among these whose jobs are still queued or running. */
  live(jobIds: string[]): Promise<Set<string>>;
}

export function createJobQueue(db: Database, options: JobQueueOptions = {}): JobQueue {
  const { prisma } = db;
  const leaseMs = options.leaseMs ?? LEASE_MS;
  const none: HeldJobs = { shopIds: [], kinds: [] };
  const ask = options.held ?? (async () => none);
  const held = (now: Date, filter: ClaimFilter): Promise<HeldJobs> => {
    const mayHold = !options.heldKinds || !filter.kinds || filter.kinds.some((k) => options.heldKinds!.includes(k));
    return mayHold ? ask(now) : Promise.resolve(none);
  };

  const sqliteClaim = db.driver.dialect === 'sqlite' ? createSqliteClaim(db.driver.sqlite) : null;
  const pgClaim = db.driver.dialect === 'postgres' ? createPostgresClaim(db.driver.pool) : null;

  async function claimSqlite(workerId: string, limit: number, now: Date, filter: ClaimFilter): Promise<Job[]> {
    const wait = await held(now, filter);
    const hold = wait.shopIds.length && wait.kinds.length;
    return sqliteClaim!({
      now: now.getTime(),
      leaseUntil: now.getTime() + leaseMs,
      limit,
      token: () => claimToken(workerId),
      heldShops: hold ? wait.shopIds : [],
      heldKinds: hold ? wait.kinds : [],
      filter,
    });
  }

  async function claimPostgres(workerId: string, limit: number, now: Date, filter: ClaimFilter): Promise<Job[]> {
    const wait = await held(now, filter);
    return pgClaim!({ workerId, limit, now, leaseUntil: new Date(now.getTime() + leaseMs), heldShops: wait.shopIds, heldKinds: wait.kinds, filter });
  }

  // Each claim has its own token: a job claimed again (lease expired) is no longer the first claimer's.
  const owned = (job: Job) => ({ id: job.id, lockedBy: job.lockedBy ?? '', status: 'running' });

  return {
    leaseMs,
    claim(workerId, limit, now = new Date(), filter = {}) {
      return db.dialect === 'postgres' ? claimPostgres(workerId, limit, now, filter) : claimSqlite(workerId, limit, now, filter);
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
    async runNow(jobId, now = new Date()) {
      await prisma.job.updateMany({ where: { id: jobId, status: 'queued' }, data: { runAt: now } });
    },
    async releaseShop(shopId, now = new Date()) {
      await prisma.job.updateMany({ where: { shopId, status: 'queued', runAt: { gt: now } }, data: { runAt: now } });
    },
    async dead(shopId, { skip, take }) {
      const where = { shopId, status: 'dead' };
      const [jobs, total] = await Promise.all([
        prisma.job.findMany({ where, orderBy: { updatedAt: 'desc' }, skip, take }),
        prisma.job.count({ where }),
      ]);
      return { jobs, total };
    },
    async counts(shopId) {
      const [dead, pending] = await Promise.all([
        prisma.job.count({ where: { shopId, status: 'dead' } }),
        prisma.job.count({ where: { shopId, status: { in: ['queued', 'running'] } } }),
      ]);
      return { dead, pending };
    },
    async countsByKind(shopId) {
      const rows = await prisma.job.groupBy({ by: ['status', 'kind'], where: { shopId }, _count: { _all: true } });
      return rows.map((r) => ({ kind: r.kind, status: r.status, count: r._count._all }));
    },
    async live(jobIds) {
      if (jobIds.length === 0) return new Set();
      const rows = await prisma.job.findMany({ where: { id: { in: jobIds }, status: { in: ['queued', 'running'] } }, select: { id: true } });
      return new Set(rows.map((j) => j.id));
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

