// Load generator for the benchmarks, run as a child process so that it does
// not share the event loop with the server it measures:
//
//   node --import tsx bench/load-client.ts        (spec as JSON in BENCH_LOAD_SPEC)
//
// Sends `requests` HMAC-signed Shopify consent webhooks to `${url}/webhooks`
// over keep-alive connections, `concurrency` in flight, every one with its own
// X-Shopify-Webhook-Id (or spread over several web processes: `urls`). Bodies
// and signatures are built before the clock starts. Only loopback targets are
// accepted. Prints one JSON line: LoadResult.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { signNative5 } from '../app/adapters/edrone/signature.js';
import { edroneDate } from '../app/sandbox/fake-edrone.js';

export interface LoadSpec {
  /** The app's base URL; must be http://127.0.0.1:<port>. */
  url: string;
  /**
   * Several web processes of one app (when given, `url` is not used): each run of
   * shops.length consecutive requests goes to the next one, so every shop's
   * deliveries reach every process, as behind a load balancer.
   */
  urls?: string[];
  apiSecret: string;
  apiVersion: string;
  /** Request i goes to shops[i % shops.length]. */
  shops: string[];
  requests: number;
  concurrency: number;
  /** Requests sent (and awaited) before the measured run; not counted in the result. */
  warmup: number;
  /** Makes customer ids and emails unique across runs on the same database. */
  runTag: string;
  /** What to send: Shopify consent webhooks (default) or edrone NATIVE_5 sync requests. */
  kind?: 'webhook' | 'edrone';
  /** For kind 'edrone': the sync URL's token and the app's credentials (one per entry of shops). */
  edrone?: { syncToken: string; appId: string; appSecret: string }[];
}

export interface LoadResult {
  requests: number;
  concurrency: number;
  /** When the first measured request was sent (epoch ms). */
  startedAt: number;
  /** Wall time from the first measured request to the last answer. */
  durationMs: number;
  throughput: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** HTTP status (or "network") + answer status -> count, measured run only. */
  outcomes: Record<string, number>;
  /** Anything but 200 {"status":"accepted"}. */
  errors: number;
  warmupAccepted: number;
  firstError?: string;
}

const TOPIC = 'customers_email_marketing_consent/update';

interface Prepared {
  /** Where this request goes when not to the spec's first URL. */
  target?: URL;
  path: string;
  headers: Record<string, string | number>;
  body: Buffer;
}

/** A signed NATIVE_5 form request (edrone.md §1.4), every one with its own event_id. */
function prepareEdrone(spec: LoadSpec, index: number, phase: 'w' | 'm'): Prepared {
  const target = spec.edrone![index % spec.edrone!.length]!;
  const fields = {
    subscription_status_type_id: '1',
    email: `bench-${spec.runTag}-${phase}${index}@example.com`,
    phone: '',
    subscriber_status: index % 2 === 0 ? '1' : '0',
    subscription_status_reason: index % 2 === 0 ? '11' : '4',
    event_date: edroneDate(new Date()),
    event_id: randomBytes(8).toString('hex'),
    app_id: target.appId,
  };
  const body = Buffer.from(new URLSearchParams({ ...fields, signature: signNative5(fields, target.appSecret) }).toString());
  return {
    path: `/edrone/sync/${target.syncToken}`,
    body,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length },
  };
}

function prepare(spec: LoadSpec, index: number, phase: 'w' | 'm'): Prepared {
  if (spec.kind === 'edrone') return prepareEdrone(spec, index, phase);
  const shop = spec.shops[index % spec.shops.length]!;
  // 64-bit ids are bare integers in Shopify's JSON; the app reads them as strings.
  const customerId = `${7_000_000_000_000 + (phase === 'w' ? 900_000_000 : 0) + index}`;
  const email = `bench-${spec.runTag}-${phase}${index}@example.com`;
  const state = 'subscribed';
  const body = Buffer.from(
    `{"customer_id":${customerId},"email_address":${JSON.stringify(email)},` +
      `"email_marketing_consent":{"state":"${state}","opt_in_level":"single_opt_in","consent_updated_at":"${new Date().toISOString()}"}}`,
  );
  return {
    path: '/webhooks',
    body,
    headers: {
      'Content-Type': 'application/json',
      'Content-Length': body.length,
      'X-Shopify-Topic': TOPIC,
      'X-Shopify-Hmac-Sha256': createHmac('sha256', spec.apiSecret).update(body).digest('base64'),
      'X-Shopify-Shop-Domain': shop,
      'X-Shopify-API-Version': spec.apiVersion,
      'X-Shopify-Webhook-Id': randomUUID(),
      'X-Shopify-Triggered-At': new Date().toISOString(),
      'X-Shopify-Event-Id': randomUUID(),
    },
  };
}

