// Consent-history CSV export at scale: N rows (default 1,000,000) seeded straight
// into ConsentHistory, then exported through the same generator the route streams
// (app/sync/history-export.ts) into a sink that honours backpressure. Side by side
// with a plain baseline: the same keyset-paged reads without CSV formatting.
// Peak memory is sampled every 20 ms; memory is flat when 1/10 of the rows peaks
// about as high as all of them.
//   npx tsx bench/history-export.ts            (SQLite, and PostgreSQL when BENCH_PG_URL or 127.0.0.1:5432 answers)
//   BENCH_ROWS=200000 npx tsx bench/history-export.ts
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDataLayer, openDatabase, type Database } from '../app/db/index.js';
import { historyCsvChunks } from '../app/sync/history-export.js';

const N = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SHOP = 'bench.myshopify.com';
const BASE = Date.parse('2026-01-01T00:00:00Z');

async function seed(db: Database): Promise<void> {
  const cols = `"id","shopId","channel","identity","customerId","source","origin","actor","observedState","eventAt","reasonCode","reasonName","reasonWords","action","target","writtenState","optInLevel","detail","createdAt"`;
  const step = 100_000;
  for (let start = 0; start < N; start += step) {
    const end = Math.min(N, start + step) - 1;
    if (db.dialect === 'sqlite') {
      await db.prisma.$executeRawUnsafe(`WITH RECURSIVE s(i) AS (SELECT ${start} UNION ALL SELECT i + 1 FROM s WHERE i < ${end})
        INSERT INTO "ConsentHistory" (${cols}) SELECT 'h' || i, '${SHOP}', CASE WHEN i % 3 = 0 THEN 'sms' ELSE 'email' END,
        'customer-' || i || '@example.com', '7064055069' || i, 'edrone', 'edrone', 'the customer (in edrone)', 'unsubscribed',
        ${BASE} + i * 10, '1', 'CUSTOMER_UNSUBSCRIBED', 'The customer clicked the unsubscribe link', 'sent', 'shopify', 'unsubscribed',
        'UNKNOWN', 'Set to UNSUBSCRIBED in Shopify.', ${BASE} + i * 10 FROM s`);
    } else {
      await db.prisma.$executeRawUnsafe(`INSERT INTO "ConsentHistory" (${cols}) SELECT 'h' || i, '${SHOP}', CASE WHEN i % 3 = 0 THEN 'sms' ELSE 'email' END,
        'customer-' || i || '@example.com', '7064055069' || i, 'edrone', 'edrone', 'the customer (in edrone)', 'unsubscribed',
        to_timestamp((${BASE} + i * 10) / 1000.0), '1', 'CUSTOMER_UNSUBSCRIBED', 'The customer clicked the unsubscribe link', 'sent', 'shopify', 'unsubscribed',
        'UNKNOWN', 'Set to UNSUBSCRIBED in Shopify.', to_timestamp((${BASE} + i * 10) / 1000.0) FROM generate_series(${start}, ${end}) AS i`);
    }
  }
  if (db.dialect === 'postgres') await db.prisma.$executeRawUnsafe('ANALYZE "ConsentHistory"');
}

/** Runs fn while sampling memory; returns seconds and the peak RSS / heap above the start. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; rssMb: number; heapMb: number }> {
  global.gc?.();
  const start = process.memoryUsage();
  let rss = start.rss;
  let heap = start.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 20);
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  const m = process.memoryUsage();
  return { value, seconds, rssMb: (Math.max(rss, m.rss) - start.rss) / 2 ** 20, heapMb: (Math.max(heap, m.heapUsed) - start.heapUsed) / 2 ** 20 };
}

/** A consumer that takes 64 KiB at a time: write() returns false when it is full, as a socket does. */
function sink(): Writable & { bytes: number } {
  const w = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, cb) {
      w.bytes += chunk.length;
      setImmediate(cb);
    },
  }) as Writable & { bytes: number };
  w.bytes = 0;
  return w;
}

async function exportRows(db: Database, to?: Date): Promise<{ rows: number; bytes: number }> {
  const data = createDataLayer(db);
  const out = sink();
  let rows = -1;
  for await (const chunk of historyCsvChunks(data, { shopId: SHOP, to })) {
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) rows++;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { rows, bytes: out.bytes };
}

async function readRows(db: Database): Promise<number> {
  const data = createDataLayer(db);
  let rows = 0;
  let cursor: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const batch = await data.consentHistory.batchAfter({ shopId: SHOP }, cursor, 2000);
    rows += batch.length;
    if (batch.length < 2000) return rows;
    const last = batch[batch.length - 1]!;
    cursor = { createdAt: last.createdAt, id: last.id };
  }
}

async function run(label: string, url: string): Promise<string[]> {
  const db = await openDatabase(url);
  try {
    const s0 = performance.now();
    await seed(db);
    const seedS = (performance.now() - s0) / 1000;
    const read = await measured(() => readRows(db));
    const tenth = await measured(() => exportRows(db, new Date(BASE + (N / 10) * 10)));
    const all = await measured(() => exportRows(db));
    if (all.value.rows !== N || read.value !== N) throw new Error(`expected ${N} rows, exported ${all.value.rows}, read ${read.value}`);
    const fmt = (n: number) => n.toFixed(0);
    const out = [
      `| ${label} | plain keyset read (baseline) | ${N} | ${read.seconds.toFixed(1)} | ${fmt(N / read.seconds)} | — | ${fmt(read.rssMb)} | ${fmt(read.heapMb)} | 1.00 |`,
      `| ${label} | CSV export, ${N / 10} rows | ${tenth.value.rows} | ${tenth.seconds.toFixed(1)} | ${fmt(tenth.value.rows / tenth.seconds)} | ${(tenth.value.bytes / 2 ** 20).toFixed(0)} | ${fmt(tenth.rssMb)} | ${fmt(tenth.heapMb)} | — |`,
      `| ${label} | CSV export, all rows | ${all.value.rows} | ${all.seconds.toFixed(1)} | ${fmt(N / all.seconds)} | ${(all.value.bytes / 2 ** 20).toFixed(0)} | ${fmt(all.rssMb)} | ${fmt(all.heapMb)} | ${(all.seconds / read.seconds).toFixed(2)} |`,
      `(seeded ${N} rows in ${seedS.toFixed(1)} s)`,
    ];
    // Printed at once, so a long run shows each database's result as soon as it has it.
    for (const l of out) console.log(l);
    return out;
  } finally {
    await db.close();
  }
}

async function pgAdminUrl(): Promise<string | null> {
  const url = process.env.BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return url;
  } catch {
    return null;
  }
}

const lines: string[] = [];
const dir = mkdtempSync(path.join(os.tmpdir(), 'history-bench-'));
try {
  console.log(`history export: ${N} rows; ${os.cpus().length} CPUs, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  lines.push(...(await run('sqlite (temp file)', `file:${path.join(dir, 'bench.db')}`)));
  const admin = await pgAdminUrl();
  if (admin) {
    const name = `history_bench_${randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    const version = (await c.query('SHOW server_version')).rows[0]?.server_version as string;
    await c.end();
    const url = new URL(admin);
    url.pathname = `/${name}`;
    try {
      lines.push(...(await run(`postgres ${version}`, url.toString())));
    } finally {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    }
  } else lines.push('(PostgreSQL not reachable: skipped)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log('| database | run | rows | seconds | rows/s | CSV MiB | peak RSS +MiB | peak heap +MiB | time vs baseline |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const l of lines) console.log(l);
console.log(`after the runs: load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
