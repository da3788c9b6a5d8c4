// Benchmark: receipt of Shopify consent webhooks on POST /webhooks and of
// edrone NATIVE_5 requests on POST /edrone/sync/:token (verify + dedupe + event
// and job in one transaction + 200), worker off, side by side with the fair
// peer (bench/peer-server.ts: Express 5 + raw body + HMAC/signature + 1 INSERT
// through better-sqlite3 or pg) in the same run, as ratios.
//
//   npx tsx bench/webhook-ingest.ts [--db sqlite|postgres|both]
//
// env: BENCH_REQUESTS (5000), BENCH_CONCURRENCY (50), BENCH_WARMUP (300),
//      BENCH_KINDS (webhook,edrone), BENCH_PG_URL (postgresql://postgres@127.0.0.1:5432/test:
//      a bench_<random> database is created there and dropped at the end), BENCH_LOG_LEVEL (error),
//      BENCH_PROFILE (a directory: a V8 CPU profile of each project run, warm-up included, is written there).
// The load generator runs in a child process (bench/load-client.ts) on
// keep-alive connections to 127.0.0.1. Exit code 1 when any request failed or
// the stored rows do not match the accepted requests.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import {
  API_SECRET,
  benchShops,
  createBenchDatabase,
  dbKindsFromArgs,
  envInt,
  fmt,
  loadLine,
  installShops,
  machineLine,
  mb,
  runLoadClient,
  startBenchApp,
  table,
  type DbKind,
} from './bench-setup.js';
import type { LoadResult, LoadSpec } from './load-client.js';
import { startPeer } from './peer-server.js';

type Kind = 'webhook' | 'edrone';

interface Row {
  database: string;
  kind: Kind;
  who: 'project' | 'peer';
  requests: number;
  concurrency: number;
  throughput: number;
  p50: number;
  p99: number;
  errors: number;
  stored: string;
  rssBefore: number;
  rssAfter: number;
  /** CPU time of this process (the server; the load client is a child) per request, warm-up included. */
  cpuMsPerRequest: number;
  ok: boolean;
}

const SHOPS = 4;

async function measure(spec: Omit<LoadSpec, 'apiSecret' | 'apiVersion' | 'runTag'>, apiVersion: string) {
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const result: LoadResult = await runLoadClient({ ...spec, apiVersion, runTag: randomBytes(4).toString('hex') });
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMsPerRequest = (cpu.user + cpu.system) / 1000 / (spec.requests + spec.warmup);
  if (result.firstError) console.error(`first error: ${result.firstError} ${JSON.stringify(result.outcomes)}`);
  return { result, rssBefore, rssAfter: process.memoryUsage().rss, cpuMsPerRequest };
}

/** With BENCH_PROFILE set, runs `work` under the V8 CPU profiler and writes <dir>/<name>.cpuprofile (open in Chrome DevTools). */
async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return work();
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    return result;
  } finally {
    session.disconnect();
  }
}

async function runProject(kind: DbKind, what: Kind, requests: number, concurrency: number, warmup: number): Promise<Row> {
  const db = await createBenchDatabase(kind);
  try {
    const app = await startBenchApp({ databaseUrl: db.url });
    try {
      const shops = benchShops(SHOPS);
      await installShops(app, shops);
      const { prisma } = app.server.ctx.db;
      const rows = await prisma.shop.findMany({ select: { id: true, syncToken: true }, orderBy: { id: 'asc' } });
      const edrone = shops.map((s) => ({ syncToken: rows.find((r) => r.id === s.id)!.syncToken, appId: s.edroneAppId, appSecret: s.edroneAppSecret }));
      const m = await profiled(`${kind}-${what}`, () =>
        measure({ url: app.server.url, shops: shops.map((s) => s.id), requests, concurrency, warmup, kind: what, edrone }, app.config.shopify.apiVersion),
      );
      const events = (await prisma.inboundEvent.count()) - m.result.warmupAccepted;
      const jobs = (await prisma.job.count()) - m.result.warmupAccepted;
      const ok = m.result.errors === 0 && events === requests && jobs === requests;
      return row(db.label, what, 'project', m, requests, concurrency, `${events}/${jobs}`, ok);
    } finally {
      await app.close();
    }
  } finally {
    await db.drop();
  }
}

