// Issue 9, part 2, points 5, 6 and 7 through HTTP: NUL bytes get 4xx (never the
// database's 500), rejected requests are limited per client and per sync URL
// and logged aggregated without their values, Shopify tokens are encrypted at
// rest, trust proxy is a setting, and every answer carries nosniff and a CSP.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Session } from '@shopify/shopify-api';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.js';
import { createApp } from '../../app/http/create-app.js';
import { startServer, type RunningServer } from '../../app/server.js';
import request from 'supertest';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { EDRONE_APP_ID, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
const logLines: string[] = [];
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const auth = async () => `Bearer ${await h.token()}`;

async function stored() {
  const { prisma } = h.server.ctx.db;
  return { events: await prisma.inboundEvent.count(), jobs: await prisma.job.count(), activity: await prisma.activity.count() };
}

describe('point 5: NUL bytes are a 4xx, never a 500', () => {
  it.each([
    ['POST', '/edrone/sync/%00'],
    ['POST', '/edrone/sync/abc%00def'],
    ['GET', '/api/activity?q=%00'],
    ['GET', '/api/activity?q=a%00b'],
    ['POST', '/api/failures/%00/retry'],
    ['GET', '/api/customers/consent?customer=%00'],
  ])('%s %s answers 400 or 404 and stores nothing', async (method, path) => {
    const before = await stored();
    const req = method === 'GET' ? h.http().get(path) : h.http().post(path);
    const res = await req.set('Authorization', await auth()).send('');
    expect([400, 404]).toContain(res.status);
    expect(await stored()).toEqual(before);
  });

  it('a NUL inside a JSON settings body or a sync request body is a 400', async () => {
    const put = await h.http().put('/api/settings').set('Authorization', await auth()).send({ edroneAppId: 'a\u0000b' });
    expect(put.status).toBe(400);
    const before = await stored();
    const sync = await h.http().post(new URL(h.syncUrl).pathname).set('Content-Type', 'application/x-www-form-urlencoded').send('email=a\u0000@b.co');
    expect(sync.status).toBe(400);
    expect(await stored()).toEqual(before);
    expect((await h.http().get('/healthz')).status).toBe(200);
  });
});

describe('point 6: abuse limits and quiet logs', () => {
  let small: RunningServer;
  let smallDb: TestDatabase;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    smallDb = await createTestDatabase();
    const config = loadConfig({
      SHOPIFY_API_KEY: 'k',
      SHOPIFY_API_SECRET: 's',
      SHOPIFY_APP_URL: 'https://consent-sync.example.com',
      PORT: '0',
      DATABASE_URL: smallDb.url,
      WORKER: 'off',
      REJECTED_PER_MINUTE_PER_CLIENT: '1000',
      REJECTED_PER_MINUTE_PER_SYNC_URL: '5',
    });
    small = await startServer(config, { host: '127.0.0.1', logger: pino({ level: 'warn' }, sink) });
  });
  afterAll(async () => {
    await small?.close();
    await smallDb?.drop();
  });

  it('after N rejected requests to one sync URL it answers 429 for the rest of the minute; other sync URLs are not held up', async () => {
    const path = `/edrone/sync/${randomBytes(32).toString('base64url')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await request(small.url).post(path).type('form').send(`email=bad${i}`)).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429, 429]);
    const other = await request(small.url).post(`/edrone/sync/${randomBytes(32).toString('base64url')}`).type('form').send('a=b');
    expect(other.status).toBe(404);
  });

  it('accepted requests never count towards the limit', async () => {
    // The main harness: 200 after 200 from the same address, far beyond any limit of rejections.
    for (let i = 0; i < 10; i++) {
      const ok = await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: `fine${i}@example.com`, status: '1' });
      expect(ok.status).toBe(200);
    }
  });

  it('per client: past the limit every inbound surface answers 429 to that address, /healthz still answers', async () => {
    const tight = await startHarness({ env: { REJECTED_PER_MINUTE_PER_CLIENT: '3' }, configure: false });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await tight.http().post('/webhooks').send('{}')).status);
      // No HMAC: 401 each time, then 429.
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      expect((await tight.http().get('/api/status')).status).toBe(429);
      expect((await tight.http().get('/healthz')).status).toBe(200);
    } finally {
      await tight.close();
    }
  });

  it('a rejected value is never echoed whole in the answer or a log line, and repeated rejections log one line', async () => {
    const marker = `SECRETVALUE${'z'.repeat(3000)}`;
    const before = logLines.length;
    for (let i = 0; i < 3; i++) {
      const res = await request(small.url).post('/webhooks').set('X-Shopify-Topic', marker).set('X-Shopify-Hmac-Sha256', 'x').send('{}');
      expect(res.status).toBe(401);
      expect(JSON.stringify(res.body)).not.toContain(marker);
    }
    const lines = logLines.slice(before);
    expect(lines.join('\n')).not.toContain(marker);
    expect(lines.filter((l) => l.includes('request rejected')).length).toBeLessThanOrEqual(1);
  });
});

describe('point 7: secrets at rest, proxy trust, headers', () => {
  it('the Shopify access token is stored encrypted, bound to its shop, and still loads', async () => {
    const row = await h.server.ctx.db.prisma.session.findFirstOrThrow({ where: { shop: h.shop } });
    expect(row.accessToken).toMatch(/^v1\./);
    expect(row.accessToken).not.toMatch(/^shp/);
    const loaded = await h.server.ctx.sessionStorage.loadSession(row.id);
    expect(loaded?.accessToken).toMatch(/^shp|^[^v]/);
    expect(loaded?.accessToken).not.toBe(row.accessToken);
  });

  it('a clear row from before encryption still loads, and is encrypted when stored again', async () => {
    const { prisma } = h.server.ctx.db;
    const id = 'offline_legacy-store.myshopify.com';
    await prisma.session.create({ data: { id, shop: 'legacy-store.myshopify.com', state: '', isOnline: false, accessToken: 'shpat_clear_legacy', scope: 'read_customers', refreshToken: 'shprt_clear' } });
    const loaded = await h.server.ctx.sessionStorage.loadSession(id);
    expect(loaded?.accessToken).toBe('shpat_clear_legacy');
    expect(loaded?.refreshToken).toBe('shprt_clear');
    await h.server.ctx.sessionStorage.storeSession(loaded!);
    const row = await prisma.session.findUniqueOrThrow({ where: { id } });
    expect(row.accessToken).toMatch(/^v1\./);
    expect(row.refreshToken).toMatch(/^v1\./);
    expect((await h.server.ctx.sessionStorage.loadSession(id))?.accessToken).toBe('shpat_clear_legacy');
  });

  it("a ciphertext copied into another shop's row does not open there", async () => {
    const { prisma } = h.server.ctx.db;
    const mine = await prisma.session.findFirstOrThrow({ where: { shop: h.shop } });
    const thief = new Session({ id: 'offline_thief.myshopify.com', shop: 'thief.myshopify.com', state: '', isOnline: false, accessToken: 'shpat_x' });
    await h.server.ctx.sessionStorage.storeSession(thief);
    await prisma.session.update({ where: { id: thief.id }, data: { accessToken: mine.accessToken } });
    await expect(h.server.ctx.sessionStorage.loadSession(thief.id)).rejects.toThrow();
  });

  it('trust proxy is off by default: X-Forwarded-For does not pick the rate-limit key', () => {
    const base = { SHOPIFY_API_KEY: 'k', SHOPIFY_API_SECRET: 's', SHOPIFY_APP_URL: 'https://x.example.com' };
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ ...base, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...base, TRUST_PROXY: 'loopback' }).trustProxy).toBe('loopback');
    expect(createApp(h.server.ctx).get('trust proxy')).toBe(false);
  });

  it('every answer has nosniff; the admin page has a strict CSP framed only by the Shopify admin and the shop', async () => {
    for (const path of ['/healthz', '/api/status', '/webhooks']) {
      const res = await h.http().get(path);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    }
    const page = await h.http().get(`/?shop=${h.shop}&host=abc`);
    const csp = String(page.headers['content-security-policy']);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(csp).toContain(`frame-ancestors https://admin.shopify.com https://${h.shop}`);
    expect(csp).toContain("script-src 'self' https://cdn.shopify.com");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).toContain("object-src 'none'");
    const evil = await h.http().get('/?shop=evil.com%20https://attacker.example');
    expect(String(evil.headers['content-security-policy'])).not.toContain('attacker');
  });
});
