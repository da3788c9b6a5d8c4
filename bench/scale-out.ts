// Scale-out benchmark: 1, 2 and 4 worker processes (`app/worker-main.ts`, each its
// own OS process) against one PostgreSQL, draining Shopify consent jobs of 10
// shops (10 edrone App IDs) into the fake edrone (a child process). Prints
// throughput, CPU per job (the worker processes' own CPU time, from /proc),
// the peak traces per App ID in any 1-second window (edrone allows 100), and
// whether anything was lost or sent twice.
//
//   npx tsx bench/scale-out.ts
//
// env: BENCH_JOBS (3000), BENCH_SHOPS (10), BENCH_WORKERS (1,2,4), BENCH_WORKER_CONCURRENCY (4),
//      BENCH_DRAIN_TIMEOUT_S (300), BENCH_PG_URL. Jobs are enqueued through POST /webhooks
//      of the in-process web app (WORKER=off) before the workers start.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReceivedTrace } from '../app/sandbox/fake-edrone.js';
import {
  API_KEY,
  API_SECRET,
  benchShops,
  createBenchDatabase,
  envInt,
  fmt,
  forget,
  installShops,
  loadLine,
  machineLine,
  onInterrupt,
  runLoadClient,
  startBenchApp,
  table,
} from './bench-setup.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU ms (user + system) of a process and its children that exited, from /proc. */
function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime stime cutime cstime are fields 14-17 of stat; after "pid (comm) " they are at 11..14.
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return (ticks * 1000) / 100;
  } catch {
    return NaN;
  }
}

async function fakeEdrone(): Promise<{ url: string; traces(): Promise<ReceivedTrace[]>; close(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, 'worker-drain.ts'), '--fake-edrone-child'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      const m = /FAKE_EDRONE_URL=(\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`fake edrone exited with ${code}`)));
  });
  const stop = async () => void child.kill('SIGTERM');
  onInterrupt(stop);
  return {
    url,
    async traces() {
      return ((await (await fetch(`${url}/_fake/traces`)).json()) as { traces: ReceivedTrace[] }).traces;
    },
    async close() {
      forget(stop);
      await stop();
    },
  };
}

function peakPer1s(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let lo = 0, hi = 0; hi < t.length; hi++) {
    while (t[hi]! - t[lo]! >= 1000) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return peak;
}

function startWorker(env: Record<string, string>): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'app/worker-main.ts')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  onInterrupt(async () => void child.kill('SIGKILL'));
  return { child, exited };
}

async function runOne(workers: number, jobs: number, shopsCount: number, concurrency: number, timeoutS: number) {
  const edrone = await fakeEdrone();
  const db = await createBenchDatabase('postgres');
  try {
    const app = await startBenchApp({ databaseUrl: db.url, edroneUrl: edrone.url });
    const shops = benchShops(shopsCount);
    try {
      await installShops(app, shops);
      const { prisma } = app.server.ctx.db;
      const load = await runLoadClient({ url: app.server.url, apiVersion: app.config.shopify.apiVersion, shops: shops.map((s) => s.id), requests: jobs, concurrency: 32, warmup: 0, runTag: randomBytes(4).toString('hex') });
      if (load.errors) throw new Error(`enqueueing failed: ${load.firstError}`);

      const env = {
        SHOPIFY_API_KEY: API_KEY,
        SHOPIFY_API_SECRET: API_SECRET,
        SHOPIFY_APP_URL: 'https://consent-sync.example.com',
        DATABASE_URL: db.url,
        EDRONE_API_URL: edrone.url,
        SHOPIFY_ADMIN_ORIGIN: 'http://127.0.0.1:9',
        WORKER: 'off',
        WORKER_CONCURRENCY: String(concurrency),
        LOG_LEVEL: 'error',
        // The bench's secret box: the app derives its key from the Shopify secret, the same in every process.
      };
      const procs = Array.from({ length: workers }, () => startWorker(env));
      const started = Date.now();
      let open = jobs;
      const cpu = new Map<number, number>();
      while (open > 0 && Date.now() - started < timeoutS * 1000) {
        await sleep(200);
        for (const p of procs) if (p.child.pid) cpu.set(p.child.pid, cpuMsOf(p.child.pid));
        open = await prisma.job.count({ where: { status: { in: ['queued', 'running'] } } });
      }
      const wallS = (Date.now() - started) / 1000;
      for (const p of procs) p.child.kill('SIGTERM');
      await Promise.all(procs.map((p) => p.exited));

      const traces = await edrone.traces();
      const byApp = new Map<string, number[]>();
      const byEmail = new Map<string, number>();
      for (const t of traces) {
        const appId = t.fields.app_id ?? '';
        byApp.set(appId, [...(byApp.get(appId) ?? []), t.receivedAt]);
        byEmail.set(t.fields.email ?? '', (byEmail.get(t.fields.email ?? '') ?? 0) + 1);
      }
      const done = await prisma.job.count({ where: { status: 'done' } });
      const duplicates = [...byEmail.values()].filter((n) => n > 1).length;
      // Startup (tsx, migrations check) is included in the CPU; divided over many jobs it is small.
      const cpuMs = [...cpu.values()].reduce((s, v) => s + v, 0);
      return {
        workers,
        jobs,
        wallS,
        jobsPerS: done / wallS,
        cpuMsPerJob: cpuMs / Math.max(1, done),
        peakPerApp: Math.max(0, ...[...byApp.values()].map(peakPer1s)),
        done,
        lost: jobs - Math.min(jobs, byEmail.size),
        duplicates,
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
  const jobs = envInt('BENCH_JOBS', 3000);
  const shops = envInt('BENCH_SHOPS', 10);
  const concurrency = envInt('BENCH_WORKER_CONCURRENCY', 4);
  const timeoutS = envInt('BENCH_DRAIN_TIMEOUT_S', 300);
  const counts = (process.env.BENCH_WORKERS ?? '1,2,4').split(',').map(Number).filter((n) => n > 0);
  console.log(`scale-out: ${jobs} Shopify consent jobs of ${shops} shops (${shops} App IDs), worker processes ${counts.join('/')}, concurrency ${concurrency} each, PostgreSQL; ${machineLine()}`);
  const rows = [];
  for (const n of counts) rows.push(await runOne(n, jobs, shops, concurrency, timeoutS));
  console.log(`\nafter the runs: ${loadLine()}`);
  console.log(
    table(
      ['worker processes', 'jobs', 'drain s', 'jobs/s', 'CPU ms/job (workers)', 'peak traces/App ID/1 s', 'done', 'lost', 'sent twice'],
      rows.map((r) => [String(r.workers), String(r.jobs), fmt(r.wallS), fmt(r.jobsPerS), fmt(r.cpuMsPerJob, 2), String(r.peakPerApp), String(r.done), String(r.lost), String(r.duplicates)]),
    ),
  );
  process.exitCode = rows.every((r) => r.done === r.jobs && r.lost === 0 && r.duplicates === 0 && r.peakPerApp <= 100) ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exitCode = 1;
});
