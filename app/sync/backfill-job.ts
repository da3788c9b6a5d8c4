// The initial sync's job. One 'backfill' job drives a run in slices:
// 1. exporting: bulkOperationRunQuery on the customers connection, then the job
//    polls the operation by re-queueing itself with a delay (never sleeping);
// 2. sending: the JSONL result is downloaded as a stream (from the byte offset
//    reached) and split into lines; each customer goes through the same
//    decision path as a webhook (syncCustomerConsent, origin 'backfill'):
//    pending and not_subscribed send nothing, a newer known unsubscribe is never
//    re-subscribed, settings apply. Counters and the offset are saved after every
//    batch, so a restart resumes where the run stopped; lines re-read after a
//    crash are skipped as in sync once their customer's row was stored (a
//    customer's trace and row are not one transaction: one whose trace left
//    just before the process died is sent again, the same state, a no-op in
//    edrone; never lost). The cancel flag is checked between batches.
// A slice ends after JOB_SLICE_MS, or at once when the worker stops; the job is
// then re-queued and continues from the saved offset.
import { customerFromExportLine, openBulkResult, type ExportLine, type ShopifyCustomer } from '../adapters/index.js';
import type { BackfillRun, ShopRow } from '../db/index.js';
import { AppError, PermanentError, RetriableError, coerceError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Job, JobContext, JobHandler, JobResult } from '../queue/index.js';
import { finishBackfill } from './backfill-run.js';
import { runBounded } from './bounded.js';
import { neverTouchedKeys, syncCustomerConsent, type CustomerOutcome } from './customer-consent.js';
import type { SyncDeps } from './deps.js';
import { readPayload, runJob } from './job-payloads.js';

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

type LineDone = { bytes: number; outcome: CustomerOutcome | null };

