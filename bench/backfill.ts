// Initial sync (backfill) or reconciliation of a large store, end to end: the fake
// Shopify holds BENCH_CUSTOMERS customers (default 50,000) and serves their bulk export
// as a stream (backfill) or their pages of 250 (reconciliation); the app runs as
// `npm run sync -- backfill|reconcile` in a child process (the number that matters is
// that process's peak RSS: the customers are never held whole); the fake edrone counts
// the traces, and every eligible customer must have reached it exactly once. A
// reconciliation of a store the app never synced sends what a backfill sends.
//
//   npx tsx bench/backfill.ts [--db sqlite|postgres] [--run backfill|reconcile]   (default sqlite, backfill)
//   BENCH_CUSTOMERS=50000 BENCH_CONCURRENCY=8 BENCH_SHOPIFY_RESTORE=100 BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/test
//
// Prints a Markdown table for bench/RESULTS.md. The app paces its traces at 95/s per
// App ID (edrone's limit is 100/s), so the sends bound a backfill: about (eligible
// channels / 95) s, plus the export. A reconciliation also reads Shopify's customer pages
// of 250, each costing about 252 of the store's query-cost points: at a Standard store's
// 100 points/s that is about 100 customers/s, so Shopify's budget, not edrone's, bounds
// it unless the store restores faster (BENCH_SHOPIFY_RESTORE=1000: a Plus store).
// "pace while sending" is the traces per second from the first trace to the last, as a
// share of edrone's 100/s.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { loadConfig } from '../app/config.js';
import { startServer } from '../app/server.js';
import { startFakeShopify } from '../app/sandbox/fake-shopify.js';
import { startFakeEdrone } from '../app/sandbox/fake-edrone.js';
import { createBenchDatabase, envInt, loadLine, machineLine, peakInAnySecond, table, type DbKind } from './bench-setup.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const API_KEY = 'bench-api-key';
const API_SECRET = 'bench-api-secret';
const SHOP = 'bench-backfill.myshopify.com';
const EDRONE_APP_ID = 'benchbackfill';
const EDRONE_SECRET = 'bench-backfill-secret';

// A store where most customers never subscribed, as is typical.
const MIX = {
  emailStates: { subscribed: 25, unsubscribed: 10, pending: 5, not_subscribed: 60 },
  smsStates: { subscribed: 20, unsubscribed: 5, pending: 5, not_subscribed: 70 },
  phoneShare: 0.3,
  consentUpdatedAt: '2026-03-01T10:00:00Z',
  // Changed over the last 4 minutes (inside a first reconciliation's look-back of 5
  // minutes before the install), not all in one second: a query restarted from the last
  // update read (Shopify's 25,000 per query) then re-reads the customers of one second only.
  updatedAtSpreadMs: 4 * 60_000,
};

type RunKind = 'backfill' | 'reconcile';

