// /api/*: session-token authentication, install by token exchange, the
// settings contract (ARCHITECTURE.md, "External contract"), the write-only
// secret, and the Status / Activity / Failures endpoints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSessionToken } from '../../app/sandbox/fake-shopify.js';
import { API_KEY, API_SECRET, EDRONE_APP_ID, EDRONE_SECRET, VALID_SETTINGS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const VALID = VALID_SETTINGS;

const SETTINGS_KEYS = ['channels', 'createMissingCustomers', 'direction', 'edroneAppId', 'edroneAppSecretSet', 'edroneSignatureVariant', 'edroneStatuses', 'syncUrl'];
const SYNC_URL = /^https:\/\/consent-sync\.example\.com\/edrone\/sync\/([A-Za-z0-9_-]{43})$/;

const auth = async (shop?: string) => `Bearer ${await h.token(shop)}`;
const getSettings = async (shop?: string) => h.http().get('/api/settings').set('Authorization', await auth(shop));
const putSettings = async (body: unknown, shop?: string) =>
  h.http().put('/api/settings').set('Authorization', await auth(shop)).send(body as object);

async function shopRow(shop = h.shop) {
  return h.server.ctx.db.prisma.shop.findUniqueOrThrow({ where: { id: shop } });
}

/** Every place the secret could leak: the plain text, and its usual encodings. */
function expectNoSecret(text: string, secret = EDRONE_SECRET): void {
  expect(text).not.toContain(secret);
  expect(text).not.toContain(Buffer.from(secret).toString('base64'));
  expect(text).not.toContain(Buffer.from(secret).toString('hex'));
}

describe('authentication of /api/settings', () => {
  const badTokens: Array<[string, () => Promise<string | null>]> = [
    ['no Authorization header', async () => null],
    ['a garbage token', async () => 'Bearer not.a.jwt'],
    ['a token signed with another secret', async () => `Bearer ${await signSessionToken({ apiKey: API_KEY, apiSecret: 'some-other-secret', shop: h.shop })}`],
    ['a token for another app (audience)', async () => `Bearer ${await signSessionToken({ apiKey: 'other-app', apiSecret: API_SECRET, shop: h.shop })}`],
    ['an expired token', async () => `Bearer ${await h.shopify.control.sessionToken(h.shop, { ttlSeconds: -600 })}`],
    ['a Basic header', async () => `Basic ${Buffer.from('user:pass').toString('base64')}`],
  ];

  for (const [name, header] of badTokens) {
    for (const method of ['get', 'put'] as const) {
      it(`when ${method.toUpperCase()} /api/settings has ${name}, then it answers 401 and changes nothing`, async () => {
        const before = await shopRow();
        const value = await header();
        let req = h.http()[method]('/api/settings');
        if (value !== null) req = req.set('Authorization', value);
        const res = await (method === 'put' ? req.send({ ...VALID, direction: 'paused' }) : req);
        expect(res.status).toBe(401);
        expect(typeof res.body.error).toBe('string');
        expect(res.headers['x-shopify-retry-invalid-session-request']).toBe('1');
        expect(res.text).not.toContain('syncUrl');
        expect(await shopRow()).toEqual(before);
      });
    }
  }

  it('when a forged token names a new shop, then nothing is installed and no token exchange happens', async () => {
    h.shopify.control.resetCalls();
    const forged = await signSessionToken({ apiKey: API_KEY, apiSecret: 'attacker', shop: 'victim-store.myshopify.com' });
    const res = await h.http().get('/api/settings').set('Authorization', `Bearer ${forged}`);
    expect(res.status).toBe(401);
    expect(await h.server.ctx.db.prisma.shop.count({ where: { id: 'victim-store.myshopify.com' } })).toBe(0);
    expect(h.shopify.control.calls().tokenExchange ?? 0).toBe(0);
  });
});

describe('install by token exchange', () => {
  it('when the first valid token of a new shop arrives, then the shop and an offline session are created by one token exchange, and later requests do not exchange again', async () => {
    const shop = 'fresh-store.myshopify.com';
    const { prisma } = h.server.ctx.db;
    expect(await prisma.shop.count({ where: { id: shop } })).toBe(0);
    h.shopify.control.resetCalls();

    const first = await getSettings(shop);
    expect(first.status).toBe(200);
    expect(await prisma.shop.count({ where: { id: shop } })).toBe(1);
    const sessions = await prisma.session.findMany({ where: { shop } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ id: `offline_${shop}`, isOnline: false });
    expect(sessions[0]?.accessToken).toBeTruthy();
    expect(h.shopify.control.calls().tokenExchange).toBe(1);

    const second = await getSettings(shop);
    expect(second.status).toBe(200);
    expect(h.shopify.control.calls().tokenExchange).toBe(1);
    expect(second.body.syncUrl).toBe(first.body.syncUrl);

    // An unconfigured shop: no App ID, no secret, the defaults.
    expect(first.body).toMatchObject({
      edroneAppId: '',
      edroneAppSecretSet: false,
      direction: 'both',
      edroneStatuses: 'all',
      channels: { email: true, sms: true },
      createMissingCustomers: false,
    });
  });

  it('when a new shop sends several first requests at once, then it is installed by exactly one token exchange', async () => {
    const shop = 'busy-store.myshopify.com';
    h.shopify.control.resetCalls();
    const results = await Promise.all([getSettings(shop), getSettings(shop), getSettings(shop)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(new Set(results.map((r) => r.body.syncUrl)).size).toBe(1);
    expect(h.shopify.control.calls().tokenExchange).toBe(1);
    expect(await h.server.ctx.db.prisma.session.count({ where: { shop } })).toBe(1);
  });

  it('when a new shop saves settings without an App Secret, then it is told the secret is required', async () => {
    const res = await putSettings(VALID, 'nosecret-store.myshopify.com');
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.fieldErrors)).toEqual(['edroneAppSecret']);
    expect((await shopRow('nosecret-store.myshopify.com')).edroneAppSecretEnc).toBeNull();
  });
});

describe('GET /api/settings', () => {
  it('returns exactly the contract fields, with the secret only as edroneAppSecretSet', async () => {
    const res = await getSettings();
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(SETTINGS_KEYS);
    expect(Object.keys(res.body.channels).sort()).toEqual(['email', 'sms']);
    expect(res.body).toMatchObject({ ...VALID, edroneAppSecretSet: true });
    expectNoSecret(res.text);
    expect(res.text).not.toContain((await shopRow()).edroneAppSecretEnc!);
  });

  it("when the settings are read, then syncUrl ends with /edrone/sync/ and the shop's 43-character url-safe token", async () => {
    const res = await getSettings();
    const match = SYNC_URL.exec(res.body.syncUrl);
    expect(match).not.toBeNull();
    expect(match?.[1]).toBe((await shopRow()).syncToken);
  });

  it('gives every shop its own sync token', async () => {
    const [a, b] = [await getSettings(), await getSettings('fresh-store.myshopify.com')];
    expect(SYNC_URL.test(b.body.syncUrl)).toBe(true);
    expect(a.body.syncUrl).not.toBe(b.body.syncUrl);
  });
});

describe('PUT /api/settings', () => {
  const invalid: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['an empty edroneAppId', { ...VALID, edroneAppId: '' }, 'edroneAppId', /required/i],
    ['a blank edroneAppId', { ...VALID, edroneAppId: '   ' }, 'edroneAppId', /required/i],
    ["direction 'sideways'", { ...VALID, direction: 'sideways' }, 'direction', /both/],
    ["edroneStatuses 'some'", { ...VALID, edroneStatuses: 'some' }, 'edroneStatuses', /unsubscribes/],
    ["channels.email 'yes'", { ...VALID, channels: { email: 'yes', sms: true } }, 'channels.email', /true or false/],
    ['channels missing', { ...VALID, channels: undefined }, 'channels', /email/],
    ["createMissingCustomers 'false'", { ...VALID, createMissingCustomers: 'false' }, 'createMissingCustomers', /true or false/],
    ['an unknown field', { ...VALID, webhookSecret: 'x' }, '_', /webhookSecret/],
  ];

  for (const [name, body, key, message] of invalid) {
    it(`when the body has ${name}, then it answers 400 with fieldErrors.${key} and changes nothing`, async () => {
      const [before, beforeRow] = [await getSettings(), await shopRow()];
      const res = await putSettings(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual(expect.any(String));
      expect(Object.keys(res.body.fieldErrors)).toEqual([key]);
      expect(res.body.fieldErrors[key]).toMatch(message);
      const after = await getSettings();
      expect(after.body).toEqual(before.body);
      expect(await shopRow()).toEqual(beforeRow);
    });
  }

  it('when several fields are invalid at once, then each is named in fieldErrors and nothing changes', async () => {
    const before = await getSettings();
    const res = await putSettings({ ...VALID, edroneAppId: '', direction: 'sideways', channels: { email: 'yes', sms: true }, colour: 'red' });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.fieldErrors).sort()).toEqual(['_', 'channels.email', 'direction', 'edroneAppId']);
    expect((await getSettings()).body).toEqual(before.body);
  });

  it('when the body is not JSON, then it answers 400 and changes nothing', async () => {
    const before = await getSettings();
    const res = await h.http().put('/api/settings').set('Authorization', await auth()).set('Content-Type', 'application/json').send('{"edroneAppId":');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/JSON/);
    expect((await getSettings()).body).toEqual(before.body);
  });

  it('when the secret is left out, then the stored secret is kept and edrone requests signed with it still verify', async () => {
    const beforeEnc = (await shopRow()).edroneAppSecretEnc;
    const res = await putSettings({ ...VALID, direction: 'edrone_to_shopify', createMissingCustomers: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ direction: 'edrone_to_shopify', createMissingCustomers: true, edroneAppSecretSet: true });
    const row = await shopRow();
    expect(row.edroneAppSecretEnc).toBe(beforeEnc);
    expect(h.server.ctx.secretBox.open(row.edroneAppSecretEnc!)).toBe(EDRONE_SECRET);

    const empty = await putSettings({ ...VALID, edroneAppSecret: '' });
    expect(empty.status).toBe(200);
    expect((await shopRow()).edroneAppSecretEnc).toBe(beforeEnc);

    const sync = await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'kept@example.com', status: '0' });
    expect(sync.status).toBe(200);
    await h.settle();
  });

  it('when a new secret is saved, then neither the PUT nor the GET answer contains it, and edrone requests must be signed with it', async () => {
    const newSecret = 'n3w-Secret-value-Which-Must-Not-Leak';
    const put = await putSettings({ ...VALID, edroneAppSecret: newSecret });
    expect(put.status).toBe(200);
    expect(Object.keys(put.body).sort()).toEqual(SETTINGS_KEYS);
    expect(put.body.edroneAppSecretSet).toBe(true);
    expectNoSecret(put.text, newSecret);
    expectNoSecret((await getSettings()).text, newSecret);

    const withOld = await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, appSecret: EDRONE_SECRET, channel: 'email', email: 'rot@example.com', status: '0' });
    expect(withOld.status).toBe(401);
    const withNew = await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, appSecret: newSecret, channel: 'email', email: 'rot@example.com', status: '0' });
    expect(withNew.status).toBe(200);
    await h.settle();

    const restore = await putSettings({ ...VALID, edroneAppSecret: EDRONE_SECRET });
    expect(restore.status).toBe(200);
    expectNoSecret(restore.text);
  });

  it('when the secret is stored, then the database holds ciphertext, not the plain text, and each save seals it anew', async () => {
    const first = (await shopRow()).edroneAppSecretEnc!;
    expectNoSecret(first);
    expect(first).not.toBe(EDRONE_SECRET);
    expect(h.server.ctx.secretBox.open(first)).toBe(EDRONE_SECRET);

    await putSettings({ ...VALID, edroneAppSecret: EDRONE_SECRET });
    const second = (await shopRow()).edroneAppSecretEnc!;
    expect(second).not.toBe(first);
    expect(h.server.ctx.secretBox.open(second)).toBe(EDRONE_SECRET);
  });
});

