// Runs the stand-ins and the app as real child processes (`node --import tsx`),
// the way they run outside tests: configuration through the environment only,
// HTTP between them, each with its own event loop and database connection.
// Everything listens on 127.0.0.1. Every wait is bounded, and a failure message
// carries the recent output of the processes involved.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const HOST = '127.0.0.1';

export const API_KEY = 'e2e-api-key';
export const API_SECRET = 'e2e-api-secret';
export const SHOP = 'e2e-store.myshopify.com';
export const EDRONE_APP_ID = 'e2eapp123';
export const EDRONE_SECRET = 'e2e-edrone-secret';

/** Output kept per process (the newest characters). */
const OUTPUT_LIMIT = 64 * 1024;

/** Variables of the app's configuration: never inherited from the test runner's environment. */
const APP_ENV_KEYS = [
  'SHOPIFY_API_KEY',
  'SHOPIFY_API_SECRET',
  'SHOPIFY_APP_URL',
  'SCOPES',
  'PORT',
  'HOST',
  'DATABASE_URL',
  'EDRONE_API_URL',
  'SHOPIFY_ADMIN_ORIGIN',
  'SHOPIFY_API_VERSION',
  'ENCRYPTION_KEY',
  'WORKER',
  'WORKER_CONCURRENCY',
  'WORKER_LEASE_MS',
  'EDRONE_TIMEOUT_MS',
  'SHOPIFY_TIMEOUT_MS',
  'LOG_LEVEL',
  'SANDBOX_FILE',
  'FAKE_SHOPIFY_API_KEY',
  'FAKE_SHOPIFY_API_SECRET',
  'WEBHOOK_TARGET',
];

// ---------------------------------------------------------------------------
// Small utilities

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A port free right now on 127.0.0.1 (the caller retries if another process takes it first). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * Polls `probe` until it returns something other than undefined/false/null, or
 * throws after `timeoutMs` with `what`, the last value seen, and `diagnostics()`.
 * A probe that throws counts as "not yet" (its message is reported on timeout).
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: { timeoutMs?: number; intervalMs?: number; diagnostics?: () => string; last?: () => unknown } = {},
): Promise<T> {
  const { timeoutMs = 15_000, intervalMs = 100 } = options;
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() - started > timeoutMs) {
      const last = options.last ? await Promise.resolve(options.last()).catch((e: unknown) => `(could not read: ${String(e)})`) : undefined;
      throw new Error(
        [
          `Timed out after ${timeoutMs} ms waiting for ${what}.`,
          lastError ? `Last error: ${lastError instanceof Error ? lastError.message : String(lastError)}` : '',
          last !== undefined ? `Last seen: ${JSON.stringify(last, null, 1)}` : '',
          options.diagnostics?.() ?? '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    }
    await sleep(intervalMs);
  }
}

/** JSON over HTTP with a bounded wait; throws with the status and body when not 2xx. */
export async function httpJson<T = unknown>(
  method: string,
  url: string,
  body?: unknown,
  options: { headers?: Record<string, string>; timeoutMs?: number; expectStatus?: number } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  const ok = options.expectStatus !== undefined ? res.status === options.expectStatus : res.ok;
  if (!ok) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  return { status: res.status, body: parsed as T };
}

// ---------------------------------------------------------------------------
// Child processes

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** The newest output (stdout and stderr interleaved), for failure messages. */
  output(): string;
  /** null while running. */
  exitInfo(): ExitInfo | null;
  readonly exited: Promise<ExitInfo>;
  /** Resolves with the first stdout line `test` accepts; rejects on exit or after timeoutMs. */
  waitForLine<T>(test: (line: string) => T | undefined, timeoutMs: number, what: string): Promise<T>;
  /** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. */
  stop(graceMs?: number): Promise<ExitInfo>;
  /** SIGKILL now; resolves once the process is gone. */
  kill(): Promise<ExitInfo>;
  /** "name (pid N, running|exited ...)" plus the newest output. */
  describe(): string;
}

const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

