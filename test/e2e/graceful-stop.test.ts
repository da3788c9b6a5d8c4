// Issue 9, part 2, point 9, with a real app process: on SIGTERM the app stops
// accepting, lets in-flight requests finish (one is still sending its body
// when the signal arrives), stops its worker, and exits 0 within its grace
// period. Every webhook answered 200 is in the database; no answer is a 5xx.
// Runs on SQLite, or on PostgreSQL when TEST_DATABASE_URL is set.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signWebhook } from '../../app/sandbox/fake-shopify.js';
import { API_SECRET, SHOP, installShop, sleep, startProcessStack, type ProcessStack } from '../helpers/processes.js';

let stack: ProcessStack | undefined;
beforeAll(async () => {
  stack = await startProcessStack({ worker: 'inline', env: { SHUTDOWN_GRACE_MS: '10000' } });
  await installShop(stack);
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

function webhook(id: string, n: number): { headers: Record<string, string>; body: string } {
  const body = `{"customer_id":${900000 + n},"email_address":"stop${n}@example.com","email_marketing_consent":{"state":"subscribed","opt_in_level":"single_opt_in","consent_updated_at":"${new Date(Date.now() - 60_000).toISOString()}"}}`;
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'x-shopify-topic': 'customers_email_marketing_consent/update',
      'x-shopify-shop-domain': SHOP,
      'x-shopify-api-version': '2026-07',
      'x-shopify-webhook-id': id,
      'x-shopify-hmac-sha256': signWebhook(body, API_SECRET),
    },
  };
}

/** Sends a webhook; `beforeRest` runs after the first half of the body (the request is then in flight). */
function send(url: string, id: string, n: number, beforeRest?: () => Promise<void>): Promise<number | string> {
  const { headers, body } = webhook(id, n);
  return new Promise((resolve) => {
    const req = http.request(`${url}/webhooks`, { method: 'POST', headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    void (beforeRest ?? (async () => {}))().then(() => req.end(body.slice(half)));
  });
}

async function storedWebhookIds(databaseUrl: string): Promise<Set<string>> {
  const sql = `SELECT "dedupeKey" FROM "InboundEvent" WHERE source = 'shopify'`;
  if (databaseUrl.startsWith('file:')) {
    const db = new BetterSqlite3(databaseUrl.slice('file:'.length), { readonly: true, fileMustExist: true });
    try {
      return new Set((db.prepare(sql).all() as Array<{ dedupeKey: string }>).map((r) => r.dedupeKey));
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return new Set((await client.query<{ dedupeKey: string }>(sql)).rows.map((r) => r.dedupeKey));
  } finally {
    await client.end();
  }
}

it('SIGTERM during ingest: in-flight requests finish with 200, nothing answered 200 is lost, no 5xx, exit 0', async () => {
  const s = stack!;
  const results = new Map<string, number | string>();
  let n = 0;
  const fire = async (count: number) => {
    await Promise.all(
      Array.from({ length: count }, async () => {
        const id = randomUUID();
        results.set(id, await send(s.app.url, id, n++));
      }),
    );
  };
  await fire(20); // warm: the app is busy ingesting

  const slowId = randomUUID();
  let signalledAt = 0;
  const slow = send(s.app.url, slowId, n++, async () => {
    // The request's headers and half its body are in; now the app is told to stop.
    await sleep(100);
    signalledAt = Date.now();
    s.app.proc.child.kill('SIGTERM');
    await sleep(500);
  });
  // More deliveries race the signal: each is answered, or refused at connect, never a 5xx.
  const racing = (async () => {
    for (let round = 0; round < 5; round++) {
      await fire(10);
      await sleep(100);
    }
  })();

  const slowStatus = await slow;
  await racing;
  results.set(slowId, slowStatus);
  const exit = await s.app.proc.exited;
  const stoppedInMs = Date.now() - signalledAt;

  expect(slowStatus, s.diagnostics()).toBe(200);
  expect(exit.code, s.diagnostics()).toBe(0);
  expect(stoppedInMs).toBeLessThan(15_000);
  const statuses = [...results.values()];
  expect(statuses.filter((x) => typeof x === 'number' && x >= 500), s.diagnostics()).toEqual([]);
  const stored = await storedWebhookIds(s.db.url);
  const lost = [...results].filter(([id, status]) => status === 200 && !stored.has(id)).map(([id]) => id);
  expect(lost).toEqual([]);
  expect([...results.values()].filter((x) => x === 200).length).toBeGreaterThan(20);
}, 90_000);