function send(agent: http.Agent, target: URL, p: Prepared): Promise<{ key: string; ok: boolean; detail?: string }> {
  const to = p.target ?? target;
  return new Promise((resolve) => {
    const req = http.request(
      { agent, host: to.hostname, port: to.port, method: 'POST', path: p.path, headers: p.headers, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let status = '';
          try {
            status = String((JSON.parse(text) as { status?: unknown }).status ?? '');
          } catch {
            status = 'unparsable';
          }
          const key = `${res.statusCode} ${status}`;
          // Webhooks answer {"status":"accepted"}, edrone requests {"status":"ok"}.
          const ok = res.statusCode === 200 && (status === 'accepted' || status === 'ok');
          resolve({ key, ok, detail: ok ? undefined : `${res.statusCode} ${text.slice(0, 200)}` });
        });
        res.on('error', (e) => resolve({ key: 'network', ok: false, detail: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out after 30 s')));
    req.on('error', (e) => resolve({ key: 'network', ok: false, detail: e.message }));
    req.end(p.body);
  });
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** Runs `items` through `send` with at most `concurrency` in flight; returns latencies in ms. */
async function drive(
  agent: http.Agent,
  target: URL,
  items: Prepared[],
  concurrency: number,
  onResult: (r: { key: string; ok: boolean; detail?: string }) => void,
): Promise<number[]> {
  const latencies = new Array<number>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) {
      const t0 = performance.now();
      const r = await send(agent, target, items[i]!);
      latencies[i] = performance.now() - t0;
      onResult(r);
    }
  });
  await Promise.all(lanes);
  return latencies;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const targets = (spec.urls ?? [spec.url]).map((u) => new URL(u));
  for (const t of targets) {
    if (t.protocol !== 'http:' || t.hostname !== '127.0.0.1') throw new Error(`load-client only targets http://127.0.0.1 (got ${t.href})`);
  }
  const target = targets[0]!;
  if (!(spec.requests > 0 && spec.concurrency > 0 && spec.shops.length > 0)) throw new Error('bad load spec');
  // The agent's socket limit is per host:port: `concurrency` in flight in all (drive's lanes) either way.
  const aim = (p: Prepared, i: number): Prepared =>
    targets.length === 1 ? p : { ...p, target: targets[Math.floor(i / spec.shops.length) % targets.length] };
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency, maxFreeSockets: spec.concurrency });

  let warmupAccepted = 0;
  if (spec.warmup > 0) {
    const warm = Array.from({ length: spec.warmup }, (_, i) => aim(prepare(spec, i, 'w'), i));
    await drive(agent, target, warm, spec.concurrency, (r) => {
      if (r.ok) warmupAccepted += 1;
    });
  }

  const items = Array.from({ length: spec.requests }, (_, i) => aim(prepare(spec, i, 'm'), i));
  const outcomes: Record<string, number> = {};
  let errors = 0;
  let firstError: string | undefined;
  const startedAt = Date.now();
  const started = performance.now();
  const latencies = await drive(agent, target, items, spec.concurrency, (r) => {
    outcomes[r.key] = (outcomes[r.key] ?? 0) + 1;
    if (!r.ok) {
      errors += 1;
      firstError ??= r.detail;
    }
  });
  const durationMs = performance.now() - started;
  agent.destroy();

  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    requests: spec.requests,
    concurrency: spec.concurrency,
    startedAt,
    durationMs: round(durationMs),
    throughput: round((spec.requests / durationMs) * 1000),
    latencyMs: {
      p50: round(percentile(sorted, 0.5)),
      p90: round(percentile(sorted, 0.9)),
      p99: round(percentile(sorted, 0.99)),
      max: round(sorted[sorted.length - 1] ?? NaN),
      mean: round(sorted.reduce((s, v) => s + v, 0) / sorted.length),
    },
    outcomes,
    errors,
    warmupAccepted,
    firstError,
  };
}

// CLI: executed directly (not imported) -> read the spec, run, print the result.
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('load-client.ts')) {
  const raw = process.env.BENCH_LOAD_SPEC;
  if (!raw) {
    console.error('load-client: set BENCH_LOAD_SPEC to a JSON LoadSpec (the benchmarks do this)');
    process.exit(2);
  }
  runLoad(JSON.parse(raw) as LoadSpec).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    },
    (e: unknown) => {
      console.error(`load-client failed: ${e instanceof Error ? e.stack : String(e)}`);
      process.exit(1);
    },
  );
}
