// POST /edrone/sync/:syncToken: shop lookup by token, NATIVE_5 signature and
// app_id checks, validation, form and JSON encodings, event_id deduplication.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signNative5, type Native5SignedFields } from '../../app/adapters/edrone/index.js';
import { edroneDate } from '../../app/sandbox/fake-edrone.js';
import { EDRONE_APP_ID, EDRONE_SECRET, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let syncPath: string;
beforeAll(async () => {
  h = await startHarness();
  syncPath = new URL(h.syncUrl).pathname;
});
afterAll(async () => h?.close());

type Fields = Record<string, string>;

/** A NATIVE_5 email request; `sign` false leaves the fields as given (signature included). */
function native5(overrides: Partial<Native5SignedFields> & Fields = {}, options: { secret?: string; sign?: boolean } = {}): Fields {
  const fields: Native5SignedFields & Fields = {
    subscription_status_type_id: '1',
    email: `user-${randomBytes(4).toString('hex')}@example.com`,
    subscriber_status: '0',
    subscription_status_reason: '4',
    event_date: edroneDate(new Date()),
    event_id: randomBytes(8).toString('hex'),
    app_id: EDRONE_APP_ID,
    ...overrides,
  };
  if (options.sign === false) return fields;
  return { ...fields, signature: signNative5(fields, options.secret ?? EDRONE_SECRET) };
}

function withoutKey(fields: Fields, key: string): Fields {
  const { [key]: _dropped, ...rest } = fields;
  return rest;
}

function post(fields: Fields, encoding: 'form' | 'json' = 'form', path = syncPath) {
  const req = h.http().post(path);
  return encoding === 'json'
    ? req.set('Content-Type', 'application/json').send(JSON.stringify(fields))
    : req.set('Content-Type', 'application/x-www-form-urlencoded').send(new URLSearchParams(fields).toString());
}

async function eventCount(): Promise<number> {
  return h.server.ctx.db.prisma.inboundEvent.count({ where: { source: 'edrone' } });
}

async function jobCount(): Promise<number> {
  return h.server.ctx.db.prisma.job.count({ where: { kind: 'edrone-event' } });
}

async function expectNothingStored(run: () => Promise<void>): Promise<void> {
  const [events, jobs] = [await eventCount(), await jobCount()];
  await run();
  expect(await eventCount()).toBe(events);
  expect(await jobCount()).toBe(jobs);
}

describe('who may call the sync URL', () => {
  it('when the sync token is unknown, then it answers 404 and stores nothing', async () => {
    await expectNothingStored(async () => {
      const res = await post(native5(), 'form', `/edrone/sync/${randomBytes(32).toString('base64url')}`);
      expect(res.status).toBe(404);
      expect(res.body.error).toMatch(/unknown sync URL/i);
    });
  });

  it('when the signature is computed with another secret, then it answers 401 and stores nothing', async () => {
    await expectNothingStored(async () => {
      const res = await h.edrone.control.sendSync({
        appId: EDRONE_APP_ID,
        appSecret: 'not-the-secret',
        channel: 'email',
        email: 'wrongsecret@example.com',
        status: '0',
      });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body).error).toMatch(/signature/i);
    });
  });

  it('when the signature is garbage, then it answers 401 and stores nothing', async () => {
    await expectNothingStored(async () => {
      const res = await h.edrone.control.sendSync({
        appId: EDRONE_APP_ID,
        channel: 'email',
        email: 'garbage-sig@example.com',
        status: '1',
        signature: 'bm90IGEgc2lnbmF0dXJl',
      });
      expect(res.status).toBe(401);
    });
  });

  it('when a signed field is changed after signing, then it answers 401 and stores nothing', async () => {
    await expectNothingStored(async () => {
      // Issue 9: the email is changed (a status '1' before reason '4' would now be refused as ambiguous, 400).
      const fields = native5({ subscriber_status: '0' });
      const res = await post({ ...fields, email: `other-${fields.email}` });
      expect(res.status).toBe(401);
    });
  });

  it('when the signature is missing, then it answers 401 and stores nothing', async () => {
    await expectNothingStored(async () => {
      const res = await post(native5({}, { sign: false }));
      expect(res.status).toBe(401);
    });
  });

  it("when app_id does not match the shop's App ID (even though correctly signed for it), then it answers 401 and stores nothing", async () => {
    await expectNothingStored(async () => {
      const res = await h.edrone.control.sendSync({
        url: h.syncUrl,
        appId: 'someone-elses-app',
        appSecret: EDRONE_SECRET,
        channel: 'email',
        email: 'other-app@example.com',
        status: '0',
      });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body).error).toMatch(/app_id/);
    });
  });
});

