// A local stand-in for edrone, for the sandbox and tests. It speaks the parts of
// edrone's API the app uses (reference/edrone.md §2.1-2.5, §3) and sends the
// subscription-sync request edrone sends (§1.4, NATIVE_5, signed as §1.7).
// Behaviour edrone does not document (echoing our traces back, answering 400
// for an unknown App ID) is imitated as the app must expect it, not as known.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { Channel } from '../core/types.js';
import { signNative5, type Native5SignedFields } from '../adapters/edrone/index.js';

/** A trace edrone accepted (HTTP 200). receivedAt: Date.now() when the request was handled. */
export interface ReceivedTrace {
  receivedAt: number;
  path: string;
  fields: Record<string, string>;
  /** The x-edrone-event-id it answered with. */
  eventId: string;
}

/** Every request to /trace, including refused, failed and hung ones. */
export interface TraceRequest {
  receivedAt: number;
  path: string;
  fields: Record<string, string>;
  response: number | 'hung';
}

export type WireStatus = '0' | '1' | '';

/** A sync request the fake sent back after a trace (echoTraces). */
export interface EchoRecord {
  appId: string;
  channel: Channel;
  identity: string;
  status: WireStatus;
  result: { status: number; body: string } | { error: string };
}

const sendSyncSchema = z.object({
  /** Where to send; defaults to the app's registered sync URL. */
  url: z.url().optional(),
  appId: z.string().min(1),
  /** Defaults to the registered secret. */
  appSecret: z.string().optional(),
  channel: z.enum(['email', 'sms']),
  email: z.string().optional(),
  phone: z.string().optional(),
  status: z.enum(['0', '1', '']),
  /** Numeric id or name; defaults to AGENT_SUBSCRIBED / AGENT_UNSUBSCRIBED of the channel. */
  reason: z.union([z.string(), z.number()]).optional(),
  eventDate: z.union([z.date(), z.string().pipe(z.coerce.date())]).optional(),
  eventId: z.string().optional(),
  encoding: z.enum(['form', 'json']).optional(),
  /** Sent instead of the correct signature, to test rejection. */
  signature: z.string().optional(),
});

/** eventDate: a Date or an ISO 8601 string. */
export type SendSyncOptions = z.input<typeof sendSyncSchema>;

export interface FakeEdroneControl {
  registerApp(appId: string, appSecret: string): void;
  setSyncUrl(appId: string, url: string | null): void;
  /** Sends a signed NATIVE_5 request (and records the new status on the fake's side). */
  sendSync(options: SendSyncOptions): Promise<{ status: number; body: string }>;
  /** When true, a trace that changes a stored status is reported to the app's sync URL. */
  echoTraces: boolean;
  /** The next `count` traces are answered `status` (default 500). */
  failNext(count: number, status?: number): void;
  /** The next `count` traces get no answer until the fake closes. */
  hangNext(count: number): void;
  /** The next `count` traces are answered 429 with Retry-After (seconds, default 1). */
  throttleNext(count: number, retryAfterSeconds?: number): void;
  /** The status edrone holds, '' unknown, null never seen. Emails are compared lower-cased. */
  statusOf(appId: string, channel: Channel, identity: string): WireStatus | null;
  setStatus(appId: string, channel: Channel, identity: string, status: WireStatus): void;
  /** Links a visitor's fp_ccid cookie to an email (identified), or to nobody (null: anonymous). */
  setVisitor(appId: string, fpcid: string, email: string | null): void;
  /** The next `count` subscription_status requests are answered `status` (default 500). */
  failStatusNext(count: number, status?: number): void;
  /** The next `count` subscription_status requests get no answer until the fake closes. */
  hangStatusNext(count: number): void;
  /** The next `count` subscription_status requests are answered after `ms`. */
  delayStatusNext(count: number, ms: number): void;
  /** Every GET /subscription_status, with its query and answer. */
  readonly statusRequests: StatusRequest[];
  readonly echoes: EchoRecord[];
  /** Resolves when every echo in flight has been answered. */
  settled(): Promise<void>;
  /** Forgets traces, statuses, apps, sync URLs, echoes and pending failures. */
  reset(): void;
}

/** One GET /subscription_status as the fake saw it. */
export interface StatusRequest {
  receivedAt: number;
  query: Record<string, string>;
  response: number | 'hung';
}

export interface FakeEdrone {
  url: string;
  close(): Promise<void>;
  traces: ReceivedTrace[];
  requests: TraceRequest[];
  control: FakeEdroneControl;
}

type Injected = { kind: 'status'; status: number; retryAfterSeconds?: number } | { kind: 'hang' } | { kind: 'delay'; ms: number };

