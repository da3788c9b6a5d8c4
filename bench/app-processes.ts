// What the scale-out scenarios share (bench/scale-out.ts, bench/scale-out-web.ts):
// one PostgreSQL with the bench shops and the fake edrone in a child process,
// the app's entry points as OS processes on it (`app/main.ts` with WORKER=off,
// `app/worker-main.ts`), their own CPU time from /proc, the wait until the
// queue is empty, and the tally of the traces edrone received.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  API_KEY,
  API_SECRET,
  benchShops,
  createBenchDatabase,
  forget,
  installShops,
  onInterrupt,
  peakInAnySecond,
  startBenchApp,
  startFakeEdroneProcess,
  type BenchApp,
  type BenchDatabase,
  type BenchShop,
  type FakeEdroneProcess,
} from './bench-setup.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU ms (user + system) of a process and its children that exited, from /proc. */
export function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime stime cutime cstime are fields 14-17 of stat; after "pid (comm) " they are at 11..14.
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return (ticks * 1000) / 100;
  } catch {
    return NaN;
  }
}

/**
 * CPU ms of the local PostgreSQL server so far: every process named postgres (the
 * postmaster's count includes its backends that exited). The machine's other
 * databases count too: run on a machine where the benchmark is the only client.
 */
export function postgresCpuMs(): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') total += cpuMsOf(Number(pid)) || 0;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

export interface ScaleOutStack {
  edrone: FakeEdroneProcess;
  db: BenchDatabase;
  /** The in-process app (WORKER=off): it migrated the database and installed the shops. */
  app: BenchApp;
  shops: BenchShop[];
  /** `npm run worker` without npm in between (its CPU is then the process's own). */
  startWorker(): AppProcess;
  /**
   * `npm start` without npm in between (its prestart only builds the admin UI,
   * which webhooks do not need): app/main.ts with WORKER=off on its own
   * loopback port, resolved once GET /healthz answers 200.
   */
  startWeb(): Promise<AppProcess>;
}

/**
 * A fresh database with `shopsCount` installed shops and the fake edrone, for
 * `run`. The shops are in the database before any app process starts, so no
 * process's shop cache can miss them. Afterwards every process started through
 * the stack is stopped and the database dropped.
 */
export async function withScaleOutStack<T>(shopsCount: number, workerConcurrency: number, run: (stack: ScaleOutStack) => Promise<T>): Promise<T> {
  const edrone = await startFakeEdroneProcess();
  const db = await createBenchDatabase('postgres');
  const running: AppProcess[] = [];
  try {
    const app = await startBenchApp({ databaseUrl: db.url, edroneUrl: edrone.url });
    try {
      const shops = benchShops(shopsCount);
      await installShops(app, shops);
      const env = {
        SHOPIFY_API_KEY: API_KEY,
        // The bench's secret box: the app derives its key from the Shopify secret, the same in every process.
        SHOPIFY_API_SECRET: API_SECRET,
        SHOPIFY_APP_URL: 'https://consent-sync.example.com',
        DATABASE_URL: db.url,
        EDRONE_API_URL: edrone.url,
        SHOPIFY_ADMIN_ORIGIN: 'http://127.0.0.1:9',
        WORKER: 'off',
        WORKER_CONCURRENCY: String(workerConcurrency),
        LOG_LEVEL: 'error',
      };
      const start = (entry: string, extra: Record<string, string> = {}) => {
        const proc = startAppProcess(entry, { ...env, ...extra });
        running.push(proc);
        return proc;
      };
      return await run({
        edrone,
        db,
        app,
        shops,
        startWorker: () => start('app/worker-main.ts'),
        async startWeb() {
          const port = await freePort();
          const proc = start('app/main.ts', { HOST: '127.0.0.1', PORT: String(port) });
          await untilHealthy(proc, `http://127.0.0.1:${port}`);
          return proc;
        },
      });
    } finally {
      await Promise.all(running.map((p) => p.stop()));
      await app.close();
    }
  } finally {
    await db.drop();
    await edrone.close();
  }
}

export interface AppProcess {
  child: ChildProcess;
  /** For web processes: http://127.0.0.1:<port>, once it answers. */
  url?: string;
  /** The last CPU ms read from /proc while it ran (sample() reads it). */
  cpuMs: number;
  sample(): void;
  /** SIGTERM (the app's graceful stop), resolved when it has exited; again: nothing more. */
  stop(): Promise<void>;
}

