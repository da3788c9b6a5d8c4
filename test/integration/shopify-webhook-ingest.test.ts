// POST /webhooks through supertest, with bodies and headers built here: HMAC,
// deduplication, validation, size limit, unknown shops, compliance topics and
// 64-bit customer ids. Reliability rules: ARCHITECTURE.md, "Reliability".
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../app/sandbox/fake-shopify.js';
import { API_SECRET, EDRONE_APP_ID, startHarness, type Harness } from '../helpers/harness.js';

const EMAIL_TOPIC = 'customers_email_marketing_consent/update';
const SMS_TOPIC = 'customers_marketing_consent/update';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

interface Delivery {
  topic?: string;
  body: string;
  shop?: string;
  webhookId?: string;
  /** The secret the HMAC is computed with (default: the app's). */
  secret?: string;
  /** Sent instead of the computed HMAC; null leaves the header out. */
  hmac?: string | null;
  contentType?: string;
}

/** One webhook delivery as Shopify sends it. */
function deliver(d: Delivery) {
  const req = h
    .http()
    .post('/webhooks')
    .set('Content-Type', d.contentType ?? 'application/json')
    .set('X-Shopify-Topic', d.topic ?? EMAIL_TOPIC)
    .set('X-Shopify-Shop-Domain', d.shop ?? h.shop)
    .set('X-Shopify-API-Version', '2026-07')
    .set('X-Shopify-Webhook-Id', d.webhookId ?? randomUUID())
    .set('X-Shopify-Triggered-At', new Date().toISOString())
    .set('X-Shopify-Event-Id', randomUUID());
  const hmac = d.hmac === undefined ? signWebhook(d.body, d.secret ?? API_SECRET) : d.hmac;
  if (hmac !== null) req.set('X-Shopify-Hmac-Sha256', hmac);
  return req.send(d.body);
}

/** A consent webhook body with 64-bit ids as bare digits, as Shopify writes them. */
function emailBody(customerId: string, email: string, state: string, at = new Date().toISOString()): string {
  return `{"customer_id":${customerId},"email_address":${JSON.stringify(email)},"email_marketing_consent":{"state":${JSON.stringify(state)},"opt_in_level":"single_opt_in","consent_updated_at":${JSON.stringify(at)}}}`;
}

function smsBody(customerId: string, phone: string, state: string, at = new Date().toISOString()): string {
  return `{"id":${customerId},"phone":${JSON.stringify(phone)},"sms_marketing_consent":{"state":${JSON.stringify(state)},"opt_in_level":"single_opt_in","consent_updated_at":${JSON.stringify(at)},"consent_collected_from":"SHOPIFY"}}`;
}

let nextId = 1000n;
const customerId = () => String(nextId++);

async function counts() {
  const { prisma } = h.server.ctx.db;
  const [events, jobs] = await Promise.all([prisma.inboundEvent.count(), prisma.job.count()]);
  return { events, jobs };
}

async function expectHealthy() {
  const res = await h.http().get('/healthz');
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ status: 'ok' });
}

