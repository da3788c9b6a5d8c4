// A job row and the statements that other transactions run on the Job table:
// a job is stored in the same transaction as what it is for (an accepted
// delivery, a new run), and a shop's erasure removes its idle jobs with the rest.
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../db/database.js';

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

export type NewJob = ReturnType<typeof newJob>;

/** Which due jobs one claim may take (a worker lane: its kinds, and shops at their limit left out). */
export interface ClaimFilter {
  /** Only these kinds (all when absent). */
  kinds?: readonly string[];
  /** Not these shops (their lane is full for them in this process). */
  skipShops?: string[];
  /** At most this many jobs of one shop per claim (default: the claim's limit). */
  perShop?: number;
}

/** The row of a new job; store it with insertJob inside the transaction it belongs to. */
export function newJob(shopId: string, kind: string, payload: unknown, runAt = new Date()) {
  return { id: randomUUID(), shopId, kind, payload: JSON.stringify(payload), runAt, maxAttempts: DEFAULT_MAX_ATTEMPTS };
}

/** Transaction clients and the client itself both run these. */
type Tx = Pick<PrismaClient, 'job'>;

export function insertJob(tx: Tx, job: NewJob) {
  return tx.job.create({ data: job });
}

/** A shop's erasure: every job that is not running (a running one ends by itself). */
export function deleteIdleJobsOf(tx: Tx, shopId: string) {
  return tx.job.deleteMany({ where: { shopId, status: { not: 'running' } } });
}

/** A customer's erasure: idle jobs whose payload names any of these identifiers. */
export function deleteIdleJobsMentioning(tx: Tx, shopId: string, needles: string[]) {
  return tx.job.deleteMany({
    where: { shopId, status: { not: 'running' }, OR: needles.map((n) => ({ payload: { contains: n } })) },
  });
}
