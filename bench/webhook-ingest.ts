// Benchmark: receipt of Shopify consent webhooks on POST /webhooks
// (HMAC verify + dedupe + event and job in one transaction + 200), worker off.
//
//   npx tsx bench/webhook-ingest.ts [--db sqlite|postgres|both]
//
// env: BENCH_REQUESTS (5000), BENCH_CONCURRENCY (32), BENCH_WARMUP (200),
//      BENCH_PG_URL (postgresql://postgres@127.0.0.1:5432/test: a bench_<random>
//      database is created there and dropped at the end), BENCH_LOG_LEVEL (error).
// The load generator runs in a child process (bench/load-client.ts) on
// keep-alive connections to 127.0.0.1. Exit code 1 when any request failed or
// the stored rows do not match the accepted requests.
import { randomBytes } from 'node:crypto';
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
  runLoadClient,
  startBenchApp,
  table,
  type DbKind,
} from './bench-setup.js';

interface Row {
  database: string;
  requests: number;
  concurrency: number;
  throughput: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  errors: number;
  events: number;
  jobs: number;
  rssBefore: number;
  rssAfter: number;
  /** CPU time of the server process over the run's wall time (warm-up included). */
  cpuPercent: number;
  /** The same CPU time per request: what the server spends, whatever else runs on the machine. */
  cpuMsPerRequest: number;
  ok: boolean;
}

async function runOne(kind: DbKind, requests: number, concurrency: number, warmup: number): Promise<Row> {
  const db = await createBenchDatabase(kind);
  try {
    const app = await startBenchApp({ databaseUrl: db.url });
    try {
      const [shop] = benchShops(1);
      await installShops(app, [shop!]);
      const { prisma } = app.server.ctx.db;
      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      const cpuBefore = process.cpuUsage();
      const wallStart = Date.now();
      const result = await runLoadClient({
        url: app.server.url,
        apiVersion: app.config.shopify.apiVersion,
        shops: [shop!.id],
        requests,
        concurrency,
        warmup,
        runTag: randomBytes(4).toString('hex'),
      });
      const cpu = process.cpuUsage(cpuBefore);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      const cpuPercent = (cpuMs / (Date.now() - wallStart)) * 100;
      const cpuMsPerRequest = cpuMs / (requests + warmup);
      const rssAfter = process.memoryUsage().rss;
      const events = (await prisma.inboundEvent.count()) - result.warmupAccepted;
      const jobs = (await prisma.job.count()) - result.warmupAccepted;
      const ok = result.errors === 0 && events === requests && jobs === requests;
      if (result.firstError) console.error(`[${kind}] first error: ${result.firstError}`);
      if (result.errors) console.error(`[${kind}] outcomes: ${JSON.stringify(result.outcomes)}`);
      return {
        database: db.label,
        requests,
        concurrency,
        throughput: result.throughput,
        ...result.latencyMs,
        errors: result.errors,
        events,
        jobs,
        rssBefore,
        rssAfter,
        cpuPercent,
        cpuMsPerRequest,
        ok,
      };
    } finally {
      await app.close();
    }
  } finally {
    await db.drop();
  }
}

async function main(): Promise<void> {
  const kinds = dbKindsFromArgs();
  const requests = envInt('BENCH_REQUESTS', 5000);
  const concurrency = envInt('BENCH_CONCURRENCY', 32, 1024);
  const warmup = envInt('BENCH_WARMUP', 200);
  console.log(
    `webhook ingest: POST /webhooks customers_email_marketing_consent/update, worker off; ` +
      `${requests} requests at concurrency ${concurrency} after ${warmup} warm-up; ` +
      machineLine(),
  );

  const rows: Row[] = [];
  let failed = false;
  for (const kind of kinds) {
    try {
      rows.push(await runOne(kind, requests, concurrency, warmup));
    } catch (e) {
      failed = true;
      console.error(`[${kind}] benchmark failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  console.log(`\nafter the runs: ${loadLine()}`);
  console.log(
    table(
      ['database', 'requests', 'conc.', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'server CPU %', 'CPU ms/req', 'rows stored (events/jobs)', 'RSS before -> after'],
      rows.map((r) => [
        r.database,
        String(r.requests),
        String(r.concurrency),
        fmt(r.throughput, 0),
        fmt(r.p50),
        fmt(r.p90),
        fmt(r.p99),
        fmt(r.max),
        String(r.errors),
        fmt(r.cpuPercent, 0),
        fmt(r.cpuMsPerRequest, 2),
        `${r.events}/${r.jobs}${r.ok ? '' : ' MISMATCH'}`,
        `${mb(r.rssBefore)} -> ${mb(r.rssAfter)}`,
      ]),
    ),
  );
  if (rows.some((r) => !r.ok)) failed = true;
  process.exitCode = failed ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exitCode = 1;
});
