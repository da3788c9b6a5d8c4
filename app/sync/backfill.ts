// The initial sync (backfill) of a shop's existing customers.
//
// One BackfillRun row per run and one 'backfill' job that drives it in slices:
// 1. exporting: bulkOperationRunQuery on the customers connection, then the job
//    polls the operation by re-queueing itself with a delay (never sleeping);
// 2. sending: the JSONL result is downloaded as a stream (from the byte offset
//    reached, with an HTTP Range request) and split into lines; each customer
//    goes through syncShopifyConsent for email and SMS with origin 'backfill',
//    the same decision path as a webhook: pending and not_subscribed send
//    nothing, a newer known unsubscribe is never re-subscribed, settings apply.
//    Counters and the offset are saved after every batch, so a restart resumes
//    where the run stopped; lines re-read after a crash are skipped as in sync,
//    so no customer is sent twice. The cancel flag is checked between batches.
// A slice ends after JOB_SLICE_MS, or at once when the worker stops; the job is
// then re-queued and continues from the saved offset.
import { z } from 'zod';
import { isUniqueViolation, type PrismaClient } from '../db/database.js';
import type { Logger } from '../logger.js';
import { AppError, PermanentError, RetriableError, coerceError } from '../errors.js';
import { newJob, type Job } from '../queue/job-queue.js';
import type { JobContext, JobHandler, JobResult } from '../queue/worker.js';
import { recordActivity } from './activity.js';
import {
  neverTouchedKeys,
  syncCustomerConsent,
  withoutRows,
  type CustomerOutcome,
} from './customer-consent.js';
import { customerFromExportLine, jsonLines, type ShopifyCustomer } from '../adapters/shopify/index.js';
import type { SyncDeps } from './sync-deps.js';
import type { ShopRow } from '../db/shop-repository.js';

export type BackfillStatus = 'running' | 'completed' | 'cancelled' | 'failed';
export type BackfillPhase = 'exporting' | 'sending' | 'done';

/** The row as Prisma returns it. */
export type BackfillRunRow = NonNullable<Awaited<ReturnType<PrismaClient['backfillRun']['findUnique']>>>;

/** GET /api/backfill's `run`. */
export interface BackfillRunView {
  id: string;
  status: BackfillStatus;
  phase: BackfillPhase;
  read: number;
  sent: number;
  skipped: number;
  failed: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  /** A cancel was asked for and is applied at the next batch. */
  cancelRequested: boolean;
  /** Customers in the export, once Shopify finished it (null before). */
  total: number | null;
}

export function backfillView(run: BackfillRunRow): BackfillRunView {
  return {
    id: run.id,
    status: run.status as BackfillStatus,
    phase: run.phase as BackfillPhase,
    read: run.read,
    sent: run.sent,
    skipped: run.skipped,
    failed: run.failed,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    error: run.error,
    cancelRequested: run.cancelRequested,
    total: run.objectCount,
  };
}

export class BackfillConflictError extends AppError {
  constructor(message: string) {
    super('backfill_conflict', message, { retriable: false, httpStatus: 409 });
  }
}

/** Short transactions, but a loaded database may make them wait. */
const TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 };


export function latestBackfill(prisma: PrismaClient, shopId: string) {
  return prisma.backfillRun.findFirst({ where: { shopId }, orderBy: [{ startedAt: 'desc' }, { id: 'desc' }] });
}

/** Starts a run (row and job in one transaction). BackfillConflictError while one is active. */
export async function startBackfill(prisma: PrismaClient, shopId: string, now = new Date()): Promise<BackfillRunRow> {
  try {
    return await prisma.$transaction(async (tx) => {
      const run = await tx.backfillRun.create({ data: { shopId, activeKey: shopId, startedAt: now } });
      const job = newJob(shopId, 'backfill', { runId: run.id }, now);
      await tx.job.create({ data: job });
      return tx.backfillRun.update({ where: { id: run.id }, data: { jobId: job.id } });
    }, TX_OPTIONS);
  } catch (e) {
    if (isUniqueViolation(e)) throw new BackfillConflictError('An initial sync is already running for this store.');
    throw e;
  }
}

