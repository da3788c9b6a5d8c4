// Ingest reads shops from a short-lived cache; every change of a shop made
// through the data layer (settings, uninstall, erasure, reinstall) must be
// seen by the very next request, never after the cache's lifetime.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../app/db/index.js';
import { createComplianceRepository } from '../../app/db/compliance.js';
import { createShopCache } from '../../app/db/shop-cache.js';
import { createShopsRepository } from '../../app/db/shops.js';
import { DEFAULT_SETTINGS } from '../../app/core/settings.js';
import { EDRONE_APP_ID, startHarness, type Harness } from '../helpers/harness.js';
import { useOpenDatabase } from '../helpers/test-database.js';

describe('shop cache of the data layer (an hour-long lifetime, so only invalidation can refresh it)', () => {
  const database = useOpenDatabase();
  let db: Database;
  beforeAll(() => {
    db = database();
  });

  function layer() {
    const cache = createShopCache({ ttlMs: 3_600_000 });
    return { shops: createShopsRepository(db.prisma, cache), compliance: createComplianceRepository(db.prisma, cache) };
  }

  it('serves repeated lookups from memory: a change made behind its back is not seen', async () => {
    const { shops } = layer();
    const shop = await shops.install('cached.myshopify.com');
    expect((await shops.findBySyncToken(shop.syncToken))?.edroneAppId).toBeNull();
    await db.prisma.shop.update({ where: { id: shop.id }, data: { edroneAppId: 'behind-the-back' } });
    expect((await shops.findBySyncToken(shop.syncToken))?.edroneAppId).toBeNull();
  });

  it('when the settings change, the next lookup by sync token sees the new App ID and secret', async () => {
    const { shops } = layer();
    const shop = await shops.install('settings.myshopify.com');
    await shops.saveSettings(shop.id, { edroneAppId: 'first', edroneAppSecretEnc: 'sealed-1', settings: DEFAULT_SETTINGS });
    expect((await shops.findBySyncToken(shop.syncToken))?.edroneAppId).toBe('first');
    await shops.saveSettings(shop.id, { edroneAppId: 'second', edroneAppSecretEnc: 'sealed-2', settings: DEFAULT_SETTINGS });
    const seen = await shops.findBySyncToken(shop.syncToken);
    expect(seen?.edroneAppId).toBe('second');
    expect(seen?.edroneAppSecretEnc).toBe('sealed-2');
  });

  it('when the app is uninstalled, the next lookup sees it; a reinstall is seen as well', async () => {
    const { shops, compliance } = layer();
    const shop = await shops.install('leaving.myshopify.com');
    expect((await shops.findBySyncToken(shop.syncToken))?.uninstalledAt).toBeNull();
    expect(await shops.exists(shop.id)).toBe(true);
    await compliance.markUninstalled(shop.id, new Date());
    expect((await shops.findBySyncToken(shop.syncToken))?.uninstalledAt).not.toBeNull();
    await shops.install(shop.id);
    expect((await shops.findBySyncToken(shop.syncToken))?.uninstalledAt).toBeNull();
  });

  it('when the shop is erased (shop/redact), it no longer exists for ingest', async () => {
    const { shops, compliance } = layer();
    const shop = await shops.install('erased.myshopify.com');
    expect(await shops.exists(shop.id)).toBe(true);
    expect(await shops.findBySyncToken(shop.syncToken)).not.toBeNull();
    await compliance.eraseShop(shop.id);
    expect(await shops.exists(shop.id)).toBe(false);
    expect(await shops.findBySyncToken(shop.syncToken)).toBeNull();
  });

  it('lookups that miss at the same time share one load', async () => {
    const cache = createShopCache({ ttlMs: 3_600_000 });
    const pending: (() => void)[] = [];
    let loads = 0;
    const load = () => {
      loads += 1;
      return new Promise<never>((resolve) => pending.push(() => resolve({ id: 'y' } as never)));
    };
    const all = Promise.all([cache.get('id:y', load), cache.get('id:y', load), cache.get('id:y', load)]);
    for (const release of pending) release();
    expect((await all).map((row) => row?.id)).toEqual(['y', 'y', 'y']);
    expect(loads).toBe(1);
  });

  it('a lookup that started before a change does not put the outdated row back', async () => {
    const cache = createShopCache({ ttlMs: 3_600_000 });
    let release: () => void = () => {};
    const loading = cache.get('id:x', () => new Promise((resolve) => (release = () => resolve({ id: 'x' } as never))));
    cache.invalidate('x');
    release();
    await loading;
    let loads = 0;
    await cache.get('id:x', async () => {
      loads += 1;
      return null;
    });
    expect(loads).toBe(1);
  });
});

describe('shop cache through HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('when app/uninstalled arrives right after edrone requests were accepted, the next edrone request gets 404 and stores nothing', async () => {
    const ok = await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'kim@example.com', status: '1' });
    expect(ok.status).toBe(200);
    const d = await h.shopify.control.sendWebhook({ shop: h.shop, topic: 'app/uninstalled', body: `{"id":548380009,"name":"Demo"}` });
    expect(d.status).toBe(200);
    await h.server.ctx.worker.drain();
    const before = await h.server.ctx.db.prisma.inboundEvent.count();
    const res = await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'kim@example.com', status: '0' });
    expect(res.status).toBe(404);
    expect(await h.server.ctx.db.prisma.inboundEvent.count()).toBe(before);
  });
});
