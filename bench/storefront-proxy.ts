// Benchmark: the storefront subscription check, GET /proxy/subscription-status
// (app-proxy signature + per-client and per-shop limits + shop lookup + answer +
// the day's counter), worker off, side by side with a plain baseline (GET /healthz:
// one SELECT 1) and with the webhook ingest figures (bench/webhook-ingest.ts).
//
//   npx tsx bench/storefront-proxy.ts [--db sqlite|postgres|both]
//
// Scenarios, all answered from the database (no outside call in the measured run):
//   logged-in   a logged-in customer with consent rows (1,000 customers, round robin)
//   anonymous   a visitor without edrone cookie
//   cookie      a visitor with fp_ccid, edrone's answer cached (the warm-up fills the cache
//               from a fake edrone on loopback)
// env: BENCH_REQUESTS (5000), BENCH_CONCURRENCY (32), BENCH_WARMUP (300), BENCH_PG_URL.
// Exit code 1 when any request failed or the day's counter disagrees with the answers.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeEdrone } from '../app/sandbox/fake-edrone.js';
import {
  API_SECRET,
  benchShops,
  createBenchDatabase,
  dbKindsFromArgs,
  envInt,
  fmt,
  forget,
  installShops,
  loadLine,
  machineLine,
  onInterrupt,
  startBenchApp,
  table,
  type DbKind,
} from './bench-setup.js';
import type { ProxyLoadResult, ProxyLoadSpec } from './proxy-load-client.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const CUSTOMERS = 1_000;
const COOKIES = 100;

interface Row {
  database: string;
  scenario: string;
  result: ProxyLoadResult;
  cpuMsPerRequest: number;
  counted: string;
}

async function runClient(spec: ProxyLoadSpec): Promise<ProxyLoadResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, 'proxy-load-client.ts')], {
    cwd: path.resolve(BENCH_DIR, '..'),
    env: { ...process.env, BENCH_PROXY_SPEC: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async () => void child.kill('SIGTERM');
  onInterrupt(stop);
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => (out += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  forget(stop);
  const last = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`proxy-load-client exited with ${code}: ${out.slice(-500)}`);
  return JSON.parse(last) as ProxyLoadResult;
}

async function runDb(kind: DbKind, requests: number, concurrency: number, warmup: number): Promise<Row[]> {
  const db = await createBenchDatabase(kind);
  const edrone = await startFakeEdrone();
  try {
    const app = await startBenchApp({
      databaseUrl: db.url,
      edroneUrl: edrone.url,
      env: { STOREFRONT_SHOP_LIMIT_PER_MINUTE: '100000000', STOREFRONT_CLIENT_LIMIT_PER_MINUTE: '100000000' },
    });
    try {
      const [shop] = benchShops(1);
      await installShops(app, [shop!]);
      const { prisma } = app.server.ctx.db;
      await prisma.consentState.createMany({
        data: Array.from({ length: CUSTOMERS }, (_, i) => ({
          shopId: shop!.id,
          channel: 'email',
          identity: `bench-${i}@example.com`,
          shopifyCustomerId: String(8_000_000_000_000 + i),
          truthState: i % 2 ? 'subscribed' : 'unsubscribed',
          shopifyState: i % 2 ? 'subscribed' : 'unsubscribed',
        })),
      });
      for (let i = 0; i < COOKIES; i++) edrone.control.setVisitor(shop!.edroneAppId, `fp-bench-${i}`, `bench-${i}@example.com`);

      const base = { url: app.server.url, apiSecret: API_SECRET, shop: shop!.id, requests, concurrency, warmup };
      const scenarios: Array<{ name: string; spec: ProxyLoadSpec; counts: boolean }> = [
        { name: 'baseline GET /healthz', spec: { ...base, path: '/healthz', signed: false, queries: [{}] }, counts: false },
        {
          name: 'logged-in (consent rows)',
          spec: { ...base, path: '/proxy/subscription-status', signed: true, queries: Array.from({ length: CUSTOMERS }, (_, i) => ({ logged_in_customer_id: String(8_000_000_000_000 + i) })) },
          counts: true,
        },
        { name: 'anonymous, no cookie', spec: { ...base, path: '/proxy/subscription-status', signed: true, queries: [{}] }, counts: true },
        {
          name: 'cookie, edrone answer cached',
          spec: { ...base, path: '/proxy/subscription-status', signed: true, queries: Array.from({ length: COOKIES }, (_, i) => ({ fpcid: `fp-bench-${i}` })) },
          counts: true,
        },
      ];
      const rows: Row[] = [];
      const answered = async () => {
        await app.server.ctx.storefront.flush();
        return (await prisma.storefrontCheckDay.aggregate({ _sum: { answered: true } }))._sum.answered ?? 0;
      };
      for (const s of scenarios) {
        // edrone's answers enter the cache first, a few at a time (the measured run must not wait on edrone).
        if (s.name.startsWith('cookie')) await runClient({ ...s.spec, requests: COOKIES, warmup: 0, concurrency: 4 });
        const counterBefore = await answered();
        const edroneBefore = edrone.control.statusRequests.length;
        global.gc?.();
        const cpuBefore = process.cpuUsage();
        const result = await runClient(s.spec);
        const cpu = process.cpuUsage(cpuBefore);
        const counted = (await answered()) - counterBefore;
        const expected = s.counts ? s.spec.requests + s.spec.warmup : 0;
        const edroneCalls = edrone.control.statusRequests.length - edroneBefore;
        if (result.firstError) console.error(`[${kind} ${s.name}] first error: ${result.firstError}`);
        rows.push({
          database: db.label,
          scenario: s.name,
          result,
          cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / (s.spec.requests + s.spec.warmup),
          counted: `${counted}/${expected}${counted === expected ? '' : ' MISMATCH'}${s.name.startsWith('cookie') ? ` (edrone calls ${edroneCalls})` : ''}`,
        });
      }
      return rows;
    } finally {
      await app.close();
    }
  } finally {
    await edrone.close();
    await db.drop();
  }
}

async function main(): Promise<void> {
  const kinds = dbKindsFromArgs();
  const requests = envInt('BENCH_REQUESTS', 5000);
  const concurrency = envInt('BENCH_CONCURRENCY', 32, 1024);
  const warmup = envInt('BENCH_WARMUP', 300);
  console.log(`storefront check: GET /proxy/subscription-status, worker off; ${requests} requests at concurrency ${concurrency} after ${warmup} warm-up; ${machineLine()}`);
  const rows: Row[] = [];
  let failed = false;
  for (const kind of kinds) {
    try {
      rows.push(...(await runDb(kind, requests, concurrency, warmup)));
    } catch (e) {
      failed = true;
      console.error(`[${kind}] benchmark failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  console.log(`\nafter the runs: ${loadLine()}`);
  console.log(
    table(
      ['database', 'scenario', 'requests', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'CPU ms/req', 'counted/expected'],
      rows.map((r) => [
        r.database,
        r.scenario,
        String(r.result.requests),
        fmt(r.result.throughput, 0),
        fmt(r.result.latencyMs.p50),
        fmt(r.result.latencyMs.p90),
        fmt(r.result.latencyMs.p99),
        fmt(r.result.latencyMs.max),
        String(r.result.errors),
        fmt(r.cpuMsPerRequest, 2),
        r.counted,
      ]),
    ),
  );
  if (rows.some((r) => r.result.errors > 0 || r.counted.includes('MISMATCH'))) failed = true;
  process.exitCode = failed ? 1 : 0;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exitCode = 1;
});