describe('shops that cannot accept edrone requests', () => {
  async function secondShop(shop: string): Promise<string> {
    const res = await h.http().get('/api/settings').set('Authorization', `Bearer ${await h.token(shop)}`);
    expect(res.status).toBe(200);
    return new URL(res.body.syncUrl).pathname;
  }

  it('when the shop has not saved an App Secret yet, then a request to its sync URL answers 401 and stores nothing', async () => {
    const path = await secondShop('unconfigured-store.myshopify.com');
    await expectNothingStored(async () => {
      const res = await post(native5(), 'form', path);
      expect(res.status).toBe(401);
      expect(res.body.error).toMatch(/App Secret/);
    });
  });

  it('when the shop has uninstalled the app, then its sync URL answers 404 and stores nothing', async () => {
    const shop = 'left-store.myshopify.com';
    const path = await secondShop(shop);
    await h.server.ctx.db.prisma.shop.update({ where: { id: shop }, data: { uninstalledAt: new Date() } });
    await expectNothingStored(async () => {
      const res = await post(native5(), 'form', path);
      expect(res.status).toBe(404);
    });
  });

  it("when a request signed for this shop is sent to another shop's sync URL, then it answers 401", async () => {
    const path = await secondShop('neighbour-store.myshopify.com');
    const put = await h
      .http()
      .put('/api/settings')
      .set('Authorization', `Bearer ${await h.token('neighbour-store.myshopify.com')}`)
      .send({ edroneAppId: EDRONE_APP_ID, edroneAppSecret: 'neighbour-secret', direction: 'both', edroneStatuses: 'all', channels: { email: true, sms: true }, createMissingCustomers: false });
    expect(put.status).toBe(200);
    await expectNothingStored(async () => {
      const res = await post(native5(), 'form', path);
      expect(res.status).toBe(401);
    });
  });
});

describe('malformed requests: 400 naming the field, nothing stored', () => {
  const cases: Array<{ name: string; fields: () => Fields; field: RegExp }> = [
    { name: 'no email (email channel)', fields: () => native5({ email: '' }), field: /email/ },
    { name: 'the email field left out', fields: () => withoutKey(native5(), 'email'), field: /email/ },
    { name: "subscriber_status 'x'", fields: () => native5({ subscriber_status: 'x' }), field: /subscriber_status/ },
    { name: 'an unparseable event_date', fields: () => native5({ event_date: 'yesterday at noon' }), field: /event_date/ },
    { name: 'an impossible event_date (Feb 30)', fields: () => native5({ event_date: '2026-02-30 10:00:00' }), field: /event_date/ },
    { name: 'no event_date', fields: () => withoutKey(native5(), 'event_date'), field: /event_date/ },
    { name: "subscription_status_type_id '3'", fields: () => native5({ subscription_status_type_id: '3' }), field: /subscription_status_type_id/ },
    { name: 'an email that is not an address', fields: () => native5({ email: 'not-an-email' }), field: /email/ },
    {
      name: 'an SMS request without a phone',
      fields: () => native5({ subscription_status_type_id: '2', email: '', phone: '' }),
      field: /phone/,
    },
  ];

  for (const encoding of ['form', 'json'] as const) {
    for (const c of cases) {
      it(`when the ${encoding} request has ${c.name}, then it answers 400 naming the field and stores nothing`, async () => {
        await expectNothingStored(async () => {
          const res = await post(c.fields(), encoding);
          expect(res.status).toBe(400);
          expect(res.body.status).toBe('error');
          expect(res.body.error).toMatch(c.field);
        });
      });
    }
  }

  it('when the JSON body is not valid JSON, then it answers 400 saying so and stores nothing', async () => {
    await expectNothingStored(async () => {
      const res = await h.http().post(syncPath).set('Content-Type', 'application/json').send('{"email": "a@b.co", ');
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/not valid JSON/i);
    });
  });

  it('when the body is empty, then it answers 400 and stores nothing', async () => {
    await expectNothingStored(async () => {
      const res = await h.http().post(syncPath).set('Content-Type', 'application/x-www-form-urlencoded').send('');
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/empty/i);
    });
  });

  it('after every malformed request, /healthz is still 200', async () => {
    const res = await h.http().get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});

