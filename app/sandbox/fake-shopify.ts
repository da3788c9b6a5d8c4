// A local stand-in for Shopify, for tests and the sandbox: the OAuth token endpoint
// (token exchange, refresh), the Admin GraphQL operations the app sends, consent
// webhooks to the app, and a control API (in-process and JSON under /_fake/*).
// Pieces: fake-shopify/store.ts (state and consent rules), graphql.ts, webhooks.ts.
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { SignJWT, jwtVerify } from 'jose';
import { z } from 'zod';
import { CHANNELS, SHOPIFY_STATES, type Channel, type ShopifyState } from '../core/types.js';
import { detectOperation, executeOperation, operationCost, webhookSubscriptionNode, type GraphqlContext } from './fake-shopify/graphql.js';
import {
  FakeStore,
  UserInputError,
  shopifyTime,
  type FakeCustomer,
  type FakeShop,
  type FakeWebhookSubscription,
  type IssuedTokens,
  type OptInLevel,
  type SeedOptions,
} from './fake-shopify/store.js';
import { FakeBulkOperations } from './fake-shopify/bulk.js';
import type { ConsentFieldsMode } from './fake-shopify/consent-fields.js';
import { WebhookSender, consentWebhook, rawJson, type RawJson, type WebhookDelivery } from './fake-shopify/webhooks.js';
import { fakeAppProxyRouter } from './fake-shopify/app-proxy.js';

export type { FakeCustomer, FakeShop, FakeWebhookSubscription, IssuedTokens, SeedOptions, StateMix } from './fake-shopify/store.js';
export type { RawJson, WebhookDelivery } from './fake-shopify/webhooks.js';
export { signWebhook } from './fake-shopify/webhooks.js';

export interface FakeShopifyOptions {
  apiKey: string;
  apiSecret: string;
  /** 0 (default): any free port. */
  port?: number;
  /** The app's base URL; webhooks go to `${webhookTarget}/webhooks`. Can be set later on control. */
  webhookTarget?: string;
  apiVersion?: string;
  /** Which consent fields customers carry: 'current' (2026-10 only), 'legacy' (older only), 'both' (default). */
  consentFields?: ConsentFieldsMode;
  /** Cost points restored per second (Standard plan: 100). */
  restoreRate?: number;
  accessTokenTtlSeconds?: number;
  /** Waits before each webhook retry (default 100, 300, 1000 ms). */
  webhookRetryDelaysMs?: number[];
  /** How long a bulk operation runs before it completes (default 200 ms; control.bulkOperationDelayMs). */
  bulkOperationDelayMs?: number;
}

export interface CreateCustomerInput {
  shop: string;
  id?: string;
  email?: string;
  phone?: string;
  emailState?: ShopifyState;
  smsState?: ShopifyState;
  emailConsentUpdatedAt?: string;
  smsConsentUpdatedAt?: string;
}

export interface SetConsentInput {
  shop: string;
  customerId: string;
  channel: Channel;
  state: ShopifyState;
  /** Default: now. */
  consentUpdatedAt?: string | Date;
  optInLevel?: OptInLevel | null;
}

export interface SendWebhookInput {
  shop: string;
  topic: string;
  /** A string is sent byte for byte (write 64-bit ids as bare digits); anything else is serialised. */
  body: string | RawJson;
  /** Sign with another secret, to test rejection. */
  signWith?: string;
  /** Default true: retry failed deliveries like Shopify. */
  retry?: boolean;
}