/** If the test runner dies without cleanup, no child outlives it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of live) if (!p.exitInfo()) p.child.kill('SIGKILL');
  });
}

/** The environment of a child: the runner's (PATH, HOME...), minus any app configuration, plus `env`. */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const key of APP_ENV_KEYS) delete base[key];
  // The runner's own loaders and inspector flags are not for the children.
  delete base.NODE_OPTIONS;
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return base;
}

/** Runs `node --import tsx <script>` from the repository root. */
export function spawnTs(name: string, script: string, env: Record<string, string | undefined>): ManagedProcess {
  installExitHook();
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${script})`);
  let output = '';
  let stdoutRest = '';
  let exit: ExitInfo | null = null;
  const lineListeners = new Set<(line: string) => void>();
  const append = (text: string) => {
    output = (output + text).slice(-OUTPUT_LIMIT);
  };
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    append(chunk);
    const lines = (stdoutRest + chunk).split('\n');
    stdoutRest = lines.pop() ?? '';
    for (const line of lines) for (const listener of lineListeners) listener(line);
  });
  child.stderr!.on('data', (chunk: string) => append(chunk));
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      live.delete(proc);
      resolve(exit);
    });
    child.once('error', (e) => {
      append(`\n[spawn error] ${e.message}\n`);
    });
  });

  const describeExit = () => (exit ? `exited with ${exit.signal ?? `code ${exit.code}`}` : 'running');

  const waitGone = async (ms: number): Promise<boolean> =>
    Promise.race([exited.then(() => true), sleep(ms).then(() => false)]);

  const proc: ManagedProcess = {
    name,
    child,
    pid: child.pid,
    exited,
    output: () => output,
    exitInfo: () => exit,
    describe() {
      const text = output.trim() ? output.trimEnd().split('\n').slice(-60).join('\n') : '(no output)';
      return `--- ${name} (pid ${child.pid}, ${describeExit()}) ---\n${text}`;
    },
    waitForLine(test, timeoutMs, what) {
      return new Promise((resolve, reject) => {
        const done = (fn: () => void) => {
          clearTimeout(timer);
          lineListeners.delete(onLine);
          fn();
        };
        const onLine = (line: string) => {
          let value: ReturnType<typeof test>;
          try {
            value = test(line);
          } catch {
            return;
          }
          if (value !== undefined) done(() => resolve(value as NonNullable<typeof value>));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`${name}: no ${what} within ${timeoutMs} ms\n${proc.describe()}`))),
          timeoutMs,
        );
        lineListeners.add(onLine);
        void exited.then(() => done(() => reject(new Error(`${name} exited before printing ${what}\n${proc.describe()}`))));
        // Lines already printed (listeners see new ones only).
        for (const line of output.split('\n')) {
          onLine(line);
          if (!lineListeners.has(onLine)) break;
        }
      });
    },
    async stop(graceMs = 5_000) {
      if (exit) return exit;
      child.kill('SIGTERM');
      if (!(await waitGone(graceMs))) child.kill('SIGKILL');
      if (!(await waitGone(5_000))) throw new Error(`${name} (pid ${child.pid}) did not exit after SIGKILL`);
      return exit!;
    },
    async kill() {
      if (exit) return exit;
      child.kill('SIGKILL');
      if (!(await waitGone(5_000))) throw new Error(`${name} (pid ${child.pid}) did not exit after SIGKILL`);
      return exit!;
    },
  };
  live.add(proc);
  return proc;
}

/** Waits for a process that prints `{"url": "..."}` on stdout when it listens. */
async function announcedUrl(proc: ManagedProcess, timeoutMs: number): Promise<string> {
  return proc.waitForLine(
    (line) => {
      const parsed = JSON.parse(line) as { url?: unknown };
      return typeof parsed.url === 'string' ? parsed.url : undefined;
    },
    timeoutMs,
    'the {"url": ...} line',
  );
}

/** Polls GET url until it answers 200; fails fast when the process exits. */
export async function waitForHealthy(url: string, proc: ManagedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (proc.exitInfo()) throw new Error(`${proc.name} exited before ${url} answered\n${proc.describe()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`;
    } catch (e) {
      last = e instanceof Error ? `${e.message}${e.cause instanceof Error ? ` (${e.cause.message})` : ''}` : String(e);
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last})\n${proc.describe()}`);
}