export function createBackfillHandler(deps: SyncDeps, options: BackfillOptions): JobHandler {
  const { data } = deps;
  const batchLines = options.batchLines ?? 100;
  const maxConsecutiveFailures = options.maxConsecutiveFailures ?? 50;
  const finish = (runId: string, status: 'completed' | 'cancelled' | 'failed', error?: string) => finishBackfill(data, runId, status, error ?? null);

  return async (job: Job, jc: JobContext): Promise<JobResult> => {
    const { runId } = readPayload(runJob, job.payload);
    const run = await data.backfillRuns.find(runId);
    // Finished, or driven by another job: nothing to do here.
    if (!run || run.status !== 'running' || run.jobId !== job.id) return;
    const shop = await data.shops.find(job.shopId);
    if (!shop || shop.uninstalledAt) return finish(run.id, 'failed', 'The app was uninstalled from this store.');
    if (run.cancelRequested) return finish(run.id, 'cancelled');

    try {
      if (run.phase === 'exporting') {
        const next = await exportStep(run);
        if (next !== 'sending') return next;
      }
      const current = await data.backfillRuns.get(run.id);
      if (current.status !== 'running') return;
      return await sendSlice(current, shop, job, jc);
    } catch (e) {
      // A refusal that retrying cannot fix ends the run with the reason; anything else is retried by the worker.
      if (e instanceof PermanentError) {
        await finish(run.id, 'failed', e.merchantMessage);
        return;
      }
      throw e;
    }
  };

  /** Starts or polls the bulk export; 'sending' once its result is ready. */
  async function exportStep(run: BackfillRun): Promise<JobResult | 'sending'> {
    const client = await deps.adminClientFor(run.shopId);
    const later = { rescheduleAt: new Date(Date.now() + options.pollMs) };
    if (!run.bulkOperationId) {
      const op = await client.startCustomerExport();
      await data.backfillRuns.setBulkOperation(run.id, op.id);
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
        await data.backfillRuns.exportFinished(run.id, op.url, op.objectCount);
        if (!op.url) {
          // Nothing matched: the store has no customers.
          await finish(run.id, 'completed');
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

  async function sendSlice(run: BackfillRun, shop: ShopRow, job: Job, jc: JobContext): Promise<JobResult> {
    if (!run.resultUrl) throw new PermanentError('bulk_result_missing', 'The export has no result to read. Start the initial sync again.');
    const deadline = Date.now() + options.sliceMs;
    const opened = await openBulkResult(run.resultUrl, {
      offset: Number(run.byteOffset),
      signal: jc.signal,
      fetch: options.fetch,
      headersTimeoutMs: options.downloadTimeoutMs,
    });
    if (opened.kind === 'stopped') return { rescheduleAt: new Date() };
    if (opened.kind === 'ended') return finish(run.id, 'completed');
    try {
      return await processLines(run, shop, job, jc, opened.lines, deadline);
    } finally {
      opened.close();
    }
  }

  async function processLines(
    run: BackfillRun,
    shop: ShopRow,
    job: Job,
    jc: JobContext,
    lines: AsyncIterator<ExportLine>,
    deadline: number,
  ): Promise<JobResult> {
    let consecutiveFailures = 0;
    for (;;) {
      const { batch, ended } = await readBatch(lines, jc.signal);
      const { done, error } = await processBatch(shop, job, batch, jc.signal);
      // Save what this batch finished: the first `done.length` lines, all of them complete.
      if (done.length > 0) await data.backfillRuns.addProgress(run.id, job.id, progressOf(done));
      if (error) throw error;

      for (const o of done) {
        if (!o.outcome) continue;
        if (o.outcome.sent === 0 && o.outcome.failed > 0) consecutiveFailures += 1;
        else if (o.outcome.sent > 0 || o.outcome.skipped > 0) consecutiveFailures = 0;
      }
      if (consecutiveFailures >= maxConsecutiveFailures) {
        const last = [...done].reverse().find((o) => o.outcome?.lastError)?.outcome?.lastError ?? '';
        await finish(run.id, 'failed', `Stopped after ${consecutiveFailures} customers in a row could not be sent. ${last}`.trim());
        return;
      }
      if (ended && done.length === batch.length) {
        await finish(run.id, 'completed');
        return;
      }
      // Between batches: cancel, worker stopping, slice over, lease lost.
      const latest = await data.backfillRuns.control(run.id);
      if (!latest || latest.status !== 'running' || latest.jobId !== job.id) return;
      if (latest.cancelRequested) {
        await finish(run.id, 'cancelled');
        return;
      }
      if (jc.signal.aborted || Date.now() >= deadline) return { rescheduleAt: new Date() };
      if (!(await jc.heartbeat())) return; // another worker took the job over
    }
  }

  /** Up to batchLines lines; `ended` when the file has no more. */
  async function readBatch(lines: AsyncIterator<ExportLine>, signal: AbortSignal): Promise<{ batch: ExportLine[]; ended: boolean }> {
    const batch: ExportLine[] = [];
    while (batch.length < batchLines) {
      let next: IteratorResult<ExportLine>;
      try {
        next = await lines.next();
      } catch (e) {
        if (signal.aborted) break;
        if (e instanceof AppError) throw e;
        throw new RetriableError('bulk_download_failed', `Reading Shopify's export failed: ${coerceError(e).message}`, e);
      }
      if (next.done) return { batch, ended: true };
      batch.push(next.value);
    }
    return { batch, ended: false };
  }

  /**
   * Processes one batch, `concurrency` customers at a time, in order. On an error
   * that must stop the run, no new line starts; `done` is the longest prefix of
   * lines that all finished (later ones are read again on resume: harmless).
   */
  async function processBatch(shop: ShopRow, job: Job, batch: ExportLine[], signal: AbortSignal): Promise<{ done: LineDone[]; error: Error | null }> {
    // Parse first (a bad line fails the batch at its place), then one lookup for the never-touched channels.
    const customers: (ShopifyCustomer | null | Error)[] = batch.map((line) => {
      try {
        return customerFromExportLine(line.text);
      } catch (e) {
        return coerceError(e);
      }
    });
    const parsed = customers.filter((c): c is ShopifyCustomer => c !== null && !(c instanceof Error));
    const absent = await data.consent.withoutRows(shop.id, neverTouchedKeys(parsed));
    const { results, error, finishedPrefix } = await runBounded(
      batch,
      options.concurrency,
      async (line, index): Promise<LineDone> => {
        const customer = customers[index];
        if (customer instanceof Error) throw customer;
        const outcome = customer ? await syncCustomerConsent(deps, shop, customer, 'backfill', job.id, absent) : null;
        return { bytes: line.bytes, outcome };
      },
      { signal },
    );
    return { done: results.slice(0, finishedPrefix) as LineDone[], error };
  }
}

function progressOf(done: LineDone[]) {
  return done.reduce(
    (acc, o) => ({
      lines: acc.lines + 1,
      bytes: acc.bytes + o.bytes,
      read: acc.read + (o.outcome ? 1 : 0),
      sent: acc.sent + (o.outcome && o.outcome.sent > 0 ? 1 : 0),
      failed: acc.failed + (o.outcome && o.outcome.sent === 0 && o.outcome.failed > 0 ? 1 : 0),
      skipped: acc.skipped + (o.outcome && o.outcome.sent === 0 && o.outcome.failed === 0 ? 1 : 0),
    }),
    { lines: 0, bytes: 0, read: 0, sent: 0, failed: 0, skipped: 0 },
  );
}
