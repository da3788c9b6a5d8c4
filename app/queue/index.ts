// The durable job queue: a Job table, claims with a lease, retries with backoff,
// a dead letter, and the worker loop that runs handlers. It knows nothing about
// shops or consent: the application passes its handlers and hooks in.
//
// - `newJob` + `insertJob`: store a job inside the caller's transaction.
// - `createJobQueue`: claim, complete, fail, postpone, reschedule, replay, and
//   the read models the admin needs (dead jobs, counts).
// - `createWorker`: runs claimed jobs; every job ends in exactly one of
//   complete, reschedule, postpone or fail (a handler may complete its job in
//   its own transaction with the statements of complete-in-transaction.ts).
export { DEFAULT_MAX_ATTEMPTS, LEASE_MS, deleteIdleJobsMentioning, deleteIdleJobsOf, insertJob, newJob, type ClaimFilter, type Job, type NewJob } from './job-rows.js';
export { pgCompleteJob, SQLITE_COMPLETE_JOB } from './complete-in-transaction.js';
export { createJobQueue, type HeldJobs, type JobCounts, type JobQueue, type JobQueueOptions } from './job-queue.js';
export { fairPick } from './fair-pick.js';
export {
  ACCESS_RECHECK_MS,
  createWorker,
  type JobContext,
  type JobHandler,
  type JobResult,
  type Worker,
  type WorkerHooks,
  type WorkerLane,
} from './worker.js';
