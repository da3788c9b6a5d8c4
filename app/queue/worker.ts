// Runs due jobs: claims up to `concurrency`, runs each through its handler, and
// ends every job in exactly one of complete / fail / postpone.
import { randomUUID } from 'node:crypto';
import { AppError, ShopAccessError, ThrottledError, coerceError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { JobQueue } from './job-queue.js';
import type { Job } from './job-rows.js';

/** What a handler gets besides its job: long jobs check `signal` and renew their lease. */
export interface JobContext {
  /** Aborted when the worker stops: a long job saves its progress and returns { rescheduleAt }. */
  signal: AbortSignal;
  /** Extends the job's lease; false when this worker lost the job (it must stop at once). */
  heartbeat(): Promise<boolean>;
}

/**
 * A handler returns nothing when done, or when to run the same job again to continue,
 * or `{ completed: true }` when it marked the job done itself, in its own write
 * transaction, guarded by the job's lockedBy (complete-in-transaction.ts).
 */
export type JobResult = void | { rescheduleAt: Date } | { completed: true };

export type JobHandler = (job: Job, context: JobContext) => Promise<JobResult>;

/** How long a job waits after its shop's token was rejected, before it is tried again. */
export const ACCESS_RECHECK_MS = 5 * 60_000;

/** What the application does when a job ends in one of the ways the worker does not decide alone. */
export interface WorkerHooks {
  /** Called once when a job is dead-lettered, to make the failure visible. */
  onDead?: (job: Job, message: string) => Promise<void>;
  /** A service asked for a pause (the job is postponed to `until` without spending an attempt). */
  onThrottled?: (job: Job, error: ThrottledError, until: Date) => Promise<void>;
  /** The shop's access was revoked (the job waits ACCESS_RECHECK_MS without spending an attempt). */
  onAccessRevoked?: (job: Job, error: ShopAccessError) => Promise<void>;
}

/**
 * A share of the worker for some job kinds, with its own concurrency, so that a slow
 * outside system holds up only the jobs that call it (and, with `perShop`, one store
 * only its own share of the lane).
 */
export interface WorkerLane {
  name: string;
  /** The kinds this lane runs (absent: every kind no other lane names). */
  kinds?: readonly string[];
  concurrency: number;
  /** At most this many jobs of one shop run at once in this lane (in this process). */
  perShop?: number;
}

export interface Worker {
  start(): void;
  /** Stops claiming and waits for running jobs. */
  stop(): Promise<void>;
  /** Looks for due jobs now instead of at the next poll. */
  wake(): void;
  /** Claims and runs due jobs until none is left (tests, CLI). */
  drain(options?: { timeoutMs?: number }): Promise<void>;
  readonly id: string;
}

export function createWorker(
  deps: {
    queue: JobQueue;
    handlers: Record<string, JobHandler>;
    logger: Logger;
    concurrency?: number;
    /** Separate shares by job kind (default: one lane of `concurrency` for every kind). */
    lanes?: WorkerLane[];
    pollMs?: number;
    id?: string;
  } & WorkerHooks,
): Worker {
  const { queue, handlers, logger } = deps;
  const concurrency = deps.concurrency ?? 4;
  const pollMs = deps.pollMs ?? 500;
  const id = deps.id ?? `worker-${randomUUID().slice(0, 8)}`;
  const running = new Set<Promise<void>>();
  const named = (deps.lanes ?? []).flatMap((l) => l.kinds ?? []);
  const lanes = (deps.lanes?.length ? deps.lanes : [{ name: 'all', concurrency }]).map((l) => ({
    ...l,
    // A lane without kinds takes what the others do not name.
    kinds: l.kinds ?? (named.length ? Object.keys(handlers).filter((k) => !named.includes(k)) : undefined),
    running: new Set<Promise<void>>(),
    perShopRunning: new Map<string, number>(),
  }));
  let timer: NodeJS.Timeout | null = null;
  let stopped = true;
  let ticking = false;
  let tickAgain = false;
  let abort = new AbortController();

  async function run(job: Job): Promise<void> {
    const log = logger.child({ jobId: job.id, kind: job.kind, shop: job.shopId, attempt: job.attempts });
    const handler = handlers[job.kind];
    // A slow call must not look abandoned: keep the lease while the job runs.
    const keepLease = setInterval(() => void queue.heartbeat(job).catch(() => {}), Math.max(250, queue.leaseMs / 3));
    try {
      if (!handler) throw new AppError('unknown_job_kind', `No handler for job kind ${job.kind}`);
      const result = await handler(job, { signal: abort.signal, heartbeat: () => queue.heartbeat(job) });
      if (!result) await queue.complete(job);
      else if ('rescheduleAt' in result) await queue.reschedule(job, result.rescheduleAt);
    } catch (e) {
      const err = coerceError(e);
      if (err instanceof ThrottledError) {
        const until = new Date(Date.now() + err.retryAfterMs);
        await deps.onThrottled?.(job, err, until).catch(() => {});
        await queue.postpone(job, until, err.message);
        log.debug({ retryAfterMs: err.retryAfterMs }, 'throttled, postponed');
      } else if (err instanceof ShopAccessError) {
        // Waiting costs nothing; burning the retries of every queued job would lose them.
        await deps.onAccessRevoked?.(job, err).catch(() => {});
        await queue.postpone(job, new Date(Date.now() + ACCESS_RECHECK_MS), err.message);
        log.warn('shop access revoked; its jobs wait until the merchant reconnects');
      } else {
        const retriable = err instanceof AppError ? err.retriable : true;
        const outcome = await queue.fail(job, err.message, retriable);
        if (outcome === 'dead') await deps.onDead?.(job, err.message).catch(() => {});
        log[outcome === 'dead' ? 'error' : 'warn']({ err: err.message, outcome }, 'job failed');
      }
    } finally {
      clearInterval(keepLease);
    }
  }

  type Lane = (typeof lanes)[number];
  // A freed slot claims for its own lane only; every lane is looked at on wake, and at least
  // every pollMs on the way (an idle lane's claim costs a query: not one per finished job).
  const wanted = new Set<Lane>();
  let wakeAll = false;
  let fullTickAt = 0;

  async function tick(full = true): Promise<number> {
    if (ticking) {
      // A slot freed while a claim is in flight: look again right after it.
      tickAgain = true;
      return 0;
    }
    ticking = true;
    const all = full || wakeAll || Date.now() - fullTickAt >= pollMs;
    if (all) {
      fullTickAt = Date.now();
      wakeAll = false;
    }
    const chosen = all ? lanes : lanes.filter((l) => wanted.has(l));
    wanted.clear();
    try {
      let claimed = 0;
      for (const lane of chosen) {
        const free = lane.concurrency - lane.running.size;
        if (free <= 0 || lane.kinds?.length === 0) continue;
        const perShop = lane.perShop;
        const skipShops = perShop ? [...lane.perShopRunning].filter(([, n]) => n >= perShop).map(([shop]) => shop) : [];
        const jobs = await queue.claim(id, free, undefined, { kinds: lane.kinds, skipShops, perShop });
        for (const job of jobs) {
          lane.perShopRunning.set(job.shopId, (lane.perShopRunning.get(job.shopId) ?? 0) + 1);
          const p = run(job).finally(() => {
            running.delete(p);
            lane.running.delete(p);
            const left = (lane.perShopRunning.get(job.shopId) ?? 1) - 1;
            if (left > 0) lane.perShopRunning.set(job.shopId, left);
            else lane.perShopRunning.delete(job.shopId);
            if (!stopped) schedule(0, lane);
          });
          running.add(p);
          lane.running.add(p);
        }
        claimed += jobs.length;
      }
      return claimed;
    } catch (e) {
      // Database errors can carry whole query plans: the first line says what happened.
      logger.error({ err: coerceError(e).message.split('\n')[0]?.slice(0, 500) }, 'claiming jobs failed');
      return 0;
    } finally {
      ticking = false;
      if (tickAgain && !stopped) {
        tickAgain = false;
        schedule(0, 'pending');
      }
    }
  }

  /** `lane`: a slot of it freed; 'all': look for every lane now (start, wake); 'pending': what is asked already. */
  function schedule(ms: number, what: Lane | 'all' | 'pending'): void {
    if (stopped) return;
    if (what === 'all') wakeAll = true;
    else if (what !== 'pending') wanted.add(what);
    if (timer) clearTimeout(timer);
    timer = setTimeout(async () => {
      timer = null;
      await tick(false);
      // Next: what was asked meanwhile, else the poll (every lane, pollMs after the last look).
      if (!stopped && !timer) schedule(wanted.size > 0 || wakeAll ? 0 : pollMs, 'pending');
    }, ms);
  }

  return {
    id,
    start() {
      if (!stopped) return;
      stopped = false;
      if (abort.signal.aborted) abort = new AbortController();
      schedule(0, 'all');
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      abort.abort();
      await Promise.allSettled([...running]);
    },
    wake() {
      if (!stopped) schedule(0, 'all');
    },
    async drain({ timeoutMs = 20_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      if (abort.signal.aborted) abort = new AbortController();
      const signal = abort.signal;
      for (;;) {
        // stop() during a drain: no new claims; the running jobs finish their slice.
        if (signal.aborted) {
          await Promise.allSettled([...running]);
          return;
        }
        const claimed = await tick();
        if (claimed === 0 && running.size === 0) return;
        if (running.size > 0) await Promise.race([...running]);
        if (Date.now() > deadline) throw new Error('drain timed out with jobs still due');
      }
    },
  };
}
