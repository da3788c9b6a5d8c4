// The Admin API client and the token helpers against the fake Shopify, with a tiny
// webhook receiver that checks every consent webhook with the library's validator.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { SignJWT } from 'jose';
import { Session, type WebhookValidation } from '@shopify/shopify-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopifyAdminClient, throttleWaitMs } from '../../app/adapters/shopify/index.js';
import {
  createShopifyApi,
  ensureFreshOfflineSession,
  exchangeForOfflineSession,
  type OfflineSessionStore,
  type ShopifyApi,
} from '../../app/adapters/shopify/index.js';
import { PermanentError, RetriableError, ShopAccessError, ThrottledError } from '../../app/errors.js';
import { startFakeShopify, type FakeShopify } from '../../app/sandbox/fake-shopify.js';

const API_KEY = 'test-api-key';
const API_SECRET = 'test-api-secret';
const SHOP = 'consent-test.myshopify.com';

interface Received {
  validation: WebhookValidation;
  body: string;
}

let fake: FakeShopify;
let shopify: ShopifyApi;
let receiver: Server;
const received: Received[] = [];
/** The receiver answers 503 to this many deliveries, to make the fake retry. */
let receiverFailures = 0;

async function startReceiver(): Promise<string> {
  const app = express();
  app.post('/webhooks', express.text({ type: '*/*' }), async (req, res) => {
    if (receiverFailures > 0) {
      receiverFailures -= 1;
      res.status(503).end();
      return;
    }
    const body = typeof req.body === 'string' ? req.body : '';
    const validation = await shopify.webhooks.validate({ rawBody: body, rawRequest: req, rawResponse: res });
    received.push({ validation, body });
    res.status(validation.valid ? 200 : 401).end();
  });
  receiver = await new Promise<Server>((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
  return `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
}

function clientFor(shop: string, options: { timeoutMs?: number } = {}) {
  const tokens = fake.control.issueAccessToken(shop);
  const session = new Session({ id: `offline_${shop}`, shop, state: '', isOnline: false, accessToken: tokens.access_token });
  return createShopifyAdminClient({ shopify, session, ...options });
}

/** Webhooks the receiver validated for this customer id (ids compared as raw digits). */
async function webhooksFor(customerId: string): Promise<Received[]> {
  await fake.control.webhooksIdle();
  return received.filter((r) => new RegExp(`"(customer_id|id)":${customerId}[,}]`).test(r.body));
}

async function sessionTokenFor(shop: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ dest: `https://${shop}`, sid: crypto.randomUUID() })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(`https://${shop}/admin`)
    .setAudience(API_KEY)
    .setSubject('1')
    .setExpirationTime(now + 60)
    .setNotBefore(now)
    .setIssuedAt(now)
    .setJti(crypto.randomUUID())
    .sign(new TextEncoder().encode(API_SECRET));
}

function memoryStorage(): OfflineSessionStore & { sessions: Map<string, Session> } {
  const sessions = new Map<string, Session>();
  return {
    sessions,
    async loadSession(id) {
      return sessions.get(id);
    },
    async storeSession(session) {
      sessions.set(session.id, session);
      return true;
    },
  };
}

beforeAll(async () => {
  const receiverUrl = await startReceiver();
  fake = await startFakeShopify({ apiKey: API_KEY, apiSecret: API_SECRET, webhookTarget: receiverUrl });
  shopify = createShopifyApi({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    appUrl: 'https://app.example.test',
    scopes: ['read_customers', 'write_customers'],
    apiVersion: '2026-10',
    adminOrigin: fake.url,
  });
});

afterAll(async () => {
  await fake?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('finding customers', () => {
  it('finds a customer by email, whatever its case', async () => {
    const seeded = fake.control.createCustomer({ shop: SHOP, email: 'Ada.Find@Example.com', emailState: 'subscribed' });
    const client = clientFor(SHOP);

    const found = await client.findCustomerByEmail('ADA.find@example.COM');

    expect(found).toMatchObject({ id: seeded.id, email: 'ada.find@example.com', phone: null, smsConsent: null });
    expect(found?.emailConsent?.state).toBe('subscribed');
    expect(found?.emailConsent?.consentUpdatedAt).toEqual(expect.any(String));
    expect(await client.findCustomerByEmail('nobody@example.com')).toBeNull();
  });

  it('finds a customer by phone', async () => {
    const seeded = fake.control.createCustomer({ shop: SHOP, phone: '+48500100200', smsState: 'unsubscribed' });

    const found = await clientFor(SHOP).findCustomerByPhone('+48500100200');

    expect(found).toMatchObject({ id: seeded.id, phone: '+48500100200', email: null, emailConsent: null });
    expect(found?.smsConsent?.state).toBe('unsubscribed');
  });
});

describe('writing consent', () => {
  it('updates email consent with consentUpdatedAt and Shopify sends a signed webhook', async () => {
    const seeded = fake.control.createCustomer({ shop: SHOP, email: 'email-consent@example.com' });
    const at = new Date('2026-09-01T10:00:00Z');

    const updated = await clientFor(SHOP).updateEmailConsent(seeded.id, 'SUBSCRIBED', at);

    expect(updated.emailConsent).toEqual({ state: 'subscribed', consentUpdatedAt: '2026-09-01T10:00:00Z', optInLevel: 'UNKNOWN' });
    const [hook, ...more] = await webhooksFor(seeded.id);
    expect(more).toHaveLength(0);
    expect(hook?.validation).toMatchObject({
      valid: true,
      topic: 'CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE',
      domain: SHOP,
      apiVersion: '2026-10',
    });
    expect(JSON.parse(hook?.body ?? '{}')).toMatchObject({
      email_address: 'email-consent@example.com',
      email_marketing_consent: { state: 'subscribed', opt_in_level: 'unknown', consent_updated_at: '2026-09-01T10:00:00Z' },
    });
  });

  it('keeps the newer consent when an older update arrives, and sends no webhook for it', async () => {
    const seeded = fake.control.createCustomer({
      shop: SHOP,
      email: 'newer-wins@example.com',
      emailState: 'subscribed',
      emailConsentUpdatedAt: '2026-09-02T10:00:00Z',
    });

    const result = await clientFor(SHOP).updateEmailConsent(seeded.id, 'UNSUBSCRIBED', new Date('2026-09-01T10:00:00Z'));

    expect(result.emailConsent).toEqual({ state: 'subscribed', consentUpdatedAt: '2026-09-02T10:00:00Z', optInLevel: 'SINGLE_OPT_IN' });
    expect(await webhooksFor(seeded.id)).toHaveLength(0);
  });

  it('updates SMS consent and Shopify sends the marketing consent webhook', async () => {
    const seeded = fake.control.createCustomer({ shop: SHOP, phone: '+48500100300' });

    const updated = await clientFor(SHOP).updateSmsConsent(seeded.id, 'SUBSCRIBED', new Date('2026-09-03T08:30:00Z'));

    expect(updated.smsConsent).toEqual({ state: 'subscribed', consentUpdatedAt: '2026-09-03T08:30:00Z', optInLevel: 'UNKNOWN' });
    const [hook] = await webhooksFor(seeded.id);
    expect(hook?.validation).toMatchObject({ valid: true, topic: 'CUSTOMERS_MARKETING_CONSENT_UPDATE', domain: SHOP });
    expect(JSON.parse(hook?.body ?? '{}')).toMatchObject({
      phone: '+48500100300',
      sms_marketing_consent: { state: 'subscribed', consent_updated_at: '2026-09-03T08:30:00Z', consent_collected_from: 'other' },
    });
  });

  it('creates a customer with consent', async () => {
    const at = new Date('2026-09-04T12:00:00Z');

    const created = await clientFor(SHOP).createCustomer({
      email: 'Created@Example.com',
      phone: '+48500100400',
      emailConsent: { state: 'SUBSCRIBED', consentUpdatedAt: at },
      smsConsent: { state: 'UNSUBSCRIBED', consentUpdatedAt: at },
    });

    expect(created).toMatchObject({
      email: 'created@example.com',
      phone: '+48500100400',
      emailConsent: { state: 'subscribed', consentUpdatedAt: '2026-09-04T12:00:00Z' },
      smsConsent: { state: 'unsubscribed', consentUpdatedAt: '2026-09-04T12:00:00Z' },
    });
    expect(fake.control.getCustomer(SHOP, created.id)?.email).toBe('created@example.com');
    const topics = (await webhooksFor(created.id)).map((r) => r.validation.valid && r.validation.topic);
    expect(topics.sort()).toEqual(['CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE', 'CUSTOMERS_MARKETING_CONSENT_UPDATE']);
  });

  it('keeps every digit of a 64-bit customer id, both ways', async () => {
    const id = '9007199254740993123'; // far above 2^53: a JS number would change it
    fake.control.createCustomer({ shop: SHOP, id, email: 'big-id@example.com' });
    const client = clientFor(SHOP);

    const found = await client.findCustomerByEmail('big-id@example.com');
    expect(found?.id).toBe(id);
    const updated = await client.updateEmailConsent(id, 'SUBSCRIBED', new Date());

    expect(updated.id).toBe(id);
    expect(fake.control.getCustomer(SHOP, id)?.emailConsent.state).toBe('subscribed');
    const [hook] = await webhooksFor(id);
    expect(hook?.body).toContain(`"customer_id":${id},`);
  });
});

describe('errors', () => {
  it('maps THROTTLED in a 200 answer to ThrottledError with a wait', async () => {
    const shop = 'throttled.myshopify.com';
    const client = clientFor(shop);
    fake.control.emptyBucket(shop);

    const error = await client.findCustomerByEmail('a@example.com').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryAfterMs).toBeGreaterThanOrEqual(1000);
  });

  it('waits until the bucket can pay for the refused query', () => {
    // Shopify's own example: 752 requested, 666 available, 50 restored per second.
    const cost = { requestedQueryCost: 752, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 666, restoreRate: 50 } };
    expect(throttleWaitMs(cost)).toBe(1720);
    expect(throttleWaitMs(null)).toBe(1000);
  });

  it('maps HTTP 429 to ThrottledError using Retry-After', async () => {
    const client = clientFor(SHOP);
    fake.control.failNext(1, { status: 429, retryAfterSeconds: 3 });

    const error = await client.findCustomerByEmail('a@example.com').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryAfterMs).toBe(3000);
  });

  it('maps a 500 to RetriableError, without retrying on its own', async () => {
    const client = clientFor(SHOP);
    fake.control.resetCalls();
    fake.control.failNext(1);

    await expect(client.findCustomerByEmail('a@example.com')).rejects.toBeInstanceOf(RetriableError);
    expect(fake.control.calls()).toEqual({ customerByIdentifier: 1 });
    await expect(client.findCustomerByEmail('a@example.com')).resolves.toBeNull();
  });

  it('gives up on a request that never answers', async () => {
    const client = clientFor(SHOP, { timeoutMs: 300 });
    fake.control.hangNext(1);

    const error = await client.findCustomerByEmail('a@example.com').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RetriableError);
    expect((error as RetriableError).code).toBe('shopify_timeout');
  });

  it('maps a revoked token to ShopAccessError', async () => {
    const shop = 'revoked.myshopify.com';
    const client = clientFor(shop);
    fake.control.revokeShop(shop);

    await expect(client.findCustomerByEmail('a@example.com')).rejects.toBeInstanceOf(ShopAccessError);
  });

  it('maps userErrors to PermanentError with Shopify’s message', async () => {
    const phoneOnly = fake.control.createCustomer({ shop: SHOP, phone: '+48500100500' });
    fake.control.createCustomer({ shop: SHOP, email: 'taken@example.com' });
    const client = clientFor(SHOP);

    const noEmail = await client.updateEmailConsent(phoneOnly.id, 'SUBSCRIBED', new Date()).catch((e: unknown) => e);
    expect(noEmail).toBeInstanceOf(PermanentError);
    expect((noEmail as PermanentError).merchantMessage).toMatch(/email address is required/);

    const taken = await client.createCustomer({ email: 'taken@example.com' }).catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(PermanentError);
    expect((taken as PermanentError).merchantMessage).toBe('Email has already been taken');
  });
});