// ---------------------------------------------------------------------------
// The three programs

export interface FakeProcess {
  proc: ManagedProcess;
  url: string;
}

export async function startFakeShopifyProcess(options: { apiKey?: string; apiSecret?: string; webhookTarget?: string; timeoutMs?: number } = {}): Promise<FakeProcess> {
  const proc = spawnTs('fake-shopify', 'app/sandbox/fake-shopify-main.ts', {
    PORT: '0',
    FAKE_SHOPIFY_API_KEY: options.apiKey ?? API_KEY,
    FAKE_SHOPIFY_API_SECRET: options.apiSecret ?? API_SECRET,
    WEBHOOK_TARGET: options.webhookTarget,
  });
  try {
    return { proc, url: await announcedUrl(proc, options.timeoutMs ?? 20_000) };
  } catch (e) {
    await proc.kill().catch(() => {});
    throw e;
  }
}

export async function startFakeEdroneProcess(options: { timeoutMs?: number } = {}): Promise<FakeProcess> {
  const proc = spawnTs('fake-edrone', 'app/sandbox/fake-edrone-main.ts', { PORT: '0' });
  try {
    return { proc, url: await announcedUrl(proc, options.timeoutMs ?? 20_000) };
  } catch (e) {
    await proc.kill().catch(() => {});
    throw e;
  }
}

export interface AppProcess {
  proc: ManagedProcess;
  url: string;
  port: number;
  /** The environment it was started with (workers get the same). */
  env: Record<string, string>;
}

/**
 * Starts `app/main.ts` on a free port of 127.0.0.1 and waits for GET /healthz.
 * `env` must name the database and the stand-ins; SHOPIFY_APP_URL (its own URL), PORT and HOST are set here.
 * Retries on another port if the chosen one was taken in the meantime.
 */
export async function startAppProcess(env: Record<string, string>, options: { port?: number; timeoutMs?: number; name?: string } = {}): Promise<AppProcess> {
  const timeoutMs = options.timeoutMs ?? 40_000;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const url = `http://${HOST}:${port}`;
    const fullEnv = { ...env, SHOPIFY_APP_URL: url, PORT: String(port), HOST };
    const proc = spawnTs(options.name ?? 'app', 'app/main.ts', fullEnv);
    try {
      await waitForHealthy(`${url}/healthz`, proc, timeoutMs);
      return { proc, url, port, env: fullEnv };
    } catch (e) {
      await proc.stop(2_000).catch(() => {});
      if (attempt < 3 && options.port === undefined && /EADDRINUSE/.test(proc.output())) continue;
      throw e;
    }
  }
}

/** Starts `app/worker-main.ts` (what `npm run worker` runs) with the app's environment. */
export function startWorkerProcess(env: Record<string, string>, name = 'worker'): ManagedProcess {
  const { PORT: _port, HOST: _host, ...rest } = env;
  return spawnTs(name, 'app/worker-main.ts', rest);
}

// ---------------------------------------------------------------------------
// A whole stack: fake Shopify, fake edrone, a fresh database, the app

export interface JobRow {
  id: string;
  kind: string;
  status: string;
  attempts: number;
  lockedBy: string | null;
  lastError: string | null;
  payload: string;
}

export interface ProcessStack {
  app: AppProcess;
  shopify: FakeProcess;
  edrone: FakeProcess;
  db: TestDatabase;
  /** The app's environment: start workers with it. */
  env: Record<string, string>;
  /** Workers started with startWorker (stopped by close). */
  workers: ManagedProcess[];
  startWorker(name?: string, extraEnv?: Record<string, string>): ManagedProcess;
  /** Rows of the Job table, read straight from the database (SQLite read-only, or PostgreSQL). */
  jobs(): Promise<JobRow[]>;
  /** Every process with its recent output, for failure messages. */
  diagnostics(): string;
  close(): Promise<void>;
}