export interface FakeShopifyControl {
  webhookTarget: string | undefined;
  /** false: webhooks are recorded as dropped and never sent (missed deliveries). */
  deliverWebhooks: boolean;
  restoreRate: number;
  createCustomer(input: CreateCustomerInput): FakeCustomer;
  getCustomer(shop: string, id: string): FakeCustomer | null;
  listCustomers(shop: string): FakeCustomer[];
  /** The customer changed their consent in Shopify: applied as given, and the webhook is sent. */
  setConsent(input: SetConsentInput): FakeCustomer;
  sendWebhook(input: SendWebhookInput): Promise<WebhookDelivery>;
  /** An access token (and refresh token when expiring) without going through token exchange. */
  issueAccessToken(shop: string, options?: { expiring?: boolean }): IssuedTokens;
  /** An App Bridge session token for the shop, signed with the app secret. */
  sessionToken(shop: string, options?: { userId?: string; ttlSeconds?: number }): Promise<string>;
  revokeShop(shop: string): void;
  /** The merchant changed the app's granted scopes (comma-separated); new tokens carry them. */
  setGrantedScopes(shop: string, scopes: string): void;
  /** The next `count` GraphQL calls answer `status` (default 500; 429 carries Retry-After). */
  failNext(count: number, options?: { status?: number; retryAfterSeconds?: number }): void;
  /** The next `count` GraphQL calls never answer. */
  hangNext(count: number): void;
  /** Empties the shop's cost bucket and holds it empty for holdMs (default 1000), so the next calls get THROTTLED. */
  emptyBucket(shop: string, holdMs?: number): void;
  /**
   * Adds `count` customers at once (seed-<n>@example.com; phones +4860… for phoneShare of them),
   * with consent states spread by weight, e.g. { emailStates: { subscribed: 3, not_subscribed: 5, pending: 1 } }.
   */
  seedCustomers(shop: string, count: number, options?: SeedOptions): FakeCustomer[];
  /** How long the next bulk operations run before they complete. */
  bulkOperationDelayMs: number;
  /** The next bulk operation ends FAILED with this error code. */
  failNextBulkOperation(errorCode?: string): void;
  /** Downloads of bulk results, with the Range asked for. */
  bulkDownloads(): Array<{ id: string; range: string | null; status: number }>;
  /** The shop's webhook subscriptions (the ones webhookSubscriptionCreate made). */
  webhookSubscriptions(shop: string): FakeWebhookSubscription[];
  /** Adds a subscription directly (e.g. one with a wrong address). topic: enum form. */
  addWebhookSubscription(
    shop: string,
    input: { topic: string; uri: string; format?: 'JSON' | 'XML'; includeFields?: string[]; filter?: string | null },
  ): FakeWebhookSubscription;
  /** Calls per operation: GraphQL root field names, tokenExchange, refreshToken, unknown; THROTTLED: calls refused for cost. */
  calls(): Record<string, number>;
  resetCalls(): void;
  deliveries(): WebhookDelivery[];
  /** Resolves when every queued webhook delivery has finished. */
  webhooksIdle(): Promise<void>;
}

export interface FakeShopify {
  url: string;
  close(): Promise<void>;
  shops: ReadonlyMap<string, FakeShop>;
  control: FakeShopifyControl;
}

const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const OFFLINE_TOKEN_TYPE = 'urn:shopify:params:oauth:token-type:offline-access-token';
const SHOP_TARGET_HEADER = 'X-Shopify-Shop-Domain-Target';
const INVALID_TOKEN_MESSAGE = '[API] Invalid API key or access token (unrecognized login or wrong password)';

/** Signs a session token the way App Bridge's ID token looks (HS256 with the app secret). */
export async function signSessionToken(params: {
  apiKey: string;
  apiSecret: string;
  shop: string;
  userId?: string;
  ttlSeconds?: number;
}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ dest: `https://${params.shop}`, sid: crypto.randomUUID() })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(`https://${params.shop}/admin`)
    .setAudience(params.apiKey)
    .setSubject(params.userId ?? '1')
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (params.ttlSeconds ?? 60))
    .setJti(crypto.randomUUID())
    .sign(new TextEncoder().encode(params.apiSecret));
}

// ---------------------------------------------------------------------------
// Request shapes

const stateSchema = z.enum(SHOPIFY_STATES);

const createCustomerSchema = z.object({
  shop: z.string().min(1),
  id: z.string().regex(/^\d+$/).optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  emailState: stateSchema.optional(),
  smsState: stateSchema.optional(),
  emailConsentUpdatedAt: z.iso.datetime({ offset: true }).optional(),
  smsConsentUpdatedAt: z.iso.datetime({ offset: true }).optional(),
});

const setConsentSchema = z.object({
  shop: z.string().min(1),
  channel: z.enum(CHANNELS),
  state: stateSchema,
  consentUpdatedAt: z.iso.datetime({ offset: true }).optional(),
  optInLevel: z.enum(['single_opt_in', 'confirmed_opt_in', 'unknown']).nullable().optional(),
});