/** Reason ids edrone gives changes caused by a trace (§1.8). */
const ECHO_REASON = { email: { '1': 10, '0': 6 }, sms: { '1': 10, '0': 10 } } as const;
/** Reason ids of a change made by an agent in Mission Control, the default for sendSync. */
const AGENT_REASON = { email: { '1': 11, '0': 4, '': 13 }, sms: { '1': 5, '0': 4, '': 3 } } as const;

/** edrone's event_date as guessed from the docs: 'YYYY-MM-DD HH:MM:SS' in UTC. */
export function edroneDate(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

function identityKey(channel: Channel, identity: string): string {
  return `${channel}:${channel === 'email' ? identity.trim().toLowerCase() : identity.trim()}`;
}

function formFields(req: Request): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.query)) if (typeof value === 'string') fields[key] = value;
  const isForm = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
  if (isForm && typeof req.body === 'string') for (const [key, value] of new URLSearchParams(req.body)) fields[key] = value;
  return fields;
}

export async function startFakeEdrone(options: { port?: number; host?: string } = {}): Promise<FakeEdrone> {
  const apps = new Map<string, string>();
  const syncUrls = new Map<string, string>();
  const statuses = new Map<string, WireStatus>();
  const traces: ReceivedTrace[] = [];
  const requests: TraceRequest[] = [];
  const echoes: EchoRecord[] = [];
  const injected: Injected[] = [];
  const statusInjected: Injected[] = [];
  const visitors = new Map<string, string | null>();
  const statusRequests: StatusRequest[] = [];
  const inFlight = new Set<Promise<void>>();
  const hung = new Set<Response>();

  const stateKey = (appId: string, channel: Channel, identity: string): string =>
    `${appId}\u0000${identityKey(channel, identity)}`;

  async function sendSync(input: SendSyncOptions): Promise<{ status: number; body: string }> {
    const o = sendSyncSchema.parse(input);
    const url = o.url ?? syncUrls.get(o.appId);
    const secret = o.appSecret ?? apps.get(o.appId);
    if (!url) throw new Error(`No sync URL for app ${o.appId}: pass url or call setSyncUrl`);
    if (secret === undefined) throw new Error(`No secret for app ${o.appId}: pass appSecret or call registerApp`);
    const identity = o.channel === 'email' ? o.email : o.phone;
    if (identity && o.status !== '') statuses.set(stateKey(o.appId, o.channel, identity), o.status);
    const fields: Native5SignedFields & { email: string; phone: string } = {
      subscription_status_type_id: o.channel === 'email' ? '1' : '2',
      email: o.email ?? '',
      phone: o.phone ?? '',
      subscriber_status: o.status,
      subscription_status_reason: String(o.reason ?? AGENT_REASON[o.channel][o.status]),
      event_date: edroneDate(o.eventDate ?? new Date()),
      event_id: o.eventId ?? randomBytes(8).toString('hex'),
      app_id: o.appId,
    };
    const body = { ...fields, signature: o.signature ?? signNative5(fields, secret) };
    const json = o.encoding === 'json';
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' },
      body: json ? JSON.stringify(body) : new URLSearchParams(body).toString(),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, body: await res.text() };
  }

  function echo(appId: string, channel: Channel, identity: string, status: '0' | '1'): void {
    const url = syncUrls.get(appId);
    const secret = apps.get(appId);
    if (!control.echoTraces || !url || secret === undefined) return;
    const reason = ECHO_REASON[channel][status];
    const who = channel === 'email' ? { email: identity } : { phone: identity };
    const job = sendSync({ url, appId, appSecret: secret, channel, ...who, status, reason })
      .then((result) => ({ result }), (e: unknown) => ({ result: { error: e instanceof Error ? e.message : String(e) } }))
      .then(({ result }) => {
        echoes.push({ appId, channel, identity, status, result });
      });
    inFlight.add(job);
    void job.finally(() => inFlight.delete(job));
  }

  /** Applies a server-side subscribe trace; returns the changes, to echo. */
  function applyTrace(fields: Record<string, string>): void {
    // edrone: "Subscription change won't work without [sender_type=server]".
    if (fields.action_type !== 'subscribe' || fields.sender_type !== 'server') return;
    const appId = fields.app_id ?? '';
    const changes: Array<[Channel, string | undefined, string | undefined]> = [
      ['email', fields.email, fields.subscriber_status],
      ['sms', fields.phone, fields.sms_subscriber_status],
    ];
    for (const [channel, identity, status] of changes) {
      if (!identity || (status !== '0' && status !== '1')) continue;
      const key = stateKey(appId, channel, identity);
      if (statuses.get(key) === status) continue;
      statuses.set(key, status);
      echo(appId, channel, identity, status);
    }
  }

  function handleTrace(req: Request, res: Response): void {
    const receivedAt = Date.now();
    const fields = formFields(req);
    const request: TraceRequest = { receivedAt, path: req.path, fields, response: 200 };
    requests.push(request);
    const failure = injected.shift();
    if (failure?.kind === 'hang') {
      request.response = 'hung';
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return;
    }
    if (failure?.kind === 'status') {
      request.response = failure.status;
      if (failure.retryAfterSeconds !== undefined) res.set('Retry-After', String(failure.retryAfterSeconds));
      res.status(failure.status).json({ error: failure.status === 429 ? 'Too many requests' : 'Injected failure' });
      return;
    }
    if (!fields.app_id) {
      request.response = 400;
      res.status(400).json({ error: 'Missing required field: app_id' });
      return;
    }
    const eventId = randomUUID();
    traces.push({ receivedAt, path: req.path, fields, eventId });
    applyTrace(fields);
    res.set('x-edrone-event-id', eventId).status(200).end();
  }

  /**
   * GET /subscription_status (seeds/002): 400 for a missing or unknown App ID;
   * identified when the cookie is linked to an email; status from the email's
   * stored subscriber_status (1 true, 0 false, else null). `force` is recorded:
   * the fake keeps no cache of its own, so every answer is fresh.
   */
  async function handleSubscriptionStatus(req: Request, res: Response): Promise<void> {
    const query: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.query)) if (typeof value === 'string') query[key] = value;
    const request: StatusRequest = { receivedAt: Date.now(), query, response: 200 };
    statusRequests.push(request);
    const injectedNow = statusInjected.shift();
    if (injectedNow?.kind === 'hang') {
      request.response = 'hung';
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return;
    }
    if (injectedNow?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, injectedNow.ms));
    if (injectedNow?.kind === 'status') {
      request.response = injectedNow.status;
      res.status(injectedNow.status).json({ identified: false, status: null, message: 'An error occurred while processing the request' });
      return;
    }
    const appId = query.app_id ?? '';
    // With no app registered the fake accepts any App ID, so the sandbox works without setup.
    if (!appId || (apps.size > 0 && !apps.has(appId))) {
      request.response = 400;
      res.status(400).json({ error: appId ? 'Invalid app_id' : 'Missing required field: app_id' });
      return;
    }
    const email = query.fpcid ? visitors.get(`${appId}\u0000${query.fpcid}`) : undefined;
    if (!email) {
      res.status(200).json({ identified: false, status: null, message: 'Success' });
      return;
    }
    const stored = statuses.get(stateKey(appId, 'email', email));
    res.status(200).json({ identified: true, status: stored === '1' ? true : stored === '0' ? false : null, message: 'Success' });
  }

  const control: FakeEdroneControl = {
    echoTraces: false,
    echoes,
    registerApp(appId, appSecret) {
      apps.set(appId, appSecret);
    },
    setSyncUrl(appId, url) {
      if (url === null) syncUrls.delete(appId);
      else syncUrls.set(appId, url);
    },
    sendSync,
    failNext(count, status = 500) {
      for (let i = 0; i < count; i++) injected.push({ kind: 'status', status });
    },
    hangNext(count) {
      for (let i = 0; i < count; i++) injected.push({ kind: 'hang' });
    },
    throttleNext(count, retryAfterSeconds = 1) {
      for (let i = 0; i < count; i++) injected.push({ kind: 'status', status: 429, retryAfterSeconds });
    },
    statusOf(appId, channel, identity) {
      return statuses.get(stateKey(appId, channel, identity)) ?? null;
    },
    setStatus(appId, channel, identity, status) {
      statuses.set(stateKey(appId, channel, identity), status);
    },
    setVisitor(appId, fpcid, email) {
      visitors.set(`${appId}\u0000${fpcid}`, email);
    },
    failStatusNext(count, status = 500) {
      for (let i = 0; i < count; i++) statusInjected.push({ kind: 'status', status });
    },
    hangStatusNext(count) {
      for (let i = 0; i < count; i++) statusInjected.push({ kind: 'hang' });
    },
    delayStatusNext(count, ms) {
      for (let i = 0; i < count; i++) statusInjected.push({ kind: 'delay', ms });
    },
    statusRequests,
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    reset() {
      apps.clear();
      syncUrls.clear();
      statuses.clear();
      traces.length = 0;
      requests.length = 0;
      echoes.length = 0;
      injected.length = 0;
      statusInjected.length = 0;
      visitors.clear();
      statusRequests.length = 0;
      control.echoTraces = false;
    },
  };

  const app = express();
  app.use(express.text({ type: () => true, limit: '1mb' }));
  app.post(['/trace', '/trace.php'], handleTrace);
  app.get('/subscription_status', (req, res) => void handleSubscriptionStatus(req, res));
  app.use('/_fake', controlRouter(control, { traces, requests, statuses, apps, syncUrls, injected }));

  const server = await listen(app, options.port ?? 0, options.host ?? '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    traces,
    requests,
    control,
    async close() {
      for (const res of hung) res.destroy();
      await control.settled();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

function listen(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (e?: Error) => (e ? reject(e) : resolve(server)));
  });
}

