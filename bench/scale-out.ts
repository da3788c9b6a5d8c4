// Scale-out benchmark on one PostgreSQL: Shopify consent jobs of 10 shops
// (10 edrone App IDs) drained into the fake edrone (a child process) by
// separate OS processes of the app. Two scenarios, each on a fresh database:
//
// 1. Workers only: the webhooks are enqueued first through POST /webhooks of the
//    in-process web app (WORKER=off), then 1, 2 and 4 worker processes
//    (`app/worker-main.ts`) drain them.
// 2. Web and workers, live (bench/scale-out-web.ts): 2 web processes
//    (`app/main.ts`, WORKER=off, each on its own port) receive the webhooks,
//    spread over both, while 2 worker processes drain them: ingest and drain overlap.
//
// Each table gives throughput, CPU per job (the processes' own CPU time from
// /proc; start-up included in scenario 1, given apart in scenario 2; in scenario 1
// also the PostgreSQL server's CPU per job and how many cores it kept busy, to
// see whether the database or the app is the limit), the peak
// traces per App ID in any 1-second window (edrone allows 100), and whether
// anything was lost or sent twice. Exit code 1 when any of it fails.
//
//   npx tsx bench/scale-out.ts                                   # both scenarios
//   BENCH_WORKERS=none BENCH_WEB=1,2 npx tsx bench/scale-out.ts  # live rows only, 1 and 2 web processes
//
// env: BENCH_JOBS (3000), BENCH_SHOPS (10), BENCH_WORKER_CONCURRENCY (4), BENCH_DRAIN_TIMEOUT_S (300),
//      BENCH_PG_URL; BENCH_WORKERS (1,2,4): worker processes of scenario 1, one row each;
//      BENCH_WEB (2): web processes of scenario 2, one row each; BENCH_WEB_WORKERS (2): worker
//      processes beside them. "none" skips a scenario.
import { randomBytes } from 'node:crypto';
import { clean, drainThenStop, OUTCOME_COLUMNS, outcomeCells, outcomeOf, postgresCpuMs, totalCpuMs, withScaleOutStack } from './app-processes.js';
import { envCounts, envInt, fmt, loadLine, machineLine, runLoadClient, table } from './bench-setup.js';
import { printWebRows, runWebAndWorkers, type WebRow } from './scale-out-web.js';

async function runWorkersOnly(workers: number, jobs: number, shopsCount: number, concurrency: number, timeoutS: number) {
  return withScaleOutStack(shopsCount, concurrency, async (stack) => {
    const { app, shops } = stack;
    const load = await runLoadClient({ url: app.server.url, apiVersion: app.config.shopify.apiVersion, shops: shops.map((s) => s.id), requests: jobs, concurrency: 32, warmup: 0, runTag: randomBytes(4).toString('hex') });
    if (load.errors) throw new Error(`enqueueing failed: ${load.firstError}`);
    const procs = Array.from({ length: workers }, () => stack.startWorker());
    const started = Date.now();
    const pgBefore = postgresCpuMs();
    const wallS = ((await drainThenStop(stack, procs, { started, timeoutS })) - started) / 1000;
    const pgMs = postgresCpuMs() - pgBefore;
    const outcome = await outcomeOf(stack, jobs);
    // Start-up (about 1.5 s of CPU per process: tsx, connecting) is included here.
    const cpuMsPerJob = totalCpuMs(procs) / Math.max(1, outcome.done);
    return { workers, jobs, wallS, jobsPerS: outcome.done / wallS, cpuMsPerJob, pgMsPerJob: pgMs / Math.max(1, outcome.done), pgCores: pgMs / 1000 / wallS, ...outcome };
  });
}

async function main(): Promise<void> {
  const jobs = envInt('BENCH_JOBS', 3000);
  const shops = envInt('BENCH_SHOPS', 10);
  const concurrency = envInt('BENCH_WORKER_CONCURRENCY', 4);
  const timeoutS = envInt('BENCH_DRAIN_TIMEOUT_S', 300);
  const counts = envCounts('BENCH_WORKERS', [1, 2, 4]);
  const webCounts = envCounts('BENCH_WEB', [2]);
  const webWorkers = envInt('BENCH_WEB_WORKERS', 2, 64);
  console.log(
    `scale-out: ${jobs} Shopify consent jobs of ${shops} shops (${shops} App IDs), PostgreSQL, worker concurrency ${concurrency} each; ` +
      `workers only: ${counts.length ? `${counts.join('/')} worker processes` : 'skipped'}; ` +
      `live: ${webCounts.length ? `${webCounts.join('/')} web processes with ${webWorkers} worker processes` : 'skipped'}; ${machineLine()}`,
  );
  const rows = [];
  for (const n of counts) rows.push(await runWorkersOnly(n, jobs, shops, concurrency, timeoutS));
  const webRows: WebRow[] = [];
  for (const n of webCounts) webRows.push(await runWebAndWorkers({ webs: n, workers: webWorkers, jobs, shopsCount: shops, concurrency, timeoutS }));
  console.log(`\nafter the runs: ${loadLine()}`);
  if (rows.length > 0) {
    console.log('\nworkers only (jobs enqueued before the workers start):');
    console.log(
      table(
        ['worker processes', 'jobs', 'drain s', 'jobs/s', 'CPU ms/job (workers)', 'PostgreSQL CPU ms/job', 'PostgreSQL cores busy', ...OUTCOME_COLUMNS],
        rows.map((r) => [
          String(r.workers),
          String(r.jobs),
          fmt(r.wallS),
          fmt(r.jobsPerS),
          fmt(r.cpuMsPerJob, 2),
          fmt(r.pgMsPerJob, 2),
          fmt(r.pgCores, 2),
          ...outcomeCells(r),
        ]),
      ),
    );
  }
  if (webRows.length > 0) printWebRows(webRows);
  process.exitCode = [...rows, ...webRows].every(clean) ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exitCode = 1;
});