/** Asks the active run to stop at its next batch; its job runs now to notice. */
export async function cancelBackfill(prisma: PrismaClient, shopId: string, now = new Date()): Promise<BackfillRunRow> {
  const run = await prisma.backfillRun.findUnique({ where: { activeKey: shopId } });
  if (!run) throw new BackfillConflictError('No initial sync is running.');
  await prisma.backfillRun.updateMany({ where: { id: run.id, status: 'running' }, data: { cancelRequested: true } });
  if (run.jobId) await prisma.job.updateMany({ where: { id: run.jobId, status: 'queued' }, data: { runAt: now } });
  return prisma.backfillRun.findUniqueOrThrow({ where: { id: run.id } });
}

/** Ends a run: frees the shop for a new one and leaves a summary in Activity. */
export async function finishBackfill(
  prisma: PrismaClient,
  runId: string,
  status: Exclude<BackfillStatus, 'running'>,
  error: string | null = null,
  now = new Date(),
): Promise<void> {
  const { count } = await prisma.backfillRun.updateMany({
    where: { id: runId, status: 'running' },
    data: { status, activeKey: null, finishedAt: now, error, ...(status === 'completed' ? { phase: 'done' } : {}) },
  });
  if (count === 0) return;
  const run = await prisma.backfillRun.findUniqueOrThrow({ where: { id: runId } });
  const counts = `read ${run.read} customers, sent ${run.sent}, skipped ${run.skipped} (already in sync, or nothing to send), failed ${run.failed}`;
  const what = { completed: 'finished', cancelled: 'was cancelled', failed: 'stopped' }[status];
  await recordActivity(prisma, {
    shopId: run.shopId,
    jobId: run.jobId,
    origin: 'backfill',
    target: 'edrone',
    channel: 'none',
    result: status === 'failed' ? 'failed' : 'recorded',
    reason: `Initial sync ${what}: ${counts}.${error ? ` ${error}` : ''}`,
  });
}

// ---------------------------------------------------------------------------
// The job

const payloadSchema = z.object({ runId: z.string() });

export interface BackfillOptions {
  pollMs: number;
  /** Customers processed at once within a batch. */
  concurrency: number;
  /** A slice yields after this long (and when the worker stops). */
  sliceMs: number;
  /** Lines per batch: counters and offset are saved after each. */
  batchLines?: number;
  /** A run stops when this many customers in a row failed (edrone refuses everything). */
  maxConsecutiveFailures?: number;
  fetch?: typeof fetch;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn'>;
  /** Download: time allowed until the response starts. */
  downloadTimeoutMs?: number;
}