describe('accepted requests', () => {
  it('when a signed NATIVE_5 request comes as a form, then it is accepted, stored once and applied in Shopify', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'form@example.com', emailState: 'subscribed' });
    const fields = native5({ email: 'form@example.com', subscriber_status: '0' });
    const res = await post(fields, 'form');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    const stored = await h.server.ctx.db.prisma.inboundEvent.findMany({ where: { source: 'edrone', dedupeKey: fields.event_id! } });
    expect(stored).toHaveLength(1);
    expect(stored[0]?.topic).toBe('NATIVE_5');
    await h.settle();
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent.state).toBe('unsubscribed');
  });

  it('when a signed NATIVE_5 request comes as JSON, then it is accepted and applied in Shopify', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'json@example.com', emailState: 'unsubscribed' });
    const fields = native5({ email: 'json@example.com', subscriber_status: '1', subscription_status_reason: '11' });
    const res = await post(fields, 'json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    await h.settle();
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent.state).toBe('subscribed');
  });

  it('when the fake edrone sends form and JSON requests, then both are accepted', async () => {
    const form = await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'enc-form@example.com', status: '0' });
    const json = await h.edrone.control.sendSync({
      appId: EDRONE_APP_ID,
      channel: 'sms',
      phone: '+48500999888',
      status: '0',
      encoding: 'json',
    });
    expect([form.status, json.status]).toEqual([200, 200]);
    expect(JSON.parse(form.body)).toEqual({ status: 'ok' });
    expect(JSON.parse(json.body)).toEqual({ status: 'ok' });
    await h.settle();
  });

  it('when the same event_id is delivered twice, then the second is 200 duplicate, one event is stored and Shopify gets exactly one mutation', async () => {
    h.shopify.control.createCustomer({ shop: h.shop, email: 'dup@example.com', emailState: 'subscribed' });
    await h.settle();
    h.shopify.control.resetCalls();
    const before = { events: await eventCount(), jobs: await jobCount() };
    const fields = native5({ email: 'dup@example.com', subscriber_status: '0', event_id: 'evt-dup-42' });

    const first = await post(fields, 'form');
    const second = await post(fields, 'json'); // the same event resent in the other encoding
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ status: 'ok' });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ status: 'duplicate' });
    expect(await eventCount()).toBe(before.events + 1);
    expect(await jobCount()).toBe(before.jobs + 1);

    await h.settle();
    const third = await post(fields, 'form');
    expect(third.body).toEqual({ status: 'duplicate' });
    await h.settle();
    expect(h.shopify.control.calls().customerEmailMarketingConsentUpdate).toBe(1);
  });

  it('when the same event_id arrives five times at once, then exactly one is accepted and the rest are 200 duplicate', async () => {
    const before = await eventCount();
    const fields = native5({ email: 'burst@example.com', event_id: 'evt-burst-1' });
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => post(fields, i % 2 ? 'json' : 'form')));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(results.map((r) => r.body.status).sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'ok']);
    expect(await eventCount()).toBe(before + 1);
    await h.settle();
  });

  it('when a request has no event_id, then it is accepted (signed with an empty event_id) and a resend is deduplicated on the body', async () => {
    h.shopify.control.createCustomer({ shop: h.shop, email: 'noid@example.com', emailState: 'subscribed' });
    await h.settle();
    h.shopify.control.resetCalls();
    const fields = native5({ email: 'noid@example.com', subscriber_status: '0', event_id: '' });
    const noId = withoutKey(fields, 'event_id');
    const first = await post(noId, 'form');
    const second = await post(noId, 'form');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ status: 'ok' });
    expect(second.body).toEqual({ status: 'duplicate' });
    const stored = await h.server.ctx.db.prisma.inboundEvent.findMany({ where: { source: 'edrone', payload: { contains: 'noid%40example.com' } } });
    expect(stored).toHaveLength(1);
    expect(stored[0]?.dedupeKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    await h.settle();
    expect(h.shopify.control.calls().customerEmailMarketingConsentUpdate).toBe(1);
  });
});