async function runPeer(kind: DbKind, what: Kind, requests: number, concurrency: number, warmup: number): Promise<Row> {
  const db = await createBenchDatabase(kind);
  try {
    const shops = benchShops(SHOPS);
    const edrone = shops.map((s, i) => ({ syncToken: `peer-token-${i}`, appId: s.edroneAppId, appSecret: s.edroneAppSecret }));
    const peer = await startPeer({ kind, databaseUrl: db.url, apiSecret: API_SECRET, edrone });
    try {
      const m = await measure({ url: peer.url, shops: shops.map((s) => s.id), requests, concurrency, warmup, kind: what, edrone }, '2026-07');
      const stored = (await peer.count()) - m.result.warmupAccepted;
      return row(db.label, what, 'peer', m, requests, concurrency, String(stored), m.result.errors === 0 && stored === requests);
    } finally {
      await peer.close();
    }
  } finally {
    await db.drop();
  }
}

function row(database: string, kind: Kind, who: Row['who'], m: Awaited<ReturnType<typeof measure>>, requests: number, concurrency: number, stored: string, ok: boolean): Row {
  return {
    database,
    kind,
    who,
    requests,
    concurrency,
    throughput: m.result.throughput,
    p50: m.result.latencyMs.p50,
    p99: m.result.latencyMs.p99,
    errors: m.result.errors,
    stored,
    rssBefore: m.rssBefore,
    rssAfter: m.rssAfter,
    cpuMsPerRequest: m.cpuMsPerRequest,
    ok,
  };
}

async function main(): Promise<void> {
  const dbs = dbKindsFromArgs();
  const requests = envInt('BENCH_REQUESTS', 5000);
  const concurrency = envInt('BENCH_CONCURRENCY', 50, 1024);
  const warmup = envInt('BENCH_WARMUP', 300);
  const kinds = (process.env.BENCH_KINDS ?? 'webhook,edrone').split(',').filter((k): k is Kind => k === 'webhook' || k === 'edrone');
  console.log(
    `ingest: POST /webhooks (consent webhooks) and POST /edrone/sync/:token (NATIVE_5), worker off, project vs fair peer; ` +
      `${requests} requests at concurrency ${concurrency} after ${warmup} warm-up, ${SHOPS} shops; ` +
      machineLine(),
  );

  const rows: Row[] = [];
  let failed = false;
  for (const kind of dbs) {
    for (const what of kinds) {
      for (const who of ['project', 'peer'] as const) {
        try {
          rows.push(await (who === 'project' ? runProject : runPeer)(kind, what, requests, concurrency, warmup));
        } catch (e) {
          failed = true;
          console.error(`[${kind} ${what} ${who}] benchmark failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
  }

  console.log(`\nafter the runs: ${loadLine()}`);
  const peerOf = (r: Row) => rows.find((p) => p.who === 'peer' && p.kind === r.kind && p.database === r.database);
  console.log(
    table(
      ['database', 'request', 'server', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'CPU ms/req', 'stored (events/jobs)', 'RSS before -> after', 'req/s vs peer', 'p99 vs peer'],
      rows.map((r) => {
        const p = r.who === 'project' ? peerOf(r) : undefined;
        return [
          r.database,
          r.kind,
          r.who,
          fmt(r.throughput, 0),
          fmt(r.p50),
          fmt(r.p99),
          String(r.errors),
          fmt(r.cpuMsPerRequest, 2),
          `${r.stored}${r.ok ? '' : ' MISMATCH'}`,
          `${mb(r.rssBefore)} -> ${mb(r.rssAfter)}`,
          p ? fmt(r.throughput / p.throughput, 2) : '',
          p ? fmt(r.p99 / p.p99, 2) : '',
        ];
      }),
    ),
  );
  if (rows.some((r) => !r.ok)) failed = true;
  process.exitCode = failed ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exitCode = 1;
});