export async function startProcessStack(options: { worker?: 'inline' | 'off'; env?: Record<string, string> } = {}): Promise<ProcessStack> {
  const started: ManagedProcess[] = [];
  let db: TestDatabase | undefined;
  try {
    // The app's port is chosen first so the fake Shopify knows where to send webhooks.
    const appPort = await freePort();
    const appUrl = `http://${HOST}:${appPort}`;
    const [shopify, edrone, database] = await Promise.all([
      startFakeShopifyProcess({ webhookTarget: appUrl }).then((p) => (started.push(p.proc), p)),
      startFakeEdroneProcess().then((p) => (started.push(p.proc), p)),
      createTestDatabase(),
    ]);
    db = database;
    const env: Record<string, string> = {
      SHOPIFY_API_KEY: API_KEY,
      SHOPIFY_API_SECRET: API_SECRET,
      SHOPIFY_APP_URL: appUrl,
      DATABASE_URL: database.url,
      EDRONE_API_URL: edrone.url,
      SHOPIFY_ADMIN_ORIGIN: shopify.url,
      WORKER: options.worker ?? 'inline',
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
      ...options.env,
    };
    let app: AppProcess;
    try {
      app = await startAppProcess(env, { port: appPort });
    } catch (e) {
      if (!/EADDRINUSE/.test(String(e))) throw e;
      // Someone took the port: start elsewhere and point the webhooks there.
      app = await startAppProcess(env);
      await httpJson('PATCH', `${shopify.url}/_fake/settings`, { webhookTarget: app.url });
    }
    started.push(app.proc);
    const workers: ManagedProcess[] = [];
    const stack: ProcessStack = {
      app,
      shopify,
      edrone,
      db: database,
      env: app.env,
      workers,
      startWorker(name = `worker-${workers.length + 1}`, extraEnv = {}) {
        const w = startWorkerProcess({ ...app.env, ...extraEnv }, name);
        workers.push(w);
        return w;
      },
      jobs: () => readJobs(database.url),
      diagnostics() {
        return ['Processes:', ...[shopify.proc, edrone.proc, app.proc, ...workers].map((p) => p.describe())].join('\n');
      },
      async close() {
        await Promise.allSettled([...workers, app.proc].map((p) => p.stop()));
        await Promise.allSettled([shopify.proc.stop(), edrone.proc.stop()]);
        await database.drop();
      },
    };
    return stack;
  } catch (e) {
    await Promise.allSettled(started.map((p) => p.stop(2_000)));
    await db?.drop().catch(() => {});
    throw e;
  }
}

