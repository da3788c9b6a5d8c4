// A tiny fetch fake: routes by "METHOD path" (path includes the query string) and records every call.
import { vi } from 'vitest';

export interface RecordedCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface FakeResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (call: RecordedCall) => FakeResponse | Promise<FakeResponse>;

export interface FetchMock {
  calls: RecordedCall[];
  /** Exact "GET /api/status" or a predicate-style prefix "GET /api/activity?*". Later routes win. */
  on: (route: string, handler: Handler | FakeResponse) => void;
  callsTo: (method: string, pathPrefix: string) => RecordedCall[];
}

function toHeaders(init: RequestInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = init?.headers;
  if (raw instanceof Headers) raw.forEach((v, k) => (out[k.toLowerCase()] = v));
  else if (Array.isArray(raw)) for (const [k, v] of raw) out[k.toLowerCase()] = v;
  else if (raw) for (const [k, v] of Object.entries(raw)) out[k.toLowerCase()] = String(v);
  return out;
}

export function mockFetch(): FetchMock {
  const routes: { method: string; pattern: string; handler: Handler }[] = [];
  const calls: RecordedCall[] = [];

  const fake = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const call: RecordedCall = { method, url, headers: toHeaders(init), body };
    calls.push(call);
    const route = [...routes]
      .reverse()
      .find((r) => r.method === method && (r.pattern.endsWith('*') ? url.startsWith(r.pattern.slice(0, -1)) : url === r.pattern));
    if (!route) return new Response(JSON.stringify({ error: `no mock for ${method} ${url}` }), { status: 404 });
    const res = await route.handler(call);
    return new Response(res.body === undefined ? '' : JSON.stringify(res.body), {
      status: res.status ?? 200,
      headers: { 'Content-Type': 'application/json', ...res.headers },
    });
  });
  vi.stubGlobal('fetch', fake);

  return {
    calls,
    on(route, handler) {
      const space = route.indexOf(' ');
      const method = route.slice(0, space);
      const pattern = route.slice(space + 1);
      routes.push({ method, pattern, handler: typeof handler === 'function' ? handler : () => handler });
    },
    callsTo(method, pathPrefix) {
      return calls.filter((c) => c.method === method && c.url.startsWith(pathPrefix));
    },
  };
}