describe('authentic deliveries', () => {
  it('when a correctly signed consent webhook arrives, then it answers 200 and stores one InboundEvent and one Job', async () => {
    const webhookId = randomUUID();
    const body = emailBody(customerId(), 'valid@example.com', 'subscribed');
    const res = await deliver({ body, webhookId });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'accepted' });

    const { prisma } = h.server.ctx.db;
    const events = await prisma.inboundEvent.findMany({ where: { dedupeKey: webhookId } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ shopId: h.shop, source: 'shopify', topic: EMAIL_TOPIC, payload: body });
    const jobs = await prisma.job.findMany({ where: { shopId: h.shop, kind: 'shopify-webhook' } });
    const job = jobs.find((j) => JSON.parse(j.payload).eventId === events[0]?.id);
    expect(job).toBeDefined();
    expect(JSON.parse(job!.payload)).toMatchObject({ topic: EMAIL_TOPIC });

    await h.settle();
    expect(h.edrone.traces.at(-1)?.fields).toMatchObject({ app_id: EDRONE_APP_ID, email: 'valid@example.com', subscriber_status: '1' });
  });

  it('when the same webhook id is delivered twice, then the second answer is duplicate, one event and one job exist, and edrone gets exactly one trace', async () => {
    const webhookId = randomUUID();
    const body = emailBody(customerId(), 'twice@example.com', 'unsubscribed');
    const before = await counts();
    const tracesBefore = h.edrone.traces.length;

    const first = await deliver({ body, webhookId });
    const second = await deliver({ body, webhookId });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ status: 'accepted' });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ status: 'duplicate' });

    expect(await counts()).toEqual({ events: before.events + 1, jobs: before.jobs + 1 });
    expect(await h.server.ctx.db.prisma.inboundEvent.count({ where: { dedupeKey: webhookId } })).toBe(1);

    await h.settle();
    // A retry after the job ran is still a duplicate.
    const third = await deliver({ body, webhookId });
    expect(third.body).toEqual({ status: 'duplicate' });
    await h.settle();
    const traces = h.edrone.traces.slice(tracesBefore).filter((t) => t.fields.email === 'twice@example.com');
    expect(traces).toHaveLength(1);
    expect(traces[0]?.fields.subscriber_status).toBe('0');
  });

  it('when the same webhook id arrives five times at once, then exactly one is accepted, the others are 200 duplicate, and one job exists', async () => {
    const webhookId = randomUUID();
    const body = emailBody(customerId(), 'burst@example.com', 'subscribed');
    const before = await counts();
    const results = await Promise.all(Array.from({ length: 5 }, () => deliver({ body, webhookId })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(results.map((r) => r.body.status).sort()).toEqual(['accepted', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(await counts()).toEqual({ events: before.events + 1, jobs: before.jobs + 1 });
    const tracesBefore = h.edrone.traces.length;
    await h.settle();
    expect(h.edrone.traces.slice(tracesBefore).filter((t) => t.fields.email === 'burst@example.com')).toHaveLength(1);
  });
});

describe('signature checks: 401 and nothing stored', () => {
  it('when the webhook is signed with another secret, then it answers 401 and stores nothing', async () => {
    const before = await counts();
    const res = await deliver({ body: emailBody(customerId(), 'forged@example.com', 'subscribed'), secret: 'not-the-app-secret' });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/hmac/i);
    expect(await counts()).toEqual(before);
  });

  it('when the body is altered by one byte after signing, then it answers 401 and stores nothing', async () => {
    const before = await counts();
    const signed = emailBody(customerId(), 'tamper@example.com', 'subscribed');
    const hmac = signWebhook(signed, API_SECRET);
    const altered = signed.replace('"subscribed"', '"subscribeD"');
    expect(altered).not.toBe(signed);
    expect(altered.length).toBe(signed.length);
    const res = await deliver({ body: altered, hmac });
    expect(res.status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it('when the X-Shopify-Hmac-Sha256 header is missing, then it answers 401 and stores nothing', async () => {
    const before = await counts();
    const res = await deliver({ body: emailBody(customerId(), 'nohmac@example.com', 'subscribed'), hmac: null });
    expect(res.status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it('when the HMAC header is empty garbage, then it answers 401 and stores nothing', async () => {
    const before = await counts();
    const res = await deliver({ body: emailBody(customerId(), 'garbage@example.com', 'subscribed'), hmac: 'not base64 at all' });
    expect(res.status).toBe(401);
    expect(await counts()).toEqual(before);
  });
});

describe('bad input: a clear 4xx, nothing stored, the app stays healthy', () => {
  const cases: Array<{ name: string; delivery: () => Delivery; status: number; message: RegExp }> = [
    { name: 'an empty body', delivery: () => ({ body: '' }), status: 400, message: /empty body/i },
    {
      name: 'a correctly signed body that is not JSON',
      delivery: () => ({ body: '{"customer_id": 12, "email_address": ' }),
      status: 400,
      message: /not valid JSON/i,
    },
    {
      name: 'customer_id as an object',
      delivery: () => ({
        body: '{"customer_id":{"id":1},"email_address":"a@example.com","email_marketing_consent":{"state":"subscribed"}}',
      }),
      status: 400,
      message: /customer_id/,
    },
    {
      name: "the consent state 'maybe'",
      delivery: () => ({ body: emailBody(customerId(), 'maybe@example.com', 'maybe') }),
      status: 400,
      message: /state/,
    },
    {
      name: 'an SMS webhook whose id is a string of letters',
      delivery: () => ({ topic: SMS_TOPIC, body: '{"id":"abc","phone":"+48500100200","sms_marketing_consent":{"state":"subscribed"}}' }),
      status: 400,
      message: /\bid\b/,
    },
    {
      name: 'an unknown topic (products/update)',
      delivery: () => ({ topic: 'products/update', body: '{"id":1,"title":"Shirt"}' }),
      status: 400,
      message: /products\/update/,
    },
    {
      name: 'a body over the size limit (300 KB)',
      delivery: () => ({
        body: `{"customer_id":1,"email_address":"big@example.com","email_marketing_consent":{"state":"subscribed"},"pad":"${'x'.repeat(300 * 1024)}"}`,
      }),
      status: 413,
      message: /too large/i,
    },
    {
      name: 'a shop the app is not installed in',
      delivery: () => ({ shop: 'never-installed.myshopify.com', body: emailBody(customerId(), 'stranger@example.com', 'subscribed') }),
      status: 404,
      message: /never-installed\.myshopify\.com/,
    },
  ];

  for (const c of cases) {
    it(`when the delivery has ${c.name}, then it answers ${c.status} with an error message and stores nothing`, async () => {
      const before = await counts();
      const res = await deliver(c.delivery());
      expect(res.status).toBe(c.status);
      expect(res.type).toBe('application/json');
      expect(typeof res.body.error).toBe('string');
      expect(res.body.error).toMatch(c.message);
      expect(await counts()).toEqual(before);
      await expectHealthy();
    });
  }

  it('when a required Shopify header is missing (webhook id), then it answers 400 naming the header and stores nothing', async () => {
    const before = await counts();
    const body = emailBody(customerId(), 'noid@example.com', 'subscribed');
    const res = await h
      .http()
      .post('/webhooks')
      .set('Content-Type', 'application/json')
      .set('X-Shopify-Topic', EMAIL_TOPIC)
      .set('X-Shopify-Shop-Domain', h.shop)
      .set('X-Shopify-API-Version', '2026-07')
      .set('X-Shopify-Hmac-Sha256', signWebhook(body, API_SECRET))
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/webhook-id/i);
    expect(await counts()).toEqual(before);
  });

  it('when several bad deliveries arrive at once, then every one is refused and /healthz stays 200', async () => {
    const before = await counts();
    const results = await Promise.all([
      deliver({ body: '' }),
      deliver({ body: 'nope' }),
      deliver({ body: emailBody(customerId(), 'x@example.com', 'maybe') }),
      deliver({ body: emailBody(customerId(), 'y@example.com', 'subscribed'), secret: 'wrong' }),
    ]);
    expect(results.map((r) => r.status)).toEqual([400, 400, 400, 401]);
    expect(await counts()).toEqual(before);
    await expectHealthy();
  });
});

describe('compliance topics for a shop the app does not know', () => {
  const unknownShop = 'gone-store.myshopify.com';
  const bodies: Record<string, string> = {
    'customers/data_request': `{"shop_id":954889,"shop_domain":"${unknownShop}","customer":{"id":191167,"email":"john@example.com","phone":"555-625-1199"},"orders_requested":[299938],"data_request":{"id":9999}}`,
    'customers/redact': `{"shop_id":954889,"shop_domain":"${unknownShop}","customer":{"id":191167,"email":"john@example.com","phone":"555-625-1199"},"orders_to_redact":[299938]}`,
    'shop/redact': `{"shop_id":954889,"shop_domain":"${unknownShop}"}`,
  };

  for (const [topic, body] of Object.entries(bodies)) {
    it(`when ${topic} arrives for an unknown shop, then it answers 200 and stores nothing`, async () => {
      const before = await counts();
      const res = await deliver({ topic, shop: unknownShop, body });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'nothing_stored' });
      expect(await counts()).toEqual(before);
      expect(await h.server.ctx.db.prisma.shop.count({ where: { id: unknownShop } })).toBe(0);
    });
  }

  it('when a compliance webhook for an unknown shop is signed with another secret, then it is still 401', async () => {
    const res = await deliver({ topic: 'shop/redact', shop: unknownShop, body: bodies['shop/redact']!, secret: 'wrong' });
    expect(res.status).toBe(401);
  });
});

describe('64-bit customer ids', () => {
  const BIG_ID = '7064055069303700123'; // > 2^53: JSON.parse would round it to ...700000 or so
  const BIG_SMS_ID = '9007199254740993123';

  it('when an email consent webhook carries a customer id above 2^53, then every digit is stored and synced', async () => {
    expect(BigInt(BIG_ID) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(String(Number(BIG_ID))).not.toBe(BIG_ID);
    const webhookId = randomUUID();
    const res = await deliver({ webhookId, body: emailBody(BIG_ID, 'big.id@example.com', 'subscribed') });
    expect(res.status).toBe(200);
    await h.settle();

    const { prisma } = h.server.ctx.db;
    const state = await prisma.consentState.findUnique({
      where: { shopId_channel_identity: { shopId: h.shop, channel: 'email', identity: 'big.id@example.com' } },
    });
    expect(state?.shopifyCustomerId).toBe(BIG_ID);
    const activity = await prisma.activity.findMany({ where: { shopId: h.shop, identity: 'big.id@example.com' } });
    expect(activity.length).toBeGreaterThan(0);
    expect(activity.every((a) => a.customerId === BIG_ID)).toBe(true);
    expect(activity.some((a) => a.result === 'sent')).toBe(true);
    expect(h.edrone.traces.at(-1)?.fields).toMatchObject({ email: 'big.id@example.com', subscriber_status: '1' });
  });

  it('when customers/redact names that 64-bit id with a changed email, then the consent row found by the id is erased', async () => {
    const { prisma } = h.server.ctx.db;
    const where = { shopId: h.shop, shopifyCustomerId: BIG_ID };
    expect(await prisma.consentState.count({ where })).toBe(1);
    const res = await deliver({
      topic: 'customers/redact',
      body: `{"shop_id":1,"shop_domain":"${h.shop}","customer":{"id":${BIG_ID},"email":"renamed@example.com","phone":null},"orders_to_redact":[]}`,
    });
    expect(res.status).toBe(200);
    await h.settle();
    expect(await prisma.consentState.count({ where })).toBe(0);
    expect(await prisma.activity.count({ where: { shopId: h.shop, customerId: BIG_ID } })).toBe(0);
  });

  it('when an SMS consent webhook carries an id above 2^53, then the stored customer id keeps every digit', async () => {
    const res = await deliver({ topic: SMS_TOPIC, body: smsBody(BIG_SMS_ID, '+48 600 700 800', 'subscribed') });
    expect(res.status).toBe(200);
    await h.settle();
    const state = await h.server.ctx.db.prisma.consentState.findUnique({
      where: { shopId_channel_identity: { shopId: h.shop, channel: 'sms', identity: '+48600700800' } },
    });
    expect(state?.shopifyCustomerId).toBe(BIG_SMS_ID);
    expect(h.edrone.traces.at(-1)?.fields).toMatchObject({ phone: '+48600700800', sms_subscriber_status: '1' });
  });
});