/** Reads the Job table without going through the app: SQLite opened read-only, or a PostgreSQL connection. */
export async function readJobs(databaseUrl: string): Promise<JobRow[]> {
  const columns = 'id, kind, status, attempts, "lockedBy", "lastError", payload';
  if (databaseUrl.startsWith('file:')) {
    const db = new BetterSqlite3(databaseUrl.slice('file:'.length), { readonly: true, fileMustExist: true, timeout: 2_000 });
    try {
      return db.prepare(`SELECT ${columns} FROM "Job" ORDER BY "createdAt"`).all() as JobRow[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rows } = await client.query<JobRow>(`SELECT ${columns} FROM "Job" ORDER BY "createdAt"`);
    return rows;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------
// The stand-ins' control APIs over HTTP

export interface FakeCustomerJson {
  id: string;
  email: string | null;
  phone: string | null;
  emailConsent: { state: string; consentUpdatedAt: string | null } | null;
  smsConsent: { state: string; consentUpdatedAt: string | null } | null;
}

export interface TraceJson {
  receivedAt: number;
  path: string;
  fields: Record<string, string>;
  eventId?: string;
  response?: number | 'hung';
}

export function shopifyControl(url: string) {
  const fake = `${url}/_fake`;
  return {
    async sessionToken(shop = SHOP, ttlSeconds?: number): Promise<string> {
      return (await httpJson<{ token: string }>('POST', `${fake}/session-token`, { shop, ttlSeconds })).body.token;
    },
    async createCustomer(input: {
      shop?: string;
      email?: string;
      phone?: string;
      emailState?: string;
      smsState?: string;
      emailConsentUpdatedAt?: string;
      smsConsentUpdatedAt?: string;
    }): Promise<FakeCustomerJson> {
      return (await httpJson<FakeCustomerJson>('POST', `${fake}/customers`, { shop: SHOP, ...input })).body;
    },
    async getCustomer(id: string, shop = SHOP): Promise<FakeCustomerJson> {
      return (await httpJson<FakeCustomerJson>('GET', `${fake}/customers/${id}?shop=${encodeURIComponent(shop)}`)).body;
    },
    /** The customer changes their consent in Shopify: the fake sends the webhook to the app. */
    async setConsent(id: string, channel: 'email' | 'sms', state: string, shop = SHOP): Promise<FakeCustomerJson> {
      return (await httpJson<FakeCustomerJson>('POST', `${fake}/customers/${id}/consent`, { shop, channel, state })).body;
    },
    async deliveries(): Promise<unknown[]> {
      return (await httpJson<unknown[]>('GET', `${fake}/deliveries`)).body;
    },
  };
}

export function edroneControl(url: string) {
  const fake = `${url}/_fake`;
  return {
    async registerApp(appId: string, appSecret: string): Promise<void> {
      await httpJson('POST', `${fake}/apps`, { appId, appSecret });
    },
    async setSyncUrl(appId: string, syncUrl: string | null): Promise<void> {
      await httpJson('POST', `${fake}/sync-url`, { appId, url: syncUrl });
    },
    /** edrone sends a signed NATIVE_5 request to the app's sync URL. Returns the app's answer. */
    async sendSync(input: {
      appId?: string;
      channel: 'email' | 'sms';
      email?: string;
      phone?: string;
      status: '0' | '1' | '';
      reason?: string | number;
      eventDate?: string;
      eventId?: string;
      encoding?: 'form' | 'json';
    }): Promise<{ status: number; body: string }> {
      return (await httpJson<{ status: number; body: string }>('POST', `${fake}/sync`, { appId: EDRONE_APP_ID, ...input }, { timeoutMs: 20_000 })).body;
    },
    async failures(mode: 'fail' | 'hang' | 'throttle', count: number, status?: number): Promise<void> {
      await httpJson('POST', `${fake}/failures`, { mode, count, ...(status !== undefined ? { status } : {}) });
    },
    /** Successful traces, and every request to /trace (with its response, or 'hung'). */
    async traces(): Promise<{ traces: TraceJson[]; requests: TraceJson[] }> {
      return (await httpJson<{ traces: TraceJson[]; requests: TraceJson[] }>('GET', `${fake}/traces`)).body;
    },
  };
}

/**
 * Installs the shop as the admin would: a session token from the fake Shopify,
 * PUT /api/settings (which installs by token exchange), then registers the
 * edrone app and its sync URL in the fake edrone. Returns the sync URL.
 */
export async function installShop(stack: ProcessStack, settings: Record<string, unknown> = {}): Promise<string> {
  const token = await shopifyControl(stack.shopify.url).sessionToken(SHOP);
  const res = await httpJson<{ syncUrl: string }>(
    'PUT',
    `${stack.app.url}/api/settings`,
    {
      edroneAppId: EDRONE_APP_ID,
      edroneAppSecret: EDRONE_SECRET,
      direction: 'both',
      edroneStatuses: 'all',
      channels: { email: true, sms: true },
      createMissingCustomers: false,
      ...settings,
    },
    { headers: { authorization: `Bearer ${token}` }, timeoutMs: 20_000 },
  ).catch((e: unknown) => {
    throw new Error(`installing the shop failed: ${e instanceof Error ? e.message : String(e)}\n${stack.diagnostics()}`);
  });
  const syncUrl = res.body.syncUrl;
  if (!syncUrl?.startsWith(stack.app.url)) throw new Error(`unexpected sync URL ${syncUrl} (app at ${stack.app.url})`);
  const edrone = edroneControl(stack.edrone.url);
  await edrone.registerApp(EDRONE_APP_ID, EDRONE_SECRET);
  await edrone.setSyncUrl(EDRONE_APP_ID, syncUrl);
  return syncUrl;
}