describe('offline tokens through adminOrigin', () => {
  it('exchanges a session token for an expiring offline session that works', async () => {
    const shop = 'exchange.myshopify.com';
    fake.control.createCustomer({ shop, email: 'exchange@example.com' });

    const session = await exchangeForOfflineSession(shopify, { shop, sessionToken: await sessionTokenFor(shop) });

    expect(session).toMatchObject({ id: `offline_${shop}`, shop, isOnline: false, scope: 'read_customers,write_customers' });
    expect(session.refreshToken).toEqual(expect.any(String));
    expect(session.expires!.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    const client = createShopifyAdminClient({ shopify, session });
    expect((await client.findCustomerByEmail('exchange@example.com'))?.email).toBe('exchange@example.com');
  });

  it('refuses a session token issued for another shop', async () => {
    const sessionToken = await sessionTokenFor('other.myshopify.com');

    await expect(exchangeForOfflineSession(shopify, { shop: 'exchange.myshopify.com', sessionToken })).rejects.toBeInstanceOf(
      ShopAccessError,
    );
  });

  it('refreshes an offline token that expires within five minutes, and stores it', async () => {
    const shop = 'refresh.myshopify.com';
    const storage = memoryStorage();
    const first = await exchangeForOfflineSession(shopify, { shop, sessionToken: await sessionTokenFor(shop) });
    await storage.storeSession(first);

    // Far from expiry: returned as it is.
    expect((await ensureFreshOfflineSession(shopify, storage, shop))?.accessToken).toBe(first.accessToken);

    first.expires = new Date(Date.now() + 60_000);
    fake.control.resetCalls();
    const fresh = await ensureFreshOfflineSession(shopify, storage, shop);

    expect(fresh?.accessToken).not.toBe(first.accessToken);
    expect(fresh?.refreshToken).not.toBe(first.refreshToken);
    expect(fresh!.expires!.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect(storage.sessions.get(`offline_${shop}`)).toBe(fresh);
    expect(fake.control.calls()).toEqual({ refreshToken: 1 });
    const client = createShopifyAdminClient({ shopify, session: fresh! });
    await expect(client.findCustomerByEmail('anyone@example.com')).resolves.toBeNull();
  });

  it('returns null without a session and ShopAccessError when the refresh is rejected', async () => {
    const shop = 'refresh-revoked.myshopify.com';
    const storage = memoryStorage();
    expect(await ensureFreshOfflineSession(shopify, storage, shop)).toBeNull();

    const session = await exchangeForOfflineSession(shopify, { shop, sessionToken: await sessionTokenFor(shop) });
    session.expires = new Date(Date.now() + 1_000);
    await storage.storeSession(session);
    fake.control.revokeShop(shop);

    await expect(ensureFreshOfflineSession(shopify, storage, shop)).rejects.toBeInstanceOf(ShopAccessError);
  });
});

describe('the fake itself', () => {
  async function fakeApi(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${fake.url}/_fake${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : null };
  }

  it('offers the control API over HTTP, and a consent set there fires the webhook', async () => {
    const created = await fakeApi('POST', '/customers', { shop: SHOP, email: 'http-control@example.com', emailState: 'subscribed' });
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;

    const changed = await fakeApi('POST', `/customers/${id}/consent`, { shop: SHOP, channel: 'email', state: 'unsubscribed' });

    expect(changed.json).toMatchObject({ id, emailConsent: { state: 'unsubscribed' } });
    const [hook] = await webhooksFor(id);
    expect(hook?.validation.valid).toBe(true);
    expect(JSON.parse(hook?.body ?? '{}')).toMatchObject({ email_marketing_consent: { state: 'unsubscribed' } });
    expect((await fakeApi('GET', `/customers/${id}?shop=${SHOP}`)).json).toMatchObject({ email: 'http-control@example.com' });
    expect((await fakeApi('POST', '/customers', { shop: SHOP, email: 'not-an-email' })).status).toBe(422);
  });

  it('retries a failed delivery with the same webhook id', async () => {
    const customer = fake.control.createCustomer({ shop: SHOP, email: 'retry@example.com' });
    receiverFailures = 1;

    fake.control.setConsent({ shop: SHOP, customerId: customer.id, channel: 'email', state: 'subscribed' });

    const [hook, ...more] = await webhooksFor(customer.id);
    expect(more).toHaveLength(0);
    const delivery = fake.control.deliveries().find((d) => d.body.includes(customer.id));
    expect(delivery).toMatchObject({ attempts: 2, status: 200, outcome: 'delivered' });
    expect(hook?.validation.valid && hook.validation.webhookId).toBe(delivery?.webhookId);
  });

  it('drops deliveries while deliverWebhooks is off', async () => {
    const customer = fake.control.createCustomer({ shop: SHOP, email: 'dropped@example.com' });
    fake.control.deliverWebhooks = false;
    try {
      await clientFor(SHOP).updateEmailConsent(customer.id, 'SUBSCRIBED', new Date());
    } finally {
      fake.control.deliverWebhooks = true;
    }

    expect(await webhooksFor(customer.id)).toHaveLength(0);
    expect(fake.control.deliveries().find((d) => d.body.includes(customer.id))?.outcome).toBe('dropped');
    expect(fake.control.getCustomer(SHOP, customer.id)?.emailConsent.state).toBe('subscribed');
  });

  it('sends arbitrary webhooks, signed or not', async () => {
    const body = '{"shop_id":954889,"shop_domain":"consent-test.myshopify.com","customer":{"id":7064055069303709999}}';

    const good = await fake.control.sendWebhook({ shop: SHOP, topic: 'customers/redact', body });
    const bad = await fake.control.sendWebhook({ shop: SHOP, topic: 'customers/redact', body, signWith: 'wrong', retry: false });

    expect(good).toMatchObject({ status: 200, outcome: 'delivered' });
    expect(bad).toMatchObject({ status: 401, outcome: 'failed', attempts: 1 });
    const hooks = await webhooksFor('7064055069303709999');
    expect(hooks.map((h) => h.validation.valid)).toEqual([true, false]);
    expect(hooks[0]?.body).toBe(body);
  });
});