function parseArgs(argv: string[]): { kind: DbKind; run: RunKind } {
  let value = 'sqlite';
  let run = 'backfill';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--db') value = argv[++i] ?? '';
    else if (a.startsWith('--db=')) value = a.slice(5);
    else if (a === '--run') run = argv[++i] ?? '';
    else if (a.startsWith('--run=')) run = a.slice(6);
    else if (a === '--help' || a === '-h') {
      console.log('usage: npx tsx bench/backfill.ts [--db sqlite|postgres] [--run backfill|reconcile]   env: BENCH_CUSTOMERS (50000), BENCH_CONCURRENCY (8)');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (value !== 'sqlite' && value !== 'postgres') throw new Error('--db must be sqlite or postgres');
  if (run !== 'backfill' && run !== 'reconcile') throw new Error('--run must be backfill or reconcile');
  return { kind: value, run };
}

async function main(): Promise<void> {
  const { kind, run } = parseArgs(process.argv.slice(2));
  const customers = envInt('BENCH_CUSTOMERS', 50_000, 2_000_000);
  const concurrency = envInt('BENCH_CONCURRENCY', 8, 64);
  const edrone = await startFakeEdrone();
  const restoreRate = envInt('BENCH_SHOPIFY_RESTORE', 100, 10_000);
  const shopify = await startFakeShopify({ apiKey: API_KEY, apiSecret: API_SECRET, bulkOperationDelayMs: 1_000, restoreRate });
  const db = await createBenchDatabase(kind);
  try {
    const env = {
      SHOPIFY_API_KEY: API_KEY,
      SHOPIFY_API_SECRET: API_SECRET,
      SHOPIFY_APP_URL: 'https://consent-sync.example.com',
      PORT: '0',
      DATABASE_URL: db.url,
      EDRONE_API_URL: edrone.url,
      SHOPIFY_ADMIN_ORIGIN: shopify.url,
      WORKER: 'off',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
      BACKFILL_POLL_MS: '500',
      BACKFILL_CONCURRENCY: String(concurrency),
    };

    // Install the shop as a merchant would: session token -> token exchange, then the settings.
    const app = await startServer(loadConfig(env), { host: '127.0.0.1' });
    const token = await shopify.control.sessionToken(SHOP);
    const res = await request(app.url)
      .put('/api/settings')
      .set('Authorization', `Bearer ${token}`)
      .send({ edroneAppId: EDRONE_APP_ID, edroneAppSecret: EDRONE_SECRET, direction: 'both', edroneStatuses: 'all', channels: { email: true, sms: true }, createMissingCustomers: false });
    if (res.status !== 200) throw new Error(`installing the shop failed: ${res.status} ${JSON.stringify(res.body)}`);
    await app.close();
    edrone.control.registerApp(EDRONE_APP_ID, EDRONE_SECRET);

    const seeded = shopify.control.seedCustomers(SHOP, customers, MIX);
    let eligible = 0;
    const want = new Map<string, string>();
    for (const c of seeded) {
      const e = c.emailConsent.state === 'subscribed' ? '1' : c.emailConsent.state === 'unsubscribed' ? '0' : null;
      const s = c.phone ? (c.smsConsent.state === 'subscribed' ? '1' : c.smsConsent.state === 'unsubscribed' ? '0' : null) : null;
      if (e) want.set(`email:${c.email}`, e);
      if (s) want.set(`sms:${c.phone}`, s);
      if (e || s) eligible++;
    }
    seeded.length = 0;

    // The app: `npm run sync -- backfill|reconcile --shop …` as its own process.
    const cmd = ['--import', 'tsx', 'app/cli/sync.ts', run, '--shop', SHOP];
    console.log(`${machineLine()}\n${run}: ${customers} customers, ${want.size} channels to send (${eligible} customers), db ${db.label}`);
    console.log(`running: ${['node', ...cmd].join(' ')}`);
    const started = Date.now();
    // BENCH_NODE_FLAGS: e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the app process only.
    const flags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...flags, ...cmd], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      process.stdout.write(d);
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    const seconds = (Date.now() - started) / 1000;
    if (code !== 0) throw new Error(`the ${run} command exited with ${code}`);
    const rss = /peak RSS (\d+) MB/.exec(out)?.[1] ?? '?';
    const baseline = /after start-up (\d+) MB/.exec(out)?.[1] ?? '?';
    const final = run === 'backfill' ? /read (\d+), sent (\d+), skipped (\d+), failed (\d+)/.exec(out) : /checked (\d+), repaired (\d+), failed (\d+)/.exec(out);

    // Exactly once: every eligible channel has one trace with its value, nothing else was sent.
    const got = new Map<string, string[]>();
    for (const t of edrone.traces) {
      if (t.fields.email) got.set(`email:${t.fields.email}`, [...(got.get(`email:${t.fields.email}`) ?? []), t.fields.subscriber_status ?? '']);
      if (t.fields.phone) got.set(`sms:${t.fields.phone}`, [...(got.get(`sms:${t.fields.phone}`) ?? []), t.fields.sms_subscriber_status ?? '']);
    }
    let wrong = 0;
    for (const [key, value] of want) if (JSON.stringify(got.get(key)) !== JSON.stringify([value])) wrong++;
    for (const key of got.keys()) if (!want.has(key)) wrong++;

    const times = edrone.traces.map((t) => t.receivedAt);
    const sendingS = times.length > 1 ? (Math.max(...times) - Math.min(...times)) / 1000 : 0;
    const pace = sendingS > 0 ? (times.length - 1) / sendingS : 0;
    console.log('');
    console.log(
      table(
        ['run', 'customers', 'db', 'Shopify points/s', 'concurrency', 'time', 'customers/s', 'traces', 'traces/s', 'pace while sending (of edrone\'s 100/s)', 'peak traces in 1 s', 'exactly once', 'peak RSS of the app process (after start-up)', run === 'backfill' ? 'run counters (read/sent/skipped/failed)' : 'run counters (checked/repaired/failed)'],
        [
          [
            run,
            String(customers),
            db.label,
            String(restoreRate),
            String(concurrency),
            `${seconds.toFixed(1)} s`,
            (customers / seconds).toFixed(0),
            String(edrone.traces.length),
            (edrone.traces.length / seconds).toFixed(1),
            `${pace.toFixed(1)}/s (${pace.toFixed(0)}%)`,
            String(peakInAnySecond(times)),
            wrong === 0 ? 'yes' : `NO (${wrong} wrong)`,
            `${rss} MB (${baseline} MB)`,
            final ? final.slice(1).join('/') : '?',
          ],
        ],
      ),
    );
    console.log(`\n${loadLine()} at the end`);
    if (wrong !== 0) process.exitCode = 1;
  } finally {
    await Promise.all([shopify.close(), edrone.close()]);
    await db.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