const jsonValue: z.ZodType<RawJson> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

const sendWebhookSchema = z.object({
  shop: z.string().min(1),
  topic: z.string().min(1),
  body: jsonValue,
  signWith: z.string().optional(),
  retry: z.boolean().optional(),
});

const clientSchema = { client_id: z.string(), client_secret: z.string() };
const tokenRequestSchema = z.discriminatedUnion('grant_type', [
  z.object({
    ...clientSchema,
    grant_type: z.literal(TOKEN_EXCHANGE_GRANT),
    subject_token: z.string(),
    requested_token_type: z.string().optional(),
    expiring: z.union([z.string(), z.number(), z.boolean()]).optional(),
  }),
  z.object({ ...clientSchema, grant_type: z.literal('refresh_token'), refresh_token: z.string() }),
]);

const graphqlBodySchema = z.object({
  query: z.string(),
  variables: z.record(z.string(), z.unknown()).nullish(),
});

// ---------------------------------------------------------------------------

export async function startFakeShopify(options: FakeShopifyOptions): Promise<FakeShopify> {
  const settings = { restoreRate: options.restoreRate ?? 100, accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600 };
  const store = new FakeStore(settings);
  const bulk = new FakeBulkOperations(store);
  bulk.delayMs = options.bulkOperationDelayMs ?? 200;
  bulk.consentFields = options.consentFields ?? 'both';
  const apiVersion = options.apiVersion ?? '2026-10';
  const sender = new WebhookSender({
    apiSecret: options.apiSecret,
    apiVersion: options.apiVersion ?? '2026-10',
    target: options.webhookTarget,
    enabled: true,
    retryDelaysMs: options.webhookRetryDelaysMs ?? [100, 300, 1000],
  });
  const faults = { fail: 0, failStatus: 500, retryAfterSeconds: 2, hang: 0 };
  const hung = new Set<ServerResponse>();
  const callCounts = new Map<string, number>();
  const secretKey = new TextEncoder().encode(options.apiSecret);

  const count = (operation: string) => callCounts.set(operation, (callCounts.get(operation) ?? 0) + 1);
  const copy = (c: FakeCustomer): FakeCustomer => structuredClone(c);

  function fireConsentWebhook(shop: string, customer: FakeCustomer, channel: Channel, from: 'shopify' | 'other'): void {
    const { topic, body } = consentWebhook(customer, channel, from);
    void sender.send({ shop, topic, body });
  }

  /** Shopify binds a session token to one shop through its `dest` claim. */
  async function sessionTokenShop(token: string): Promise<string | null> {
    try {
      const { payload } = await jwtVerify(token, secretKey, { algorithms: ['HS256'], audience: options.apiKey, clockTolerance: 10 });
      return typeof payload.dest === 'string' ? new URL(payload.dest).hostname.toLowerCase() : null;
    } catch {
      return null;
    }
  }

  const control: FakeShopifyControl = {
    get webhookTarget() {
      return sender.settings.target;
    },
    set webhookTarget(target) {
      sender.settings.target = target;
    },
    get deliverWebhooks() {
      return sender.settings.enabled;
    },
    set deliverWebhooks(enabled) {
      sender.settings.enabled = enabled;
    },
    get restoreRate() {
      return settings.restoreRate;
    },
    set restoreRate(rate) {
      settings.restoreRate = rate;
    },

    createCustomer(input) {
      return copy(
        store.createCustomer({
          shop: input.shop,
          id: input.id,
          email: input.email,
          phone: input.phone,
          ...(input.emailState && { emailConsent: { state: input.emailState, consentUpdatedAt: input.emailConsentUpdatedAt } }),
          ...(input.smsState && { smsConsent: { state: input.smsState, consentUpdatedAt: input.smsConsentUpdatedAt } }),
        }),
      );
    },
    getCustomer(shop, id) {
      const c = store.customer(shop, id);
      return c ? copy(c) : null;
    },
    listCustomers(shop) {
      return [...store.shop(shop).customers.values()].map(copy);
    },
    setConsent(input) {
      const customer = store.customer(input.shop, input.customerId);
      if (!customer) throw new UserInputError(['customerId'], `No customer ${input.customerId} in ${input.shop}`);
      const changed = store.writeConsent(customer, input.channel, {
        state: input.state,
        optInLevel: input.optInLevel === undefined ? 'single_opt_in' : input.optInLevel,
        consentUpdatedAt: shopifyTime(input.consentUpdatedAt ?? new Date()),
      });
      if (changed) fireConsentWebhook(store.shop(input.shop).domain, customer, input.channel, 'shopify');
      return copy(customer);
    },
    sendWebhook(input) {
      const body = typeof input.body === 'string' ? input.body : rawJson(input.body);
      return sender.send({ shop: input.shop, topic: input.topic, body, signWith: input.signWith, retry: input.retry });
    },
    issueAccessToken(shop, opts) {
      return store.issueTokens(shop.toLowerCase(), opts?.expiring ?? true);
    },
    sessionToken(shop, opts) {
      return signSessionToken({ apiKey: options.apiKey, apiSecret: options.apiSecret, shop, ...opts });
    },
    setGrantedScopes(shop, scopes) {
      store.grantedScopes.set(shop, scopes);
    },
    revokeShop(shop) {
      store.revokeShop(shop.toLowerCase());
    },
    failNext(n, opts) {
      faults.fail = n;
      faults.failStatus = opts?.status ?? 500;
      faults.retryAfterSeconds = opts?.retryAfterSeconds ?? 2;
    },
    hangNext(n) {
      faults.hang = n;
    },
    emptyBucket(shop, holdMs) {
      store.emptyBucket(shop.toLowerCase(), holdMs);
    },
    seedCustomers(shop, n, opts) {
      return store.seedCustomers(shop.toLowerCase(), n, opts).map(copy);
    },
    get bulkOperationDelayMs() {
      return bulk.delayMs;
    },
    set bulkOperationDelayMs(ms) {
      bulk.delayMs = ms;
    },
    failNextBulkOperation(errorCode = 'INTERNAL_SERVER_ERROR') {
      bulk.failNextOperation(errorCode);
    },
    bulkDownloads() {
      return bulk.downloads.map((d) => ({ ...d }));
    },
    webhookSubscriptions(shop) {
      return [...store.shop(shop.toLowerCase()).webhookSubscriptions.values()].map((w) => structuredClone(w));
    },
    addWebhookSubscription(shop, input) {
      const now = shopifyTime(new Date());
      const sub: FakeWebhookSubscription = {
        id: `gid://shopify/WebhookSubscription/${store.nextWebhookSubscriptionId()}`,
        topic: input.topic,
        uri: input.uri,
        format: input.format ?? 'JSON',
        includeFields: input.includeFields ?? [],
        filter: input.filter ?? null,
        apiVersion,
        createdAt: now,
        updatedAt: now,
      };
      store.shop(shop.toLowerCase()).webhookSubscriptions.set(sub.id, sub);
      return structuredClone(sub);
    },
    calls() {
      return Object.fromEntries(callCounts);
    },
    resetCalls() {
      callCounts.clear();
    },
    deliveries() {
      return sender.deliveries.map((d) => ({ ...d }));
    },
    webhooksIdle() {
      return sender.idle();
    },
  };

  const app = express();
  app.disable('x-powered-by');

  /** Which shop a call is for: the redirect header of the app's adminOrigin, else Host. */
  const shopOf = (req: Request) => (req.get(SHOP_TARGET_HEADER) ?? req.hostname).toLowerCase();

  // -------------------------------------------------------------------------
  // OAuth token endpoint: token exchange and refresh

  app.post('/admin/oauth/access_token', express.json(), express.urlencoded({ extended: false }), async (req, res) => {
    const shop = shopOf(req);
    const parsed = tokenRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid_request', error_description: z.prettifyError(parsed.error) });
      return;
    }
    const body = parsed.data;
    count(body.grant_type === 'refresh_token' ? 'refreshToken' : 'tokenExchange');
    if (body.client_id !== options.apiKey || body.client_secret !== options.apiSecret) {
      res.status(401).json({ error: 'invalid_client', error_description: 'Client credentials are invalid' });
      return;
    }
    if (body.grant_type === 'refresh_token') {
      const tokens = store.refresh(shop, body.refresh_token);
      if (tokens) res.json(tokens);
      else res.status(400).json({ error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or revoked' });
      return;
    }
    if (body.requested_token_type !== undefined && body.requested_token_type !== OFFLINE_TOKEN_TYPE) {
      res.status(400).json({ error: 'invalid_request', error_description: 'This fake issues offline access tokens only' });
      return;
    }
    if ((await sessionTokenShop(body.subject_token)) !== shop) {
      res.status(400).json({ error: 'invalid_subject_token', error_description: 'The session token is invalid or for another shop' });
      return;
    }
    const expiring = ['1', 'true'].includes(String(body.expiring ?? '0'));
    res.json(store.issueTokens(shop, expiring));
  });

  // -------------------------------------------------------------------------
  // Admin GraphQL

  app.post('/admin/api/:version/graphql.json', express.json({ limit: '1mb' }), (req, res) => {
    const shop = shopOf(req);
    const parsed = graphqlBodySchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ errors: 'Bad Request' });
      return;
    }
    const operation = detectOperation(parsed.data.query);
    count(operation ?? 'unknown');

    if (faults.hang > 0) {
      faults.hang -= 1;
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return;
    }
    if (faults.fail > 0) {
      faults.fail -= 1;
      if (faults.failStatus === 429) res.set('Retry-After', String(faults.retryAfterSeconds));
      res.status(faults.failStatus).json({ errors: faults.failStatus === 429 ? 'Throttled' : 'Internal Server Error' });
      return;
    }
    if (!store.accessTokenValid(shop, req.get('X-Shopify-Access-Token'))) {
      res.status(401).json({ errors: INVALID_TOKEN_MESSAGE });
      return;
    }
    if (!operation) {
      res.json({ errors: [{ message: 'The fake Shopify does not implement this operation', extensions: { code: 'UNSUPPORTED' } }] });
      return;
    }

    const cost = operationCost(operation, parsed.data.variables);
    const spent = store.spend(shop, cost);
    const costExtension = (actual: number | null) => ({
      cost: { requestedQueryCost: cost, actualQueryCost: actual, throttleStatus: spent.status },
    });
    if (!spent.ok) {
      count('THROTTLED');
      res.json({
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: costExtension(null),
      });
      return;
    }
    const ctx: GraphqlContext = {
      store,
      bulk,
      apiVersion,
      consentFields: options.consentFields ?? 'both',
      shop,
      onConsentChange: (customer, channel) => fireConsentWebhook(shop, customer, channel, 'other'),
    };
    res.json({ ...executeOperation(ctx, operation, parsed.data.variables), extensions: costExtension(cost) });
  });

  // Bulk operation results: the signed storage URL of Shopify, here on the fake itself.
  app.get('/_bulk/:file', (req, res) => bulk.serve(req, res));

  // -------------------------------------------------------------------------
  // Control API over HTTP (same operations as `control`)

  const fake = express.Router();
  fake.use(express.json({ limit: '1mb' }));
  const shopParam = (req: Request) => z.string().min(1).parse(req.query.shop);

  fake.post('/customers', (req, res) => {
    res.status(201).json(control.createCustomer(createCustomerSchema.parse(req.body)));
  });
  fake.post('/customers/seed', (req, res) => {
    const mix = z.partialRecord(z.enum(SHOPIFY_STATES), z.number().min(0)).optional();
    const body = z
      .object({
        shop: z.string().min(1),
        count: z.number().int().min(1).max(1_000_000),
        emailStates: mix,
        smsStates: mix,
        phoneShare: z.number().min(0).max(1).optional(),
        consentUpdatedAt: z.iso.datetime({ offset: true }).optional(),
        prefix: z.string().regex(/^[a-z0-9-]+$/).optional(),
        seed: z.number().int().optional(),
      })
      .parse(req.body);
    const { shop, count: n, ...opts } = body;
    const created = store.seedCustomers(shop.toLowerCase(), n, opts);
    res.status(201).json({ created: created.length, firstId: created[0]?.id ?? null, lastId: created.at(-1)?.id ?? null });
  });
  fake.get('/webhook-subscriptions', (req, res) => {
    res.json(control.webhookSubscriptions(shopParam(req)).map(webhookSubscriptionNode));
  });
  fake.get('/customers', (req, res) => {
    res.json(control.listCustomers(shopParam(req)));
  });
  fake.get('/customers/:id', (req, res) => {
    const customer = control.getCustomer(shopParam(req), req.params.id);
    if (customer) res.json(customer);
    else res.status(404).json({ error: 'customer not found' });
  });
  fake.post('/customers/:id/consent', (req, res) => {
    res.json(control.setConsent({ ...setConsentSchema.parse(req.body), customerId: req.params.id }));
  });
  fake.post('/webhooks', async (req, res) => {
    res.json(await control.sendWebhook(sendWebhookSchema.parse(req.body)));
  });
  fake.post('/tokens', (req, res) => {
    const body = z.object({ shop: z.string().min(1), expiring: z.boolean().optional() }).parse(req.body);
    res.json(control.issueAccessToken(body.shop, { expiring: body.expiring }));
  });
  fake.post('/session-token', async (req, res) => {
    const body = z
      .object({ shop: z.string().min(1), userId: z.string().optional(), ttlSeconds: z.number().int().min(1).max(86_400).optional() })
      .parse(req.body);
    res.json({ token: await control.sessionToken(body.shop, { userId: body.userId, ttlSeconds: body.ttlSeconds }) });
  });
  fake.post('/revoke', (req, res) => {
    control.revokeShop(z.object({ shop: z.string().min(1) }).parse(req.body).shop);
    res.status(204).end();
  });
  fake.post('/fail', (req, res) => {
    const body = z
      .object({ count: z.number().int().min(0), status: z.number().int().min(400).max(599).optional(), retryAfterSeconds: z.number().optional() })
      .parse(req.body);
    control.failNext(body.count, body);
    res.status(204).end();
  });
  fake.post('/hang', (req, res) => {
    control.hangNext(z.object({ count: z.number().int().min(0) }).parse(req.body).count);
    res.status(204).end();
  });
  fake.post('/throttle', (req, res) => {
    const body = z.object({ shop: z.string().min(1), holdMs: z.number().int().min(0).optional() }).parse(req.body);
    control.emptyBucket(body.shop, body.holdMs);
    res.status(204).end();
  });
  fake.get('/calls', (_req, res) => {
    res.json(control.calls());
  });
  fake.delete('/calls', (_req, res) => {
    control.resetCalls();
    res.status(204).end();
  });
  fake.get('/deliveries', (_req, res) => {
    res.json(control.deliveries());
  });
  fake.patch('/settings', (req, res) => {
    const body = z
      .object({
        deliverWebhooks: z.boolean().optional(),
        restoreRate: z.number().positive().optional(),
        webhookTarget: z.url().optional(),
        bulkOperationDelayMs: z.number().int().min(0).optional(),
      })
      .parse(req.body);
    if (body.deliverWebhooks !== undefined) control.deliverWebhooks = body.deliverWebhooks;
    if (body.bulkOperationDelayMs !== undefined) control.bulkOperationDelayMs = body.bulkOperationDelayMs;
    if (body.restoreRate !== undefined) control.restoreRate = body.restoreRate;
    if (body.webhookTarget !== undefined) control.webhookTarget = body.webhookTarget;
    res.json({ deliverWebhooks: control.deliverWebhooks, restoreRate: control.restoreRate, webhookTarget: control.webhookTarget ?? null });
  });
  app.use('/_fake', fake);
  app.use(fakeAppProxyRouter({ apiSecret: options.apiSecret, appUrl: () => control.webhookTarget }));

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof z.ZodError) res.status(400).json({ error: z.prettifyError(err) });
    else if (err instanceof UserInputError) res.status(422).json({ error: err.message, field: err.field });
    else res.status(500).json({ error: err instanceof Error ? err.message : String(err) });
  });

  const server = await listen(app, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  bulk.baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: `http://127.0.0.1:${port}`,
    shops: store.shops,
    control,
    async close() {
      sender.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // hung requests and keep-alive sockets
      });
    },
  };
}

function listen(app: express.Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(server)));
  });
}
