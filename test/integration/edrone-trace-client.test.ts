import { createServer } from 'node:net';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEdroneTraceClient, createPacer, retryAfterMs } from '../../app/adapters/edrone/index.js';
import { PermanentError, RetriableError, ThrottledError } from '../../app/errors.js';
import { parseEdroneRequest, verifyEdroneSignature } from '../../app/adapters/edrone/index.js';
import { startFakeEdrone, type FakeEdrone } from '../../app/sandbox/fake-edrone.js';

let edrone: FakeEdrone;

beforeAll(async () => {
  edrone = await startFakeEdrone();
});
afterAll(async () => {
  await edrone.close();
});
afterEach(() => {
  edrone.control.reset();
});

const client = (options: { timeoutMs?: number; ratePerSecond?: number } = {}) =>
  createEdroneTraceClient({ baseUrl: edrone.url, ...options });

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('sendSubscribe', () => {
  it('posts the documented form fields for an email change', async () => {
    await client().sendSubscribe({ appId: 'app-1', email: 'john@example.com', subscriberStatus: '1' });
    expect(edrone.traces).toHaveLength(1);
    const trace = edrone.traces[0];
    expect(trace?.path).toBe('/trace');
    expect(trace?.fields).toEqual({
      app_id: 'app-1',
      action_type: 'subscribe',
      sender_type: 'server',
      email: 'john@example.com',
      subscriber_status: '1',
      version: '0.1.0',
      platform: 'shopify',
    });
    expect(edrone.control.statusOf('app-1', 'email', 'john@example.com')).toBe('1');
  });

  it('sends phone + sms_subscriber_status, and both channels together, only with the fields given', async () => {
    const c = client();
    await c.sendSubscribe({ appId: 'app-1', phone: '+48500100200', smsSubscriberStatus: '0' });
    await c.sendSubscribe({ appId: 'app-1', email: 'a@b.co', subscriberStatus: '0', phone: '+48500100201', smsSubscriberStatus: '1' });
    const [sms, both] = edrone.traces.map((t) => t.fields);
    expect(sms).toEqual({
      app_id: 'app-1',
      action_type: 'subscribe',
      sender_type: 'server',
      phone: '+48500100200',
      sms_subscriber_status: '0',
      version: '0.1.0',
      platform: 'shopify',
    });
    expect(both).toMatchObject({ email: 'a@b.co', subscriber_status: '0', phone: '+48500100201', sms_subscriber_status: '1' });
    expect(edrone.control.statusOf('app-1', 'sms', '+48500100200')).toBe('0');
    expect(edrone.control.statusOf('app-1', 'sms', '+48500100201')).toBe('1');
  });

  it('refuses a trace with no status to send, without calling edrone', async () => {
    const e = await rejectionOf(client().sendSubscribe({ appId: 'app-1', email: 'a@b.co' }));
    expect(e).toBeInstanceOf(PermanentError);
    expect(edrone.requests).toHaveLength(0);
  });

  it('400 -> PermanentError with edrone’s error text', async () => {
    const e = await rejectionOf(client().sendSubscribe({ appId: ' ', email: 'a@b.co', subscriberStatus: '1' }));
    expect(e).toBeInstanceOf(PermanentError);
    // A blank App ID is refused locally; an empty one reaches edrone only through a raw request:
    const res = await fetch(`${edrone.url}/trace`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a%40b.co&subscriber_status=1',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'Missing required field: app_id' });
  });

  it('maps another 4xx from edrone to PermanentError carrying its message', async () => {
    edrone.control.failNext(1, 403);
    const e = await rejectionOf(client().sendSubscribe({ appId: 'app-1', email: 'a@b.co', subscriberStatus: '1' }));
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as PermanentError).message).toMatch(/HTTP 403.*Injected failure/);
  });

  it('maps edrone’s documented 400 body to PermanentError', async () => {
    const stub: typeof fetch = async () =>
      new Response(JSON.stringify({ error: 'Missing required field: app_id' }), { status: 400 });
    const c = createEdroneTraceClient({ baseUrl: 'http://edrone.invalid', fetch: stub });
    const e = await rejectionOf(c.sendSubscribe({ appId: 'x', email: 'a@b.co', subscriberStatus: '1' }));
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as PermanentError).message).toBe('edrone rejected the update (HTTP 400): Missing required field: app_id.');
  });

  it('429 -> ThrottledError with Retry-After', async () => {
    edrone.control.throttleNext(1, 3);
    const e = await rejectionOf(client().sendSubscribe({ appId: 'app-1', email: 'a@b.co', subscriberStatus: '1' }));
    expect(e).toBeInstanceOf(ThrottledError);
    expect((e as ThrottledError).retryAfterMs).toBe(3000);
    expect((e as ThrottledError).service).toBe('edrone');
  });

  it('429 without Retry-After waits 1 s, and holds back the next send for that app', async () => {
    const stubbed: Response[] = [new Response('', { status: 429 }), new Response('', { status: 200 })];
    const sentAt: number[] = [];
    const stub: typeof fetch = async () => {
      sentAt.push(Date.now());
      return stubbed.shift() ?? new Response('', { status: 200 });
    };
    const c = createEdroneTraceClient({ baseUrl: 'http://edrone.invalid', fetch: stub, timeoutMs: 1000 });
    const e = await rejectionOf(c.sendSubscribe({ appId: 'x', email: 'a@b.co', subscriberStatus: '1' }));
    expect((e as ThrottledError).retryAfterMs).toBe(1000);
    await c.sendSubscribe({ appId: 'x', email: 'a@b.co', subscriberStatus: '1' });
    expect((sentAt[1] ?? 0) - (sentAt[0] ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('500 -> RetriableError', async () => {
    edrone.control.failNext(1);
    const e = await rejectionOf(client().sendSubscribe({ appId: 'app-1', email: 'a@b.co', subscriberStatus: '1' }));
    expect(e).toBeInstanceOf(RetriableError);
    expect((e as RetriableError).code).toBe('edrone_unavailable');
    // The failure was one-off: the next send goes through.
    await client().sendSubscribe({ appId: 'app-1', email: 'a@b.co', subscriberStatus: '1' });
    expect(edrone.traces).toHaveLength(1);
  });

  it('timeout -> RetriableError', async () => {
    edrone.control.hangNext(1);
    const started = Date.now();
    const e = await rejectionOf(client({ timeoutMs: 300 }).sendSubscribe({ appId: 'app-1', email: 'a@b.co', subscriberStatus: '1' }));
    expect(e).toBeInstanceOf(RetriableError);
    expect((e as RetriableError).code).toBe('edrone_timeout');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(edrone.requests[0]?.response).toBe('hung');
  });

  it('network error -> RetriableError', async () => {
    const c = createEdroneTraceClient({ baseUrl: `http://127.0.0.1:${await closedPort()}` });
    const e = await rejectionOf(c.sendSubscribe({ appId: 'app-1', email: 'a@b.co', subscriberStatus: '1' }));
    expect(e).toBeInstanceOf(RetriableError);
    expect((e as RetriableError).code).toBe('edrone_unreachable');
    expect((e as RetriableError).message).toMatch(/Could not reach edrone/);
  });

  it('paces one app_id: never more than 100 requests in any 1-second window', async () => {
    const c = client();
    const count = 300;
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        c.sendSubscribe({ appId: 'busy-app', email: `user${i}@example.com`, subscriberStatus: i % 2 ? '1' : '0' }),
      ),
    );
    const times = edrone.requests.filter((r) => r.fields.app_id === 'busy-app').map((r) => r.receivedAt).sort((a, b) => a - b);
    expect(times).toHaveLength(count);
    let maxInWindow = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while ((times[i] ?? 0) - (times[j] ?? 0) >= 1000) j++;
      maxInWindow = Math.max(maxInWindow, i - j + 1);
    }
    expect(maxInWindow).toBeLessThanOrEqual(100);
    // 300 requests at <= 100/s cannot fit in less than ~2 s of arrivals.
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(2000);
  }, 20_000);

  it('paces apps independently', async () => {
    const c = client({ ratePerSecond: 10 });
    const started = Date.now();
    await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((appId) => c.sendSubscribe({ appId, email: 'x@y.co', subscriberStatus: '1' })),
    );
    // One slot each, none waiting for another app's 100 ms spacing.
    expect(Date.now() - started).toBeLessThan(400);
  });
});