function startAppProcess(entry: string, env: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async () => void child.kill('SIGKILL');
  onInterrupt(kill);
  const proc: AppProcess = {
    child,
    cpuMs: 0,
    sample() {
      // After the exit /proc has nothing: the last reading stands.
      const ms = child.pid ? cpuMsOf(child.pid) : NaN;
      if (Number.isFinite(ms)) proc.cpuMs = ms;
    },
    async stop() {
      proc.sample();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      forget(kill);
    },
  };
  return proc;
}

/** A loopback port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function untilHealthy(proc: AppProcess, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`web process at ${url} exited with ${proc.child.exitCode ?? proc.child.signalCode}`);
    if (Date.now() > deadline) throw new Error(`web process at ${url} did not answer /healthz within ${timeoutMs} ms`);
    await sleep(100);
  }
  proc.url = url;
}

/**
 * Waits until `count` processes (the in-process app included) listen for the
 * database's notifications: each app process does so as the last step of its
 * start-up (app/db/notifications.ts), right before a worker starts claiming.
 */
export async function untilListening(stack: ScaleOutStack, count: number, timeoutMs = 60_000): Promise<void> {
  const { prisma } = stack.app.server.ctx.db;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`;
    if ((row?.n ?? 0) >= count) return;
    if (Date.now() > deadline) throw new Error(`${row?.n ?? 0} of ${count} app processes listening after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * Waits until `ingested()` is true and no job is queued or running (or the
 * timeout passes), reading the processes' CPU every 200 ms, then stops them.
 * Returns the time (epoch ms) the queue was found empty.
 */
export async function drainThenStop(
  stack: ScaleOutStack,
  procs: AppProcess[],
  options: { started: number; timeoutS: number; ingested?: () => boolean },
): Promise<number> {
  const { prisma } = stack.app.server.ctx.db;
  const ingested = options.ingested ?? (() => true);
  let open = 1;
  while ((open > 0 || !ingested()) && Date.now() - options.started < options.timeoutS * 1000) {
    await sleep(200);
    for (const p of procs) p.sample();
    open = await prisma.job.count({ where: { status: { in: ['queued', 'running'] } } });
  }
  const ended = Date.now();
  await Promise.all(procs.map((p) => p.stop()));
  return ended;
}

export interface Outcome {
  /** Jobs in status done. */
  done: number;
  /** Most traces of one App ID in any 1-second window (edrone allows 100). */
  peakPerApp: number;
  /** Webhooks sent whose email edrone never received. */
  lost: number;
  /** Emails edrone received more than once. */
  duplicates: number;
}

/** The outcome's columns, the last ones of every scale-out table. */
export const OUTCOME_COLUMNS = ['peak traces/App ID/1 s', 'done', 'lost', 'sent twice'];
export const outcomeCells = (o: Outcome): string[] => [String(o.peakPerApp), String(o.done), String(o.lost), String(o.duplicates)];

/** What became of `jobs` webhooks, each a distinct email: the job table and edrone's record. */
export async function outcomeOf(stack: ScaleOutStack, jobs: number): Promise<Outcome> {
  const traces = await stack.edrone.traces();
  const byApp = new Map<string, number[]>();
  const byEmail = new Map<string, number>();
  for (const t of traces) {
    const appId = t.fields.app_id ?? '';
    const times = byApp.get(appId);
    if (times) times.push(t.receivedAt);
    else byApp.set(appId, [t.receivedAt]);
    byEmail.set(t.fields.email ?? '', (byEmail.get(t.fields.email ?? '') ?? 0) + 1);
  }
  return {
    done: await stack.app.server.ctx.db.prisma.job.count({ where: { status: 'done' } }),
    peakPerApp: Math.max(0, ...[...byApp.values()].map(peakInAnySecond)),
    lost: jobs - Math.min(jobs, byEmail.size),
    duplicates: [...byEmail.values()].filter((n) => n > 1).length,
  };
}

/** The processes' CPU ms together, as last sampled. */
export function totalCpuMs(procs: AppProcess[]): number {
  return procs.reduce((s, p) => s + p.cpuMs, 0);
}

/** Nothing lost, nothing sent twice, every job done, edrone's limit kept. */
export function clean(o: Outcome & { jobs: number }): boolean {
  return o.done === o.jobs && o.lost === 0 && o.duplicates === 0 && o.peakPerApp <= 100;
}
