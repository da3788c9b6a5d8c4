// Reconciliation's job: reads the customers Shopify changed since the run's
// start time, page by page (oldest update first), and passes each through the
// same decision path as a webhook; only what no webhook delivered is repaired.
// A slice ends after JOB_SLICE_MS or when the worker stops; the run keeps its
// cursor, so the next slice continues where this one stopped.
import type { CustomerPage, ShopifyCustomer } from '../adapters/index.js';
import type { ShopRow } from '../db/index.js';
import { PermanentError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Job, JobContext, JobHandler, JobResult } from '../queue/index.js';
import { runBounded } from './bounded.js';
import { neverTouchedKeys, syncCustomerConsent, type CustomerOutcome } from './customer-consent.js';
import type { SyncDeps } from './deps.js';
import { readPayload, runJob } from './job-payloads.js';
import { finishReconcile } from './reconcile-run.js';

/** Shopify paginates at most 25,000 objects per query: restart the query from the last update read before that. */
export const MAX_OBJECTS_PER_QUERY = 20_000;

export interface ReconcileOptions {
  /** Customers processed at once within a page. */
  concurrency: number;
  sliceMs: number;
  pageSize?: number;
  maxObjectsPerQuery?: number;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn'>;
}

/** Where a run reads next: the query's start (queryFrom once restarted, inclusive; else the run's since) and the cursor within it. */
type Position = { since: Date; queryFrom: Date | null; cursor: string | null };
type Prefetch = Promise<{ ok: true; value: CustomerPage } | { ok: false; error: unknown }>;

export function createReconcileHandler(deps: SyncDeps, options: ReconcileOptions): JobHandler {
  const { data } = deps;
  const pageSize = options.pageSize ?? 250;
  const maxPerQuery = options.maxObjectsPerQuery ?? MAX_OBJECTS_PER_QUERY;

  return async (job: Job, jc: JobContext): Promise<JobResult> => {
    const { runId } = readPayload(runJob, job.payload);
    let run = await data.reconcileRuns.find(runId);
    if (!run || run.status !== 'running' || run.jobId !== job.id) return;
    const shop = await data.shops.find(job.shopId);
    if (!shop || shop.uninstalledAt) return finishReconcile(data, run.id, 'failed', 'The app was uninstalled from this store.');

    const deadline = Date.now() + options.sliceMs;
    try {
      const client = await deps.adminClientFor(shop.id);
      const read = (p: Position): Prefetch => {
        const page = client.customersUpdatedSince(p.queryFrom ?? p.since, p.cursor, { inclusive: p.queryFrom !== null, first: pageSize });
        // Settled into a value at once: a page read while the previous page fails is never an unhandled rejection.
        return page.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
      };
      let next: Prefetch | null = read(run);
      for (;;) {
        const got: Awaited<Prefetch> = await next;
        next = null;
        if (!got.ok) throw got.error;
        const page = got.value;
        const from = run.queryFrom ?? run.since;
        const last = page.customers.at(-1);
        // Close to Shopify's pagination limit: start a new query from the last update read.
        const restart =
          page.hasNextPage && run.queryCount + page.customers.length >= maxPerQuery && last?.updatedAt && Date.parse(last.updatedAt) > from.getTime()
            ? new Date(last.updatedAt)
            : null;
        // The next page is read while this one is sent (Shopify's and edrone's waits overlap),
        // unless this slice ends with this page.
        if (page.hasNextPage && !jc.signal.aborted && Date.now() < deadline) {
          next = read(restart ? { since: run.since, queryFrom: restart, cursor: null } : { ...run, cursor: page.endCursor });
        }
        const outcomes = await processPage(shop, job, page.customers);
        run = await data.reconcileRuns.recordPage(run.id, {
          checked: page.customers.length,
          repaired: outcomes.reduce((n, o) => n + o.sent, 0),
          failed: outcomes.reduce((n, o) => n + (o.failed > 0 ? 1 : 0), 0),
          next: restart ? { queryFrom: restart } : { cursor: page.endCursor },
        });
        if (!page.hasNextPage) {
          await finishReconcile(data, run.id, 'completed');
          return;
        }
        if (!next || jc.signal.aborted) return { rescheduleAt: new Date() };
        if (!(await jc.heartbeat())) return;
      }
    } catch (e) {
      if (e instanceof PermanentError) {
        await finishReconcile(data, run.id, 'failed', e.merchantMessage);
        return;
      }
      throw e;
    }
  };

  /** All customers of a page, `concurrency` at a time; the first run-stopping error is thrown after the others finish. */
  async function processPage(shop: ShopRow, job: Job, customers: ShopifyCustomer[]): Promise<CustomerOutcome[]> {
    const absent = await data.consent.withoutRows(shop.id, neverTouchedKeys(customers));
    const { results, error } = await runBounded(customers, options.concurrency, (customer) =>
      syncCustomerConsent(deps, shop, customer, 'reconcile', job.id, absent),
    );
    if (error !== null) throw error;
    return results.filter((o): o is CustomerOutcome => o !== undefined);
  }
}
