// What the benchmarks share: a fresh database (temporary SQLite file, or a new
// PostgreSQL database dropped at the end), the app started in-process on
// loopback with WORKER=off, shops inserted directly, the load generator and
// the fake edrone in child processes, and table printing.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig, type AppConfig } from '../app/config.js';
import { startServer, type RunningServer } from '../app/server.js';
import { newSyncToken } from '../app/db/index.js';
import type { ReceivedTrace } from '../app/sandbox/fake-edrone.js';
import type { LoadResult, LoadSpec } from './load-client.js';

export type DbKind = 'sqlite' | 'postgres';

export const API_KEY = 'bench-api-key';
export const API_SECRET = 'bench-api-secret';
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');

/** `--db sqlite|postgres|both` (default both). */
export function dbKindsFromArgs(argv: string[] = process.argv.slice(2)): DbKind[] {
  let value = 'both';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--db') value = argv[++i] ?? '';
    else if (a.startsWith('--db=')) value = a.slice('--db='.length);
    else if (a === '--help' || a === '-h') {
      console.log('usage: npx tsx bench/<name>.ts [--db sqlite|postgres|both]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (expected --db sqlite|postgres|both)`);
  }
  if (value === 'both') return ['sqlite', 'postgres'];
  if (value === 'sqlite' || value === 'postgres') return [value];
  throw new Error(`--db must be sqlite, postgres or both (got "${value}")`);
}

/** A positive integer from the environment, or the default. */
export function envInt(name: string, fallback: number, max = 1_000_000): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name} must be an integer from 1 to ${max} (got "${raw}")`);
  return n;
}

/** A comma-separated list of positive integers from the environment ("none": empty), or the default. */
export function envCounts(name: string, fallback: number[], max = 64): number[] {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'none') return [];
  return raw.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name} must be "none" or integers from 1 to ${max}, comma-separated (got "${raw}")`);
    return n;
  });
}

// ---------------------------------------------------------------------------
// Cleanup that also runs on Ctrl-C, so no bench_* database is left behind.

const cleanups = new Set<() => Promise<void>>();
let handlersInstalled = false;
let signalled = false;

/** Drops a cleanup registered with onInterrupt once it has run normally. */
export function forget(cleanup: () => Promise<void>): void {
  cleanups.delete(cleanup);
}

/** Registers work to undo on Ctrl-C; the handlers are installed on first use only (not in child processes). */
export function onInterrupt(cleanup: () => Promise<void>): void {
  cleanups.add(cleanup);
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      if (signalled) return;
      signalled = true;
      console.error(`\n${sig}: cleaning up`);
      // The app is still running on the database being dropped: its errors no longer matter.
      process.on('uncaughtException', () => {});
      process.on('unhandledRejection', () => {});
      // Newest first: the app stops before its database is dropped.
      void (async () => {
        for (const c of [...cleanups].reverse()) await c().catch(() => {});
        process.exit(130);
      })();
    });
  }
}