describe('createPacer', () => {
  it('releases callers in call order on slots 1/rate apart', async () => {
    const pacer = createPacer(50);
    const released: Array<[number, number]> = [];
    await Promise.all(Array.from({ length: 11 }, (_, i) => pacer.wait('x').then(() => released.push([i, Date.now()]))));
    expect(released.map(([i]) => i)).toEqual([...Array(11).keys()]);
    const times = released.map(([, t]) => t);
    // 10 intervals of 20 ms; a late timer may shorten one gap, never below half an interval.
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(198);
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(9);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, else 1 s', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('0.5')).toBe(500);
    expect(retryAfterMs(null)).toBe(1000);
    expect(retryAfterMs('soon')).toBe(1000);
    const now = Date.parse('2024-01-15T10:30:00Z');
    expect(retryAfterMs('Mon, 15 Jan 2024 10:30:05 GMT', now)).toBe(5000);
  });
});

describe('checkAppId', () => {
  it('is ok for an App ID the fake knows, and for any while none is registered', async () => {
    expect(await client().checkAppId('anything')).toEqual({ ok: true });
    edrone.control.registerApp('known-app', 'secret');
    expect(await client().checkAppId('known-app')).toEqual({ ok: true });
  });

  it('reports an unknown App ID', async () => {
    edrone.control.registerApp('known-app', 'secret');
    expect(await client().checkAppId('other-app')).toEqual({ ok: false, reason: 'edrone does not recognise this App ID' });
    expect(await client().checkAppId('')).toEqual({ ok: false, reason: 'The App ID is empty.' });
  });

  it('describes a server error and an unreachable edrone', async () => {
    const stub: typeof fetch = async () => new Response('Bad gateway', { status: 502 });
    const broken = createEdroneTraceClient({ baseUrl: 'http://edrone.invalid', fetch: stub });
    expect(await broken.checkAppId('x')).toEqual({ ok: false, reason: 'edrone answered HTTP 502: Bad gateway; try again later' });
    const unreachable = createEdroneTraceClient({ baseUrl: `http://127.0.0.1:${await closedPort()}` });
    const result = await unreachable.checkAppId('x');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^Could not reach edrone: /);
  });

  it('calls subscription_status with the App ID and a placeholder cookie id', async () => {
    let seen = '';
    const stub: typeof fetch = async (input) => {
      seen = String(input);
      return new Response('{}', { status: 200 });
    };
    await createEdroneTraceClient({ baseUrl: 'https://api.edrone.me/', fetch: stub }).checkAppId('a b');
    expect(seen).toBe('https://api.edrone.me/subscription_status?app_id=a+b&fpcid=connection-check');
  });
});

