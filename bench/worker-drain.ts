// Benchmark: how fast the worker drains Shopify consent webhook jobs into
// edrone traces (the fake edrone on loopback, in a child process).
//
//   npx tsx bench/worker-drain.ts [--db sqlite|postgres|both]
//
// Per database, two scenarios with the same number of jobs:
//   1 shop x K        bounded by the pacing of traces (95/s per App ID)
//   S shops x K/S     each shop its own edrone App ID, so pacing is not the limit:
//                     this measures the pipeline (claim, decide, trace, record)
// Phase 1 (worker off): K webhooks are POSTed by bench/load-client.ts (a child
// process), each a distinct customer becoming subscribed, so each job sends one
// trace. Phase 2: the worker starts; the clock runs until no job is queued or
// running (or BENCH_DRAIN_TIMEOUT_S passes).
//
// The fake edrone runs in a child process (this file with --fake-edrone-child),
// like the real one it does not share the app's event loop; BENCH_EDRONE=inline
// runs it in this process instead.
//
// env: BENCH_JOBS (2000), BENCH_SHOPS (10), BENCH_WORKER_CONCURRENCY (4, the
//      app default), BENCH_CONCURRENCY (32, for enqueueing), BENCH_DRAIN_TIMEOUT_S
//      (300), BENCH_EDRONE (process|inline), BENCH_PG_URL, BENCH_LOG_LEVEL (error).
// Each scenario runs twice on fresh databases: the project's worker, then the lean
// raw-SQL worker of bench/lean-worker.ts on the same queued jobs (same fake
// edrone, same 95/s pacing per App ID); the last table gives the ratios.
// BENCH_LEAN=off runs the project only.
// Exit code 1 when a job did not finish, died, or traces != jobs.
import { randomBytes } from 'node:crypto';
import { startFakeEdrone, type ReceivedTrace } from '../app/sandbox/fake-edrone.js';
import { runLeanWorker } from './lean-worker.js';
import {
  benchShops,
  createBenchDatabase,
  dbKindsFromArgs,
  envInt,
  fmt,
  loadLine,
  installShops,
  machineLine,
  mb,
  peakInAnySecond,
  runLoadClient,
  startBenchApp,
  startFakeEdroneProcess,
  table,
  type DbKind,
} from './bench-setup.js';

interface Scenario {
  shops: number;
  perShop: number;
}

type WorkerKind = 'project' | 'lean';