export interface BenchDatabase {
  kind: DbKind;
  url: string;
  /** For the table: the file or database name. */
  label: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(kind: DbKind): Promise<BenchDatabase> {
  if (kind === 'sqlite') {
    // BENCH_SQLITE_DIR=/dev/shm takes the disk's fsync out of the numbers (diagnostic only).
    const dir = mkdtempSync(path.join(process.env.BENCH_SQLITE_DIR ?? tmpdir(), 'edrone-bench-'));
    const file = path.join(dir, 'bench.db');
    const db: BenchDatabase = {
      kind,
      url: `file:${file}`,
      label: process.env.BENCH_SQLITE_DIR ? `sqlite (${process.env.BENCH_SQLITE_DIR})` : 'sqlite (temp file)',
      async drop() {
        forget(db.drop);
        rmSync(dir, { recursive: true, force: true });
      },
    };
    onInterrupt(db.drop);
    return db;
  }
  const admin = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
  const name = `bench_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (e) {
    throw new Error(
      `PostgreSQL is not reachable at ${redact(admin)} (${e instanceof Error ? e.message : String(e)}). ` +
        'Start it (pg_ctlcluster --skip-systemctl-redirect <version> main start), set BENCH_PG_URL, or use --db sqlite.',
    );
  }
  try {
    await client.query(`CREATE DATABASE ${name}`);
    const version = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';
    const url = new URL(admin);
    url.pathname = `/${name}`;
    const db: BenchDatabase = {
      kind,
      url: url.toString(),
      label: `postgres ${version}`,
      async drop() {
        forget(db.drop);
        const c = new pg.Client({ connectionString: admin });
        await c.connect();
        try {
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await c.end();
        }
      },
    };
    onInterrupt(db.drop);
    return db;
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

// ---------------------------------------------------------------------------
// The app

export interface BenchApp {
  server: RunningServer;
  config: AppConfig;
  close(): Promise<void>;
}

/** The app with WORKER=off on 127.0.0.1 and an ephemeral port. */
export async function startBenchApp(options: {
  databaseUrl: string;
  edroneUrl?: string;
  workerConcurrency?: number;
  /** Extra environment (e.g. the storefront limits). */
  env?: Record<string, string>;
}): Promise<BenchApp> {
  const config = loadConfig({
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: 'https://consent-sync.example.com',
    PORT: '0',
    DATABASE_URL: options.databaseUrl,
    // Ingest never calls edrone; an unroutable loopback port makes any accidental call fail fast.
    EDRONE_API_URL: options.edroneUrl ?? 'http://127.0.0.1:9',
    // Never used: shops are inserted directly and consent jobs do not call Shopify.
    SHOPIFY_ADMIN_ORIGIN: 'http://127.0.0.1:9',
    WORKER: 'off',
    WORKER_CONCURRENCY: String(options.workerConcurrency ?? 4),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
    ...options.env,
  });
  const server = await startServer(config, { host: '127.0.0.1' });
  const close = async () => {
    forget(close);
    await server.close();
  };
  onInterrupt(close);
  return { server, config, close };
}

export interface BenchShop {
  id: string;
  edroneAppId: string;
  edroneAppSecret: string;
}

/** `count` shops named bench-<i>.myshopify.com, each with its own edrone App ID. */
export function benchShops(count: number): BenchShop[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `bench-${i + 1}.myshopify.com`,
    edroneAppId: `benchapp${i + 1}`,
    edroneAppSecret: `bench-secret-${i + 1}`,
  }));
}

/**
 * Installs shops the short way: the Shop row as PUT /api/settings leaves it
 * (edrone credentials sealed, defaults: both directions, all statuses, both
 * channels). No offline session is stored: Shopify -> edrone jobs never need one.
 */
export async function installShops(app: BenchApp, shops: BenchShop[]): Promise<void> {
  const { db: { prisma }, secretBox } = app.server.ctx;
  for (const s of shops) {
    await prisma.shop.create({
      data: {
        id: s.id,
        syncToken: newSyncToken(),
        edroneAppId: s.edroneAppId,
        edroneAppSecretEnc: secretBox.seal(s.edroneAppSecret),
      },
    });
  }
}

// ---------------------------------------------------------------------------
// The load generator, in a child process

export async function runLoadClient(spec: Omit<LoadSpec, 'apiSecret'>): Promise<LoadResult> {
  const full: LoadSpec = { ...spec, apiSecret: API_SECRET };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, 'load-client.ts')], {
    cwd: ROOT,
    env: { ...process.env, BENCH_LOAD_SPEC: JSON.stringify(full) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async () => {
    child.kill('SIGTERM');
  };
  onInterrupt(stop);
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => (out += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  });
  forget(stop);
  const last = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`load-client exited with ${code}: ${out.slice(-500)}`);
  return JSON.parse(last) as LoadResult;
}

// ---------------------------------------------------------------------------
// The fake edrone, in a child process

export interface FakeEdroneProcess {
  url: string;
  /** Every trace it accepted, with its arrival time. */
  traces(): Promise<ReceivedTrace[]>;
  close(): Promise<void>;
}

/** Like the real edrone, it does not share the app's event loop: bench/worker-drain.ts --fake-edrone-child. */
export async function startFakeEdroneProcess(): Promise<FakeEdroneProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, 'worker-drain.ts'), '--fake-edrone-child'], {
    // stdin stays open while this process lives: the child exits when it closes.
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      const m = /FAKE_EDRONE_URL=(\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`fake edrone child exited with ${code}`)));
    setTimeout(() => reject(new Error('fake edrone child did not start within 30 s')), 30_000).unref();
  });
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  onInterrupt(stop);
  return {
    url,
    async traces() {
      const res = await fetch(`${url}/_fake/traces`);
      return ((await res.json()) as { traces: ReceivedTrace[] }).traces;
    },
    async close() {
      forget(stop);
      await stop();
    },
  };
}

// ---------------------------------------------------------------------------
// Output

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

export function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

/** A Markdown table (readable as is in a terminal, pasteable into RESULTS.md). */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function machineLine(): string {
  return `${os.cpus().length} CPUs, node ${process.version}, ${process.platform}/${process.arch}, ${loadLine()}`;
}

/** Other work on the machine skews every number here: print the load with the results. */
export function loadLine(): string {
  return `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

/** The most of `times` (ms) in any 1-second window: what edrone's 100/s per App ID limits. */
export function peakInAnySecond(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let lo = 0, hi = 0; hi < t.length; hi++) {
    while (t[hi]! - t[lo]! >= 1000) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return peak;
}
