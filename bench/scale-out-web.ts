// Scenario 2 of bench/scale-out.ts (run it from there): web processes and
// worker processes at once on one PostgreSQL. W web processes (`app/main.ts`,
// WORKER=off, each on its own loopback port) receive the signed webhooks from
// one load client (bench/load-client.ts, 32 in flight in all; each run of
// BENCH_SHOPS requests, one per shop, to the next process), while N worker processes
// (`app/worker-main.ts`, started first) drain the queue as the jobs arrive:
// the web processes' commits wake them (LISTEN/NOTIFY).
//
// Columns: ingest req/s over all web processes (the load client's clock);
// drain s from the first webhook sent until no job is queued or running, tail s
// the part of it after the last webhook was answered; jobs/s end to end = done /
// drain s; CPU ms/job from /proc: the web processes' over the webhooks sent, the
// workers' over the jobs done, both counted from the first webhook on (start-up,
// about 1.5 s per process, would be most of it in a short run: printed apart).
import { randomBytes } from 'node:crypto';
import { drainThenStop, OUTCOME_COLUMNS, outcomeCells, outcomeOf, totalCpuMs, untilListening, withScaleOutStack, type AppProcess, type Outcome } from './app-processes.js';
import { fmt, runLoadClient, table } from './bench-setup.js';
import type { LoadResult } from './load-client.js';

export interface WebRow extends Outcome {
  webs: number;
  workers: number;
  jobs: number;
  ingestPerS: number;
  drainS: number;
  tailS: number;
  jobsPerS: number;
  webCpuMsPerJob: number;
  workerCpuMsPerJob: number;
  /** CPU ms per process when the first webhook was sent (not in the per-job figures). */
  startupCpuMs: { web: number; worker: number };
}

export async function runWebAndWorkers(o: { webs: number; workers: number; jobs: number; shopsCount: number; concurrency: number; timeoutS: number }): Promise<WebRow> {
  return withScaleOutStack(o.shopsCount, o.concurrency, async (stack) => {
    const workers = Array.from({ length: o.workers }, () => stack.startWorker());
    const webs: AppProcess[] = [];
    // One after the other: on 2 cores two start-ups at once only take longer each.
    for (let i = 0; i < o.webs; i++) webs.push(await stack.startWeb());
    const all = [...webs, ...workers];
    await untilListening(stack, 1 + all.length);
    for (const p of all) p.sample();
    const startup = { web: totalCpuMs(webs), worker: totalCpuMs(workers) };

    const started = Date.now();
    let ingested = false;
    const load: Promise<LoadResult | { error: unknown }> = runLoadClient({
      url: webs[0]!.url!,
      urls: webs.map((w) => w.url!),
      apiVersion: stack.app.config.shopify.apiVersion,
      shops: stack.shops.map((s) => s.id),
      requests: o.jobs,
      concurrency: 32,
      warmup: 0,
      runTag: randomBytes(4).toString('hex'),
    })
      .catch((error: unknown) => ({ error }))
      .finally(() => (ingested = true));
    const ended = await drainThenStop(stack, all, { started, timeoutS: o.timeoutS, ingested: () => ingested });
    const result = await load;
    if ('error' in result) throw result.error;
    if (result.errors) throw new Error(`webhooks refused (${JSON.stringify(result.outcomes)}): ${result.firstError}`);

    const outcome = await outcomeOf(stack, o.jobs);
    const drainS = (ended - result.startedAt) / 1000;
    return {
      webs: o.webs,
      workers: o.workers,
      jobs: o.jobs,
      ingestPerS: result.throughput,
      drainS,
      tailS: drainS - result.durationMs / 1000,
      jobsPerS: outcome.done / drainS,
      webCpuMsPerJob: (totalCpuMs(webs) - startup.web) / o.jobs,
      workerCpuMsPerJob: (totalCpuMs(workers) - startup.worker) / Math.max(1, outcome.done),
      startupCpuMs: { web: startup.web / o.webs, worker: startup.worker / o.workers },
      ...outcome,
    };
  });
}

export function printWebRows(rows: WebRow[]): void {
  console.log('\nweb and worker processes, live (webhooks received while the workers drain):');
  console.log(
    table(
      ['web processes', 'worker processes', 'jobs', 'ingest req/s', 'drain s', 'tail s', 'jobs/s end to end', 'CPU ms/job (web)', 'CPU ms/job (workers)', ...OUTCOME_COLUMNS],
      rows.map((r) => [
        String(r.webs),
        String(r.workers),
        String(r.jobs),
        fmt(r.ingestPerS),
        fmt(r.drainS),
        fmt(r.tailS),
        fmt(r.jobsPerS),
        fmt(r.webCpuMsPerJob, 2),
        fmt(r.workerCpuMsPerJob, 2),
        ...outcomeCells(r),
      ]),
    ),
  );
  for (const r of rows) {
    console.log(`start-up CPU before the first webhook (not included above), ${r.webs} web: ${fmt(r.startupCpuMs.web, 0)} ms per web process, ${fmt(r.startupCpuMs.worker, 0)} ms per worker process`);
  }
}