describe('fake edrone', () => {
  it('sendSync delivers a signed NATIVE_5 request the parser verifies, as form and JSON', async () => {
    const received: Array<{ contentType: string | undefined; rawBody: string }> = [];
    const app = express();
    app.use(express.text({ type: () => true }));
    app.post('/sync', (req, res) => {
      received.push({ contentType: req.headers['content-type'], rawBody: String(req.body) });
      res.json({ status: 'ok' });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/sync`;
    try {
      const eventDate = new Date('2024-01-15T10:30:00Z');
      const form = await edrone.control.sendSync({ url, appId: 'app-9', appSecret: 's3cret', channel: 'email', email: 'j@e.co', status: '0', reason: 1, eventDate, eventId: 'ev-1' });
      await edrone.control.sendSync({ url, appId: 'app-9', appSecret: 's3cret', channel: 'sms', phone: '+48500100200', status: '1', encoding: 'json' });
      expect(form).toEqual({ status: 200, body: '{"status":"ok"}' });
      const [a, b] = received.map((r) => parseEdroneRequest({ ...r, query: {} }));
      if (!a?.ok || !b?.ok) throw new Error('parse failed');
      expect(a.format).toBe('NATIVE_5');
      expect(a.fields.event_date).toBe('2024-01-15 10:30:00');
      expect(a.events[0]).toMatchObject({ channel: 'email', identity: 'j@e.co', status: 'unsubscribed', reason: 'CUSTOMER_UNSUBSCRIBED' });
      expect(b.events[0]).toMatchObject({ channel: 'sms', identity: '+48500100200', status: 'subscribed', reason: 'AGENT_SUBSCRIBED' });
      expect(received[1]?.contentType).toMatch(/application\/json/);
      expect(verifyEdroneSignature(a, 's3cret', 'app-9')).toBe(true);
      expect(verifyEdroneSignature(b, 's3cret', 'app-9')).toBe(true);
      expect(edrone.control.statusOf('app-9', 'email', 'J@E.co')).toBe('0');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('echoes a trace that changes a status back to the sync URL with a TRACE_* reason', async () => {
    const received: string[] = [];
    const app = express();
    app.use(express.text({ type: () => true }));
    app.post('/sync', (req, res) => {
      received.push(String(req.body));
      res.json({ status: 'ok' });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const address = server.address();
    try {
      edrone.control.registerApp('app-e', 'sec');
      edrone.control.setSyncUrl('app-e', `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/sync`);
      edrone.control.echoTraces = true;
      const c = client();
      await c.sendSubscribe({ appId: 'app-e', email: 'a@b.co', subscriberStatus: '0', phone: '+48500100200', smsSubscriberStatus: '1' });
      await c.sendSubscribe({ appId: 'app-e', email: 'a@b.co', subscriberStatus: '0' }); // no change: no echo
      await edrone.control.settled();
      const parsed = received.map((rawBody) =>
        parseEdroneRequest({ contentType: 'application/x-www-form-urlencoded', rawBody, query: {} }),
      );
      expect(parsed).toHaveLength(2);
      const events = parsed.flatMap((p) => (p.ok && verifyEdroneSignature(p, 'sec', 'app-e') ? p.events : []));
      expect(events).toEqual([
        expect.objectContaining({ channel: 'email', status: 'unsubscribed', reason: 'TRACE_UNSUBSCRIBED', reasonCode: '6' }),
        expect.objectContaining({ channel: 'sms', status: 'subscribed', reason: 'TRACE_UPDATE', reasonCode: '10' }),
      ]);
      expect(edrone.control.echoes).toHaveLength(2);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('accepts traces on /trace.php like the official modules send them', async () => {
    const res = await fetch(`${edrone.url}/trace.php`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'app_id=m1&action_type=subscribe&sender_type=server&email=a%40b.co&subscriber_status=1',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-edrone-event-id')).toBe(edrone.traces[0]?.eventId);
    expect(edrone.traces[0]?.path).toBe('/trace.php');
    expect(edrone.control.statusOf('m1', 'email', 'A@B.CO')).toBe('1');
  });

  it('offers the same control as JSON under /_fake', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${edrone.url}/_fake${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/apps', { appId: 'http-app', appSecret: 's' })).status).toBe(200);
    expect((await post('/failures', { mode: 'fail', count: 1 })).status).toBe(200);
    expect((await post('/failures', { mode: 'nope', count: 1 })).status).toBe(400);
    const c = client();
    await expect(c.sendSubscribe({ appId: 'http-app', email: 'a@b.co', subscriberStatus: '1' })).rejects.toBeInstanceOf(RetriableError);
    await c.sendSubscribe({ appId: 'http-app', email: 'a@b.co', subscriberStatus: '1' });
    const traces = (await (await fetch(`${edrone.url}/_fake/traces`)).json()) as { traces: unknown[]; requests: unknown[] };
    expect(traces.traces).toHaveLength(1);
    expect(traces.requests).toHaveLength(2);
    const state = (await (await fetch(`${edrone.url}/_fake/state`)).json()) as { apps: string[]; statuses: Record<string, string> };
    expect(state.apps).toEqual(['http-app']);
    expect(Object.values(state.statuses)).toEqual(['1']);
    expect((await post('/reset', {})).status).toBe(200);
    expect(edrone.traces).toHaveLength(0);
  });
});
