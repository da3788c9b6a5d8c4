// Load generator for the storefront benchmark, run as a child process (as
// bench/load-client.ts) so it does not share the server's event loop:
//
//   node --import tsx bench/proxy-load-client.ts   (spec as JSON in BENCH_PROXY_SPEC)
//
// Sends `requests` GETs to `${url}${path}` over keep-alive connections,
// `concurrency` in flight. Each query is signed as Shopify's app proxy signs it,
// with the current timestamp, just before it is sent (in this process: the
// signature must be less than 90 s old when the app checks it, however long the
// run takes). Only loopback targets are accepted. Prints one JSON line: ProxyLoadResult.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { signAppProxyQuery } from '../app/adapters/index.js';

export interface ProxyLoadSpec {
  /** The app's base URL; must be http://127.0.0.1:<port>. */
  url: string;
  apiSecret: string;
  /** The route, e.g. /proxy/subscription-status, or /healthz for the baseline (sent unsigned). */
  path: string;
  signed: boolean;
  shop: string;
  /** Request i carries queries[i % queries.length] (the visitor's own parameters and logged_in_customer_id). */
  queries: Array<Record<string, string>>;
  requests: number;
  concurrency: number;
  warmup: number;
}

export interface ProxyLoadResult {
  requests: number;
  durationMs: number;
  throughput: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** HTTP status -> count, measured run only. */
  outcomes: Record<string, number>;
  errors: number;
  firstError?: string;
}

function pathFor(spec: ProxyLoadSpec, i: number): string {
  if (!spec.signed) return spec.path;
  const own = spec.queries[i % spec.queries.length] ?? {};
  const params: Record<string, string> = {
    logged_in_customer_id: '',
    ...own,
    shop: spec.shop,
    path_prefix: '/apps/edrone',
    timestamp: String(Math.floor(Date.now() / 1000)),
  };
  params.signature = signAppProxyQuery(params, spec.apiSecret);
  return `${spec.path}?${new URLSearchParams(params)}`;
}

function get(agent: http.Agent, target: URL, path: string): Promise<{ status: number | 'network'; detail?: string }> {
  return new Promise((resolve) => {
    const req = http.request({ agent, host: target.hostname, port: target.port, method: 'GET', path, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, detail: Buffer.concat(chunks).toString('utf8').slice(0, 200) }));
      res.on('error', (e) => resolve({ status: 'network', detail: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out after 30 s')));
    req.on('error', (e) => resolve({ status: 'network', detail: e.message }));
    req.end();
  });
}

async function drive(agent: http.Agent, target: URL, count: number, pathOf: (i: number) => string, concurrency: number, onResult: (r: { status: number | 'network'; detail?: string }) => void) {
  const latencies = new Array<number>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) {
        const path = pathOf(i);
        const t0 = performance.now();
        const r = await get(agent, target, path);
        latencies[i] = performance.now() - t0;
        onResult(r);
      }
    }),
  );
  return latencies;
}

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;

export async function runProxyLoad(spec: ProxyLoadSpec): Promise<ProxyLoadResult> {
  const target = new URL(spec.url);
  if (target.protocol !== 'http:' || target.hostname !== '127.0.0.1') throw new Error(`only http://127.0.0.1 targets (got ${spec.url})`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency, maxFreeSockets: spec.concurrency });
  if (spec.warmup > 0) await drive(agent, target, spec.warmup, (i) => pathFor(spec, i), spec.concurrency, () => {});
  const outcomes: Record<string, number> = {};
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const latencies = await drive(agent, target, spec.requests, (i) => pathFor(spec, i), spec.concurrency, (r) => {
    outcomes[String(r.status)] = (outcomes[String(r.status)] ?? 0) + 1;
    if (r.status !== 200) {
      errors += 1;
      firstError ??= `${r.status} ${r.detail ?? ''}`;
    }
  });
  const durationMs = performance.now() - started;
  agent.destroy();
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    requests: spec.requests,
    durationMs: round(durationMs),
    throughput: round((spec.requests / durationMs) * 1000),
    latencyMs: { p50: round(percentile(sorted, 0.5)), p90: round(percentile(sorted, 0.9)), p99: round(percentile(sorted, 0.99)), max: round(sorted.at(-1) ?? NaN) },
    outcomes,
    errors,
    firstError,
  };
}

if (process.argv[1]?.endsWith('proxy-load-client.ts')) {
  const raw = process.env.BENCH_PROXY_SPEC;
  if (!raw) {
    console.error('proxy-load-client: set BENCH_PROXY_SPEC to a JSON ProxyLoadSpec (bench/storefront-proxy.ts does this)');
    process.exit(2);
  }
  runProxyLoad(JSON.parse(raw) as ProxyLoadSpec).then(
    (result) => void process.stdout.write(`${JSON.stringify(result)}\n`),
    (e: unknown) => {
      console.error(`proxy-load-client failed: ${e instanceof Error ? e.stack : String(e)}`);
      process.exit(1);
    },
  );
}
