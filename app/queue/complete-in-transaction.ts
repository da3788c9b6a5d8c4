// The queue's "done" as a statement another transaction runs: a handler that
// ends its job in its own write (app/db/consent-job.ts) marks it done there,
// under the same rule as JobQueue.complete: only while this claim still holds
// the job (its lockedBy), so a job whose lease expired and was claimed again is
// never finished twice.

/** SQLite, named parameters :jobId, :lockedBy and :now (ms since the epoch). */
export const SQLITE_COMPLETE_JOB = `UPDATE "Job" SET "status" = 'done', "leaseUntil" = NULL, "lockedBy" = NULL, "finishedAt" = :now, "updatedAt" = :now
  WHERE "id" = :jobId AND "lockedBy" = :lockedBy AND "status" = 'running'`;

/** PostgreSQL, with the caller's placeholders (a CTE of its statement); `extra` adds a condition. */
export function pgCompleteJob(p: { jobId: string; lockedBy: string; now: string }, extra = 'TRUE'): string {
  return `UPDATE "Job" SET "status" = 'done', "leaseUntil" = NULL, "lockedBy" = NULL, "finishedAt" = ${p.now}::timestamp, "updatedAt" = ${p.now}::timestamp
  WHERE "id" = ${p.jobId} AND "lockedBy" = ${p.lockedBy} AND "status" = 'running' AND ${extra}`;
}