// ---------------------------------------------------------------------------
// The same control as JSON over HTTP, for the sandbox UI and manual use.

interface ControlState {
  traces: ReceivedTrace[];
  requests: TraceRequest[];
  statuses: Map<string, WireStatus>;
  apps: Map<string, string>;
  syncUrls: Map<string, string>;
  injected: Injected[];
}

const registerAppBody = z.object({ appId: z.string().min(1), appSecret: z.string() });
const syncUrlBody = z.object({ appId: z.string().min(1), url: z.url().nullable() });
const echoBody = z.object({ enabled: z.boolean() });
const visitorBody = z.object({ appId: z.string().min(1), fpcid: z.string().min(1).max(128), email: z.string().min(3).nullable() });
const failuresBody = z.object({
  mode: z.enum(['fail', 'hang', 'throttle']),
  count: z.number().int().min(1).max(10_000),
  status: z.number().int().min(400).max(599).optional(),
  retryAfterSeconds: z.number().min(0).optional(),
});

function jsonBody(req: Request): unknown {
  if (typeof req.body !== 'string' || req.body.trim() === '') return {};
  try {
    return JSON.parse(req.body);
  } catch {
    return undefined;
  }
}

/** Wraps a handler: parses the JSON body with `schema`, answers 400 with the problem. */
function withBody<T>(schema: z.ZodType<T>, handle: (body: T, res: Response) => unknown) {
  return async (req: Request, res: Response): Promise<void> => {
    const parsed = schema.safeParse(jsonBody(req));
    if (!parsed.success) {
      res.status(400).json({ error: z.prettifyError(parsed.error) });
      return;
    }
    try {
      await handle(parsed.data, res);
    } catch (e) {
      res.status(502).json({ error: e instanceof Error ? e.message : String(e) });
    }
  };
}