describe('POST /api/settings/test-connection', () => {
  it('when the saved App ID is registered at edrone, then it answers ok', async () => {
    const res = await h.http().post('/api/settings/test-connection').set('Authorization', await auth()).send({});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
  });

  it('when an App ID edrone does not know is tested, then it answers ok:false with a reason', async () => {
    const res = await h.http().post('/api/settings/test-connection').set('Authorization', await auth()).send({ edroneAppId: 'unknownapp999' });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(res.body.reason).toMatch(/App ID/);
  });

  it('when an App ID is registered at edrone after a failed test, then the next test answers ok', async () => {
    h.edrone.control.registerApp('laterapp1', 'later-secret');
    const res = await h.http().post('/api/settings/test-connection').set('Authorization', await auth()).send({ edroneAppId: 'laterapp1' });
    expect(res.body).toEqual({ ok: true });
  });

  it('when the shop has no App ID and none is given, then it answers ok:false asking for one', async () => {
    const res = await h.http().post('/api/settings/test-connection').set('Authorization', await auth('fresh-store.myshopify.com')).send({});
    expect(res.body.ok).toBe(false);
    expect(res.body.reason).toMatch(/App ID/);
  });
});

describe('admin API: Status, Activity, Failures', () => {
  const endpoints: Array<['get' | 'post', string]> = [
    ['get', '/api/status'],
    ['get', '/api/activity'],
    ['get', '/api/activity?direction=shopify_to_edrone'],
    ['get', '/api/failures'],
    ['post', '/api/failures/some-id/retry'],
    ['post', '/api/failures/retry-all'],
    ['post', '/api/settings/test-connection'],
  ];

  for (const [method, path] of endpoints) {
    it(`when ${method.toUpperCase()} ${path} has no token, then it answers 401`, async () => {
      const res = await h.http()[method](path);
      expect(res.status).toBe(401);
      expect(res.body.error).toEqual(expect.any(String));
    });

    it(`when ${method.toUpperCase()} ${path} has an expired token, then it answers 401`, async () => {
      const res = await h.http()[method](path).set('Authorization', `Bearer ${await h.shopify.control.sessionToken(h.shop, { ttlSeconds: -600 })}`);
      expect(res.status).toBe(401);
    });
  }

  it('when retry-all is called without a token, then dead jobs stay dead', async () => {
    const { prisma } = h.server.ctx.db;
    const dead = await prisma.job.create({ data: { shopId: h.shop, kind: 'shopify-webhook', payload: JSON.stringify({ eventId: 'gone', topic: 'app/uninstalled' }), status: 'dead', lastError: 'x' } });
    const res = await h.http().post('/api/failures/retry-all');
    expect(res.status).toBe(401);
    expect((await prisma.job.findUniqueOrThrow({ where: { id: dead.id } })).status).toBe('dead');
    await prisma.job.delete({ where: { id: dead.id } });
  });

  describe('with activity in both directions', () => {
    beforeAll(async () => {
      const { control } = h.shopify;
      const a = control.createCustomer({ shop: h.shop, email: 'act-a@example.com' });
      control.setConsent({ shop: h.shop, customerId: a.id, channel: 'email', state: 'subscribed' });
      const p = control.createCustomer({ shop: h.shop, phone: '+48 511 222 333' });
      control.setConsent({ shop: h.shop, customerId: p.id, channel: 'sms', state: 'subscribed' });
      control.createCustomer({ shop: h.shop, email: 'act-b@example.com', emailState: 'subscribed' });
      await h.settle();
      const b = await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'act-b@example.com', status: '0' });
      const ghost = await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'ghost@example.com', status: '0' });
      expect([b.status, ghost.status]).toEqual([200, 200]);
      await h.settle();
    });

    const activity = async (query: string) => h.http().get(`/api/activity${query}`).set('Authorization', await auth());

    it('when no filter is given, then items are newest first with page, pageSize and total', async () => {
      const res = await activity('');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ page: 1, pageSize: 25 });
      expect(res.body.total).toBeGreaterThanOrEqual(4);
      const times = res.body.items.map((i: { createdAt: string }) => Date.parse(i.createdAt));
      expect(times).toEqual([...times].sort((x, y) => y - x));
      expect(res.body.items.every((i: { shopId: string }) => i.shopId === h.shop)).toBe(true);
      expectNoSecret(res.text);
    });

    it('when filtered by direction, then only changes towards that side are listed', async () => {
      const toEdrone = await activity('?direction=shopify_to_edrone');
      const toShopify = await activity('?direction=edrone_to_shopify');
      expect(toEdrone.body.items.length).toBeGreaterThan(0);
      expect(toShopify.body.items.length).toBeGreaterThan(0);
      expect(toEdrone.body.items.every((i: { target: string }) => i.target === 'edrone')).toBe(true);
      expect(toShopify.body.items.every((i: { target: string }) => i.target === 'shopify')).toBe(true);
      expect(toEdrone.body.items.map((i: { identity: string }) => i.identity)).toContain('act-a@example.com');
      expect(toShopify.body.items.map((i: { identity: string }) => i.identity)).toContain('act-b@example.com');
    });

    it('when filtered by channel, then only that channel is listed', async () => {
      const res = await activity('?channel=sms');
      expect(res.body.items.length).toBeGreaterThan(0);
      expect(res.body.items.every((i: { channel: string }) => i.channel === 'sms')).toBe(true);
      expect(res.body.items.map((i: { identity: string }) => i.identity)).toContain('+48511222333');
    });

    it('when filtered by result, then only that result is listed', async () => {
      const res = await activity('?result=no_customer');
      expect(res.body.items.length).toBeGreaterThan(0);
      expect(res.body.items.every((i: { result: string }) => i.result === 'no_customer')).toBe(true);
      expect(res.body.items.map((i: { identity: string }) => i.identity)).toContain('ghost@example.com');
      const sent = await activity('?result=sent&direction=edrone_to_shopify&channel=email');
      expect(sent.body.items.map((i: { identity: string }) => i.identity)).toContain('act-b@example.com');
      expect(sent.body.items.every((i: { result: string; target: string }) => i.result === 'sent' && i.target === 'shopify')).toBe(true);
    });

    it('when searched with q, then only matching identities are listed, case-insensitively', async () => {
      const res = await activity('?q=ACT-B');
      expect(res.body.total).toBeGreaterThan(0);
      expect(res.body.items.every((i: { identity: string }) => i.identity.includes('act-b'))).toBe(true);
      const none = await activity(`?q=${encodeURIComponent('nobody-like-this')}`);
      expect(none.body).toMatchObject({ items: [], total: 0 });
    });

    it('when paged with pageSize=1, then pages hold different items and the total stays the same', async () => {
      const all = await activity('?pageSize=100');
      const p1 = await activity('?pageSize=1&page=1');
      const p2 = await activity('?pageSize=1&page=2');
      expect(p1.body.items).toHaveLength(1);
      expect(p2.body.items).toHaveLength(1);
      expect(p1.body.items[0].id).not.toBe(p2.body.items[0].id);
      expect([p1.body.total, p2.body.total]).toEqual([all.body.total, all.body.total]);
      expect([p1.body.items[0].id, p2.body.items[0].id]).toEqual(all.body.items.slice(0, 2).map((i: { id: string }) => i.id));
      const past = await activity(`?pageSize=1&page=${all.body.total + 1}`);
      expect(past.body.items).toEqual([]);
    });

    const badQueries: Array<[string, string]> = [
      ['?direction=sideways', 'direction'],
      ['?channel=fax', 'channel'],
      ['?result=maybe', 'result'],
      ['?page=0', 'page'],
      ['?page=abc', 'page'],
      ['?pageSize=1000', 'pageSize'],
      ['?pageSize=-1', 'pageSize'],
      [`?q=${'x'.repeat(201)}`, 'q'],
    ];
    for (const [query, field] of badQueries) {
      it(`when /api/activity gets ${query.slice(0, 30)}, then it answers 400 naming ${field}`, async () => {
        const res = await activity(query);
        expect(res.status).toBe(400);
        expect(res.body.error).toEqual(expect.any(String));
        expect(Object.keys(res.body.fieldErrors)).toContain(field);
      });
    }

    it('when /api/failures gets a bad page, then it answers 400', async () => {
      const res = await h.http().get('/api/failures?page=-2').set('Authorization', await auth());
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.fieldErrors)).toContain('page');
    });

    it('when another shop reads its activity, then none of this shop\'s rows are listed', async () => {
      const res = await h.http().get('/api/activity?pageSize=100').set('Authorization', await auth('fresh-store.myshopify.com'));
      expect(res.status).toBe(200);
      expect(res.body.items.every((i: { shopId: string }) => i.shopId === 'fresh-store.myshopify.com')).toBe(true);
      expect(res.text).not.toContain('act-a@example.com');
    });
  });
});
