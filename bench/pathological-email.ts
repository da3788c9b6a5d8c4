// Benchmark (issue 9, point 4): the cost of one pathological 61 KB `email`
// before and after. Before: the backtracking regex that email normalisation
// used (quadratic on many dots). After: the linear normalizeEmail, and the
// whole unsigned request to a known sync URL, which is now refused by its
// length bound before any normalisation or signature work.
//
//   npx tsx bench/pathological-email.ts
import { performance } from 'node:perf_hooks';
import { normalizeEmail } from '../app/core/identity.js';
import { loadConfig } from '../app/config.js';
import { startServer } from '../app/server.js';
import { createTestDatabase } from '../test/helpers/test-database.js';

const OLD_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const oldNormalize = (raw: string): string | null => {
  const email = raw.trim().toLowerCase();
  return OLD_EMAIL.test(email) ? email : null;
};

const pathological = `a@${'.'.repeat(61_000)}@x`;
const plain = 'ann.smith+news@example.co.uk';

function timeMs(fn: () => unknown, runs: number): number {
  fn();
  const start = performance.now();
  for (let i = 0; i < runs; i++) fn();
  return (performance.now() - start) / runs;
}

const rows = [
  ['61 KB pathological email', timeMs(() => oldNormalize(pathological), 3), timeMs(() => normalizeEmail(pathological), 1000)],
  ['plain email', timeMs(() => oldNormalize(plain), 100_000), timeMs(() => normalizeEmail(plain), 100_000)],
] as const;
console.log(`input length: ${pathological.length} characters`);
console.log('| case | before (regex) ms | after (linear) ms | ratio |');
console.log('|---|---|---|---|');
for (const [name, before, after] of rows) console.log(`| ${name} | ${before.toFixed(4)} | ${after.toFixed(4)} | ${(before / after).toPrecision(3)} |`);

// The whole request through HTTP, now: unsigned, to a known sync URL.
const db = await createTestDatabase();
const server = await startServer(
  loadConfig({ SHOPIFY_API_KEY: 'k', SHOPIFY_API_SECRET: 's', SHOPIFY_APP_URL: 'https://bench.example.com', PORT: '0', DATABASE_URL: db.url, WORKER: 'off', LOG_LEVEL: 'silent', REJECTED_PER_MINUTE_PER_CLIENT: '1000000', REJECTED_PER_MINUTE_PER_SYNC_URL: '1000000' }),
  { host: '127.0.0.1' },
);
try {
  const shop = await server.ctx.data.shops.install('bench.myshopify.com');
  const url = `${server.url}/edrone/sync/${shop.syncToken}`;
  const bodyWith = (email: string) =>
    new URLSearchParams({ subscription_status_type_id: '1', email, subscriber_status: '1', event_date: '2026-01-15 10:30:00', signature: 'x' }).toString();
  const send = (body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then((r) => r.status);
  // Baseline: a body of the same size whose email is harmless ('x' repeated): what any 61 KB request costs.
  const cases = [
    ['pathological 61 KB email', bodyWith(pathological)],
    ['baseline: 61 KB of x', bodyWith('x'.repeat(pathological.length))],
  ] as const;
  for (const [, body] of cases) for (let i = 0; i < 20; i++) await send(body); // warm-up
  console.log('| HTTP, unsigned, known sync URL | ms per request | status | 8 in parallel then /healthz, ms |');
  console.log('|---|---|---|---|');
  for (const [name, body] of cases) {
    const runs = 100;
    const statuses = new Set<number>();
    const start = performance.now();
    for (let i = 0; i < runs; i++) statuses.add(await send(body));
    const perRequest = (performance.now() - start) / runs;
    const burst = performance.now();
    await Promise.all(Array.from({ length: 8 }, () => send(body)));
    await fetch(`${server.url}/healthz`);
    console.log(`| ${name} | ${perRequest.toFixed(2)} | ${[...statuses].join(',')} | ${(performance.now() - burst).toFixed(1)} |`);
  }
} finally {
  await server.close();
  await db.drop();
}