function controlRouter(control: FakeEdroneControl, state: ControlState): express.Router {
  const router = express.Router();
  router.post(
    '/apps',
    withBody(registerAppBody, (b, res) => {
      control.registerApp(b.appId, b.appSecret);
      res.json({ ok: true });
    }),
  );
  router.post(
    '/sync-url',
    withBody(syncUrlBody, (b, res) => {
      control.setSyncUrl(b.appId, b.url);
      res.json({ ok: true });
    }),
  );
  router.post(
    '/sync',
    withBody(sendSyncSchema, async (b, res) => {
      res.json(await control.sendSync(b));
    }),
  );
  router.post(
    '/echo',
    withBody(echoBody, (b, res) => {
      control.echoTraces = b.enabled;
      res.json({ ok: true, echoTraces: control.echoTraces });
    }),
  );
  router.post(
    '/failures',
    withBody(failuresBody, (b, res) => {
      if (b.mode === 'hang') control.hangNext(b.count);
      else if (b.mode === 'throttle') control.throttleNext(b.count, b.retryAfterSeconds);
      else control.failNext(b.count, b.status);
      res.json({ ok: true, pending: state.injected.length });
    }),
  );
  router.post(
    '/visitors',
    withBody(visitorBody, (b, res) => {
      control.setVisitor(b.appId, b.fpcid, b.email);
      res.json({ ok: true });
    }),
  );
  router.post('/reset', (_req, res) => {
    control.reset();
    res.json({ ok: true });
  });
  router.get('/traces', (_req, res) => {
    res.json({ traces: state.traces, requests: state.requests });
  });
  router.get('/state', (_req, res) => {
    res.json({
      // Secrets are not listed back.
      apps: [...state.apps.keys()],
      syncUrls: Object.fromEntries(state.syncUrls),
      statuses: Object.fromEntries([...state.statuses].map(([k, v]) => [k.replace('\u0000', ' '), v])),
      echoTraces: control.echoTraces,
      pendingFailures: state.injected.map((f) => (f.kind === 'status' ? f.status : f.kind)),
      echoes: control.echoes,
    });
  });
  return router;
}
