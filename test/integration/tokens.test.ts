// Offline tokens: refreshed before they expire; a revoked one pauses the shop's
// Shopify work with a visible reason until the merchant opens the app again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, EDRONE_APP_ID, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const db = () => h.server.ctx.db.prisma;

describe('offline tokens', () => {
  it('an access token about to expire is refreshed before the background call', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'refresh@example.com', emailState: 'subscribed' });
    await db().session.updateMany({ where: { shop: h.shop, isOnline: false }, data: { expires: new Date(Date.now() + 60_000) } });
    const before = (await db().session.findFirstOrThrow({ where: { shop: h.shop } })).accessToken;
    h.shopify.control.resetCalls();
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'refresh@example.com', status: '0' });
    await h.settle();
    expect(h.shopify.control.calls().refreshToken).toBe(1);
    const after = await db().session.findFirstOrThrow({ where: { shop: h.shop } });
    expect(after.accessToken).not.toBe(before);
    expect(after.expires!.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent?.state).toBe('unsubscribed');
  });

  it('a revoked token pauses the shop’s jobs with a reason instead of burning retries; opening the app resumes them', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'revoked@example.com', emailState: 'subscribed' });
    h.shopify.control.revokeShop(h.shop);
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'revoked@example.com', status: '0' });
    await h.settle();
    const job = await db().job.findFirstOrThrow({ where: { shopId: h.shop, kind: 'edrone-event' }, orderBy: { createdAt: 'desc' } });
    expect(job).toMatchObject({ status: 'queued', attempts: 0 });
    const shop = await db().shop.findUniqueOrThrow({ where: { id: h.shop } });
    expect(shop.blockedReason).toMatch(/access token/i);

    // The merchant sees why.
    const status = await h.http().get('/api/status').set('Authorization', `Bearer ${await h.token()}`);
    // That request came with a fresh session token: the shop is reconnected by token exchange.
    expect(status.status).toBe(200);
    expect((await db().shop.findUniqueOrThrow({ where: { id: h.shop } })).blockedReason).toBeNull();
    await h.settle();
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent?.state).toBe('unsubscribed');
    expect((await db().job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe('done');
  });
});