interface Row {
  database: string;
  scenario: string;
  worker: WorkerKind;
  jobs: number;
  enqueueRate: number;
  drainS: number;
  jobsPerS: number;
  traces: number;
  tracesPerS: number;
  /** Most traces one app_id received within any 1 s window. */
  peakPerApp1s: number;
  /** CPU time of this process (app, worker and fake edrone) over the drain's wall time. */
  cpuPercent: number;
  /** The same CPU time per job: the app's cost per job, whatever else runs on the machine. */
  cpuMsPerJob: number;
  done: number;
  dead: number;
  retried: number;
  rssBefore: number;
  rssAfter: number;
  ok: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The fake edrone, in this process or in a child; traces() reads what it accepted. */
interface EdroneTarget {
  url: string;
  traces(): Promise<ReceivedTrace[]>;
  close(): Promise<void>;
}

async function startEdroneTarget(mode: 'process' | 'inline'): Promise<EdroneTarget> {
  if (mode === 'inline') {
    const edrone = await startFakeEdrone({ host: '127.0.0.1' });
    return { url: edrone.url, traces: async () => edrone.traces, close: () => edrone.close() };
  }
  return startFakeEdroneProcess();
}

/** Child mode: serve the fake edrone until SIGTERM, or until the parent is gone (stdin closed). */
async function fakeEdroneChild(): Promise<void> {
  const edrone = await startFakeEdrone({ host: '127.0.0.1' });
  const stop = () => void edrone.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdin.on('end', stop).on('error', stop).resume();
  process.stdout.on('error', stop);
  process.stdout.write(`FAKE_EDRONE_URL=${edrone.url}\n`);
}

function peakPerSecond(traces: ReceivedTrace[]): number {
  const byApp = new Map<string, number[]>();
  for (const t of traces) {
    const app = t.fields.app_id ?? '';
    const list = byApp.get(app) ?? [];
    list.push(t.receivedAt);
    byApp.set(app, list);
  }
  return Math.max(0, ...[...byApp.values()].map(peakInAnySecond));
}

async function runOne(
  kind: DbKind,
  scenario: Scenario,
  workerKind: WorkerKind,
  opts: { workerConcurrency: number; enqueueConcurrency: number; timeoutS: number; edroneMode: 'process' | 'inline' },
): Promise<Row> {
  const jobs = scenario.shops * scenario.perShop;
  const label = `${scenario.shops} shop${scenario.shops > 1 ? 's' : ''} x ${scenario.perShop}`;
  const edrone = await startEdroneTarget(opts.edroneMode);
  const db = await createBenchDatabase(kind);
  try {
    const app = await startBenchApp({ databaseUrl: db.url, edroneUrl: edrone.url, workerConcurrency: opts.workerConcurrency });
    try {
      const shops = benchShops(scenario.shops);
      await installShops(app, shops);
      const { db: { prisma }, worker } = app.server.ctx;

      // Phase 1: enqueue through the real endpoint, worker off.
      const load = await runLoadClient({
        url: app.server.url,
        apiVersion: app.config.shopify.apiVersion,
        shops: shops.map((s) => s.id),
        requests: jobs,
        concurrency: opts.enqueueConcurrency,
        warmup: 0,
        runTag: randomBytes(4).toString('hex'),
      });
      const queued = await prisma.job.count({ where: { status: 'queued' } });
      if (load.errors > 0 || queued !== jobs) {
        throw new Error(`enqueueing failed: ${load.errors} errors, ${queued}/${jobs} jobs queued (${load.firstError ?? ''})`);
      }

      // Phase 2: drain.
      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      const cpuBefore = process.cpuUsage();
      const started = Date.now();
      let open = jobs;
      // Both workers drain under the same watch (the same count every 100 ms), so its CPU is in both rows.
      const lean = workerKind === 'lean' ? runLeanWorker(kind, db.url, edrone.url, opts.workerConcurrency) : null;
      let leanFailed = false;
      lean?.catch(() => (leanFailed = true));
      if (!lean) worker.start();
      const deadline = started + opts.timeoutS * 1000;
      while (open > 0 && Date.now() < deadline && !leanFailed) {
        await sleep(100);
        open = await prisma.job.count({ where: { status: { in: ['queued', 'running'] } } });
      }
      if (lean) await lean;
      else await worker.stop();
      const cpu = process.cpuUsage(cpuBefore);
      const wallMs = Date.now() - started;
      const rssAfter = process.memoryUsage().rss;
      if (open > 0) console.error(`[${kind} ${label}] drain timed out after ${opts.timeoutS} s with ${open} jobs open`);

      const done = await prisma.job.count({ where: { status: 'done' } });
      const dead = await prisma.job.count({ where: { status: 'dead' } });
      const retried = await prisma.job.count({ where: { attempts: { gt: 1 } } });
      // (aggregate _max on a DateTime does not come back as a Date with the SQLite adapter's unixepoch-ms format)
      const last = await prisma.job.findFirst({ where: { finishedAt: { not: null } }, orderBy: { finishedAt: 'desc' }, select: { finishedAt: true } });
      const finishedAt = last?.finishedAt?.getTime() ?? Date.now();
      const drainMs = Math.max(1, finishedAt - started);
      const received = await edrone.traces();
      const traces = received.length;
      const lastTraceAt = received.reduce((m, t) => Math.max(m, t.receivedAt), started);
      const failedExample = dead
        ? await prisma.job.findFirst({ where: { status: 'dead' }, select: { lastError: true } })
        : retried
          ? await prisma.job.findFirst({ where: { attempts: { gt: 1 } }, select: { lastError: true } })
          : null;
      if (failedExample?.lastError) console.error(`[${kind} ${label}] example job error: ${failedExample.lastError}`);
      return {
        database: db.label,
        scenario: label,
        worker: workerKind,
        jobs,
        enqueueRate: load.throughput,
        drainS: drainMs / 1000,
        jobsPerS: (done / drainMs) * 1000,
        traces,
        tracesPerS: traces / (Math.max(1, lastTraceAt - started) / 1000),
        peakPerApp1s: peakPerSecond(received),
        cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
        cpuMsPerJob: (cpu.user + cpu.system) / 1000 / jobs,
        done,
        dead,
        retried,
        rssBefore,
        rssAfter,
        ok: open === 0 && done === jobs && dead === 0 && traces === jobs,
      };
    } finally {
      await app.close();
    }
  } finally {
    await db.drop();
    await edrone.close();
  }
}

async function main(): Promise<void> {
  const kinds = dbKindsFromArgs();
  const jobs = envInt('BENCH_JOBS', 2000);
  const shopCount = envInt('BENCH_SHOPS', 10, 1000);
  const workerConcurrency = envInt('BENCH_WORKER_CONCURRENCY', 4, 64);
  const enqueueConcurrency = envInt('BENCH_CONCURRENCY', 32, 1024);
  const timeoutS = envInt('BENCH_DRAIN_TIMEOUT_S', 300, 3600);
  const edroneMode = process.env.BENCH_EDRONE === 'inline' ? 'inline' : 'process';
  const workers: WorkerKind[] = process.env.BENCH_LEAN === 'off' ? ['project'] : ['project', 'lean'];
  const perShop = Math.floor(jobs / shopCount);
  if (perShop < 1) throw new Error('BENCH_JOBS must be at least BENCH_SHOPS');
  const scenarios: Scenario[] = [
    { shops: 1, perShop: jobs },
    ...(shopCount > 1 ? [{ shops: shopCount, perShop }] : []),
  ];
  console.log(
    `worker drain: Shopify email consent jobs -> fake edrone traces; worker concurrency ${workerConcurrency}, ` +
      `trace pacing 95/s per App ID, fake edrone ${edroneMode === 'process' ? 'in a child process' : 'in-process'}; ${machineLine()}`,
  );

  const rows: Row[] = [];
  let failed = false;
  for (const kind of kinds) {
    for (const scenario of scenarios) {
      for (const workerKind of workers) {
        try {
          rows.push(await runOne(kind, scenario, workerKind, { workerConcurrency, enqueueConcurrency, timeoutS, edroneMode }));
        } catch (e) {
          failed = true;
          console.error(`[${kind} ${scenario.shops}x${scenario.perShop} ${workerKind}] benchmark failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
  }

  console.log(`\nafter the runs: ${loadLine()}`);
  console.log(
    table(
      ['database', 'scenario', 'worker', 'jobs', 'enqueue req/s', 'drain s', 'jobs/s', 'traces', 'traces/s', 'peak/app/1s', 'CPU %', 'CPU ms/job', 'done/dead/retried', 'RSS before -> after'],
      rows.map((r) => [
        r.database,
        r.scenario,
        r.worker,
        String(r.jobs),
        fmt(r.enqueueRate, 0),
        fmt(r.drainS, 2),
        fmt(r.jobsPerS, 1),
        `${r.traces}${r.traces === r.jobs ? '' : ' MISMATCH'}`,
        fmt(r.tracesPerS, 1),
        String(r.peakPerApp1s),
        fmt(r.cpuPercent, 0),
        fmt(r.cpuMsPerJob, 1),
        `${r.done}/${r.dead}/${r.retried}`,
        `${mb(r.rssBefore)} -> ${mb(r.rssAfter)}`,
      ]),
    ),
  );
  const pairs = rows.flatMap((p) => {
    const lean = p.worker === 'project' ? rows.find((l) => l.worker === 'lean' && l.database === p.database && l.scenario === p.scenario) : undefined;
    return lean ? [{ p, lean }] : [];
  });
  if (pairs.length > 0) {
    console.log('\nproject vs the lean raw-SQL worker (goal: >= 0.50 on both):');
    console.log(
      table(
        ['database', 'scenario', 'jobs/s project / lean', 'CPU ms/job project / lean', 'jobs/s ratio', 'CPU/job ratio (lean / project)'],
        pairs.map(({ p, lean }) => [
          p.database,
          p.scenario,
          `${fmt(p.jobsPerS, 1)} / ${fmt(lean.jobsPerS, 1)}`,
          `${fmt(p.cpuMsPerJob, 1)} / ${fmt(lean.cpuMsPerJob, 1)}`,
          fmt(p.jobsPerS / lean.jobsPerS, 2),
          fmt(lean.cpuMsPerJob / p.cpuMsPerJob, 2),
        ]),
      ),
    );
  }
  if (rows.some((r) => !r.ok)) failed = true;
  process.exitCode = failed ? 1 : 0;
}

const entry = process.argv.includes('--fake-edrone-child') ? fakeEdroneChild() : main();
entry.catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exitCode = 1;
});