export function createBackfillHandler(deps: SyncDeps, options: BackfillOptions): JobHandler {
  const { prisma } = deps;
  const doFetch = options.fetch ?? fetch;
  const batchLines = options.batchLines ?? 100;
  const maxConsecutiveFailures = options.maxConsecutiveFailures ?? 50;

  return async (job: Job, jc: JobContext): Promise<JobResult> => {
    const { runId } = payloadSchema.parse(JSON.parse(job.payload));
    const run = await prisma.backfillRun.findUnique({ where: { id: runId } });
    // Finished, or driven by another job: nothing to do here.
    if (!run || run.status !== 'running' || run.jobId !== job.id) return;
    const shop = await prisma.shop.findUnique({ where: { id: job.shopId } });
    if (!shop || shop.uninstalledAt) return finishBackfill(prisma, run.id, 'failed', 'The app was uninstalled from this store.');
    if (run.cancelRequested) return finishBackfill(prisma, run.id, 'cancelled');

    try {
      if (run.phase === 'exporting') {
        const next = await exportStep(run);
        if (next !== 'sending') return next;
      }
      const current = await prisma.backfillRun.findUniqueOrThrow({ where: { id: run.id } });
      if (current.status !== 'running') return;
      return await sendSlice(current, shop, job, jc);
    } catch (e) {
      // A refusal that retrying cannot fix ends the run with the reason; anything else is retried by the worker.
      if (e instanceof PermanentError) {
        await finishBackfill(prisma, run.id, 'failed', e.merchantMessage);
        return;
      }
      throw e;
    }
  };

  /** Starts or polls the bulk export; 'sending' once its result is ready. */
  async function exportStep(run: BackfillRunRow): Promise<JobResult | 'sending'> {
    const client = await deps.adminClientFor(run.shopId);
    const later = { rescheduleAt: new Date(Date.now() + options.pollMs) };
    if (!run.bulkOperationId) {
      const op = await client.startCustomerExport();
      await prisma.backfillRun.update({ where: { id: run.id }, data: { bulkOperationId: op.id } });
      options.logger?.info({ shop: run.shopId, bulkOperation: op.id }, 'backfill: export started');
      return later;
    }
    const op = await client.bulkOperation(run.bulkOperationId);
    if (!op) throw new PermanentError('bulk_operation_missing', 'Shopify no longer knows the export of this initial sync. Start it again.');
    switch (op.status) {
      case 'CREATED':
      case 'RUNNING':
      case 'CANCELING':
        return later;
      case 'COMPLETED':
        await prisma.backfillRun.update({
          where: { id: run.id },
          data: { phase: op.url ? 'sending' : 'done', resultUrl: op.url, objectCount: op.objectCount },
        });
        if (!op.url) {
          // Nothing matched: the store has no customers.
          await finishBackfill(prisma, run.id, 'completed');
          return;
        }
        return 'sending';
      default:
        throw new PermanentError(
          'bulk_operation_failed',
          `Shopify's export of the customers ended ${op.status.toLowerCase()}${op.errorCode ? ` (${op.errorCode})` : ''}. Start the initial sync again.`,
        );
    }
  }

  async function sendSlice(run: BackfillRunRow, shop: ShopRow, job: Job, jc: JobContext): Promise<JobResult> {
    if (!run.resultUrl) throw new PermanentError('bulk_result_missing', 'The export has no result to read. Start the initial sync again.');
    const deadline = Date.now() + options.sliceMs;
    const offset = Number(run.byteOffset);
    const download = new AbortController();
    const onStop = () => download.abort();
    jc.signal.addEventListener('abort', onStop, { once: true });
    const headersTimer = setTimeout(() => download.abort(), options.downloadTimeoutMs ?? 30_000);
    let response: Response;
    try {
      response = await doFetch(run.resultUrl, { headers: offset > 0 ? { Range: `bytes=${offset}-` } : {}, signal: download.signal });
    } catch (e) {
      jc.signal.removeEventListener('abort', onStop);
      if (jc.signal.aborted) return { rescheduleAt: new Date() };
      throw new RetriableError('bulk_download_failed', `Could not download Shopify's export: ${coerceError(e).message}`, e);
    } finally {
      clearTimeout(headersTimer);
    }

    try {
      if (response.status === 416) {
        // The offset is the end of the file: everything was read.
        await finishBackfill(prisma, run.id, 'completed');
        return;
      }
      if (response.status === 403 || response.status === 404 || response.status === 410) {
        throw new PermanentError(
          'bulk_result_expired',
          'The export file is no longer available (Shopify keeps it for 7 days). Start the initial sync again.',
        );
      }
      if (!response.ok || !response.body) {
        throw new RetriableError('bulk_download_failed', `Downloading Shopify's export failed (HTTP ${response.status}).`);
      }
      // A server that ignores Range answers 200 with the whole file: skip what was already read.
      const skipBytes = response.status === 206 ? 0 : offset;
      const lines = jsonLines(response.body as unknown as AsyncIterable<Uint8Array>, { skipBytes })[Symbol.asyncIterator]();
      return await processLines(run, shop, job, jc, lines, deadline);
    } finally {
      jc.signal.removeEventListener('abort', onStop);
      download.abort();
    }
  }

  async function processLines(
    run: BackfillRunRow,
    shop: ShopRow,
    job: Job,
    jc: JobContext,
    lines: AsyncIterator<{ text: string; bytes: number }>,
    deadline: number,
  ): Promise<JobResult> {
    let consecutiveFailures = 0;
    for (;;) {
      // One batch: read up to batchLines lines, then process them a few at a time.
      const batch: { text: string; bytes: number }[] = [];
      let ended = false;
      while (batch.length < batchLines) {
        let next: IteratorResult<{ text: string; bytes: number }>;
        try {
          next = await lines.next();
        } catch (e) {
          if (jc.signal.aborted) break;
          if (e instanceof AppError) throw e;
          throw new RetriableError('bulk_download_failed', `Reading Shopify's export failed: ${coerceError(e).message}`, e);
        }
        if (next.done) {
          ended = true;
          break;
        }
        batch.push(next.value);
      }

      const { done, error } = await processBatch(shop, job, batch, jc.signal);
      // Save what this batch finished: the first `done.length` lines, all of them complete.
      const sum = done.reduce(
        (acc, o) => ({
          bytes: acc.bytes + o.bytes,
          read: acc.read + (o.outcome ? 1 : 0),
          sent: acc.sent + (o.outcome && o.outcome.sent > 0 ? 1 : 0),
          failed: acc.failed + (o.outcome && o.outcome.sent === 0 && o.outcome.failed > 0 ? 1 : 0),
          skipped: acc.skipped + (o.outcome && o.outcome.sent === 0 && o.outcome.failed === 0 ? 1 : 0),
        }),
        { bytes: 0, read: 0, sent: 0, failed: 0, skipped: 0 },
      );
      if (done.length > 0) {
        await prisma.backfillRun.updateMany({
          where: { id: run.id, jobId: job.id, status: 'running' },
          data: {
            lineOffset: { increment: done.length },
            byteOffset: { increment: BigInt(sum.bytes) },
            read: { increment: sum.read },
            sent: { increment: sum.sent },
            skipped: { increment: sum.skipped },
            failed: { increment: sum.failed },
          },
        });
      }
      if (error) throw error;

      for (const o of done) {
        if (!o.outcome) continue;
        if (o.outcome.sent === 0 && o.outcome.failed > 0) consecutiveFailures += 1;
        else if (o.outcome.sent > 0 || o.outcome.skipped > 0) consecutiveFailures = 0;
      }
      if (consecutiveFailures >= maxConsecutiveFailures) {
        const last = [...done].reverse().find((o) => o.outcome?.lastError)?.outcome?.lastError ?? '';
        await finishBackfill(prisma, run.id, 'failed', `Stopped after ${consecutiveFailures} customers in a row could not be sent. ${last}`.trim());
        return;
      }
      if (ended && done.length === batch.length) {
        await finishBackfill(prisma, run.id, 'completed');
        return;
      }
      // Between batches: cancel, worker stopping, slice over, lease lost.
      const latest = await prisma.backfillRun.findUnique({ where: { id: run.id }, select: { cancelRequested: true, status: true, jobId: true } });
      if (!latest || latest.status !== 'running' || latest.jobId !== job.id) return;
      if (latest.cancelRequested) {
        await finishBackfill(prisma, run.id, 'cancelled');
        return;
      }
      if (jc.signal.aborted || Date.now() >= deadline) return { rescheduleAt: new Date() };
      if (!(await jc.heartbeat())) return; // another worker took the job over
    }
  }

  /**
   * Processes one batch, `concurrency` customers at a time, in order. On an error
   * that must stop the run, no new line starts; `done` is the longest prefix of
   * lines that all finished (later ones are read again on resume: harmless).
   */
  async function processBatch(
    shop: ShopRow,
    job: Job,
    batch: { text: string; bytes: number }[],
    signal: AbortSignal,
  ): Promise<{ done: { bytes: number; outcome: CustomerOutcome | null }[]; error: Error | null }> {
    const results: ({ bytes: number; outcome: CustomerOutcome | null } | undefined)[] = new Array(batch.length);
    let error: Error | null = null;
    let firstFailed = batch.length;
    // Parse first (a bad line fails the batch at its place), then one lookup for the never-touched channels.
    const customers: (ShopifyCustomer | null | Error)[] = batch.map((line) => {
      try {
        return customerFromExportLine(line.text);
      } catch (e) {
        return coerceError(e);
      }
    });
    const absent = await withoutRows(
      deps,
      shop.id,
      neverTouchedKeys(customers.filter((c): c is ShopifyCustomer => c !== null && !(c instanceof Error))),
    );
    let next = 0;
    const worker = async () => {
      // A stopping worker starts no new customer; the ones under way finish.
      while (error === null && !signal.aborted && next < batch.length) {
        const index = next++;
        const line = batch[index]!;
        try {
          const customer = customers[index];
          if (customer instanceof Error) throw customer;
          const outcome = customer ? await syncCustomerConsent(deps, shop, customer, 'backfill', job.id, absent) : null;
          results[index] = { bytes: line.bytes, outcome };
        } catch (e) {
          error ??= coerceError(e);
          firstFailed = Math.min(firstFailed, index);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, Math.max(batch.length, 1)) }, worker));
    const done: { bytes: number; outcome: CustomerOutcome | null }[] = [];
    for (let i = 0; i < firstFailed; i++) {
      const r = results[i];
      if (!r) break;
      done.push(r);
    }
    return { done, error };
  }
}
