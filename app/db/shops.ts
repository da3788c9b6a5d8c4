// Shops: install, settings, the sync URL's token, and the flags that hold a
// shop's work back (throttled, access revoked, uninstalled).
import { randomBytes } from 'node:crypto';
import type { SyncSettings } from '../core/types.js';
import { DEFAULT_SETTINGS } from '../core/settings.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Driver, PrismaClient, Shop } from './database.js';
import { createHeldShopsQuery } from './held-shops.js';
import { createShopCache, type ShopCache } from './shop-cache.js';

export type ShopRow = Shop;

/** What PUT /api/settings stores; the secret arrives sealed, and is kept when absent. */
export interface ShopSettingsUpdate {
  edroneAppId: string;
  edroneAppSecretEnc?: string;
  settings: SyncSettings;
}

export function settingsOf(shop: Pick<ShopRow, 'direction' | 'edroneStatuses' | 'syncEmail' | 'syncSms' | 'createMissingCustomers'>): SyncSettings {
  return {
    direction: (shop.direction as SyncSettings['direction']) ?? DEFAULT_SETTINGS.direction,
    edroneStatuses: (shop.edroneStatuses as SyncSettings['edroneStatuses']) ?? DEFAULT_SETTINGS.edroneStatuses,
    channels: { email: shop.syncEmail, sms: shop.syncSms },
    createMissingCustomers: shop.createMissingCustomers,
  };
}

/** True when the shop has both edrone credentials. */
export function isConfigured(shop: Pick<ShopRow, 'edroneAppId' | 'edroneAppSecretEnc'>): boolean {
  return Boolean(shop.edroneAppId && shop.edroneAppSecretEnc);
}

type EdroneCredentials = { appId: string; appSecret: string };

/**
 * Secrets already opened, per row object: ingest reads the same cached row for
 * every edrone request of a shop (app/db/shop-cache.ts), and AES-GCM on each was
 * a measurable part of its CPU. Kept only as long as the row object lives.
 */
const opened = new WeakMap<ShopRow, { box: SecretBox; sealed: string; credentials: EdroneCredentials }>();

export function edroneCredentials(shop: ShopRow, box: SecretBox): EdroneCredentials | null {
  if (!shop.edroneAppId || !shop.edroneAppSecretEnc) return null;
  const known = opened.get(shop);
  if (known && known.box === box && known.sealed === shop.edroneAppSecretEnc && known.credentials.appId === shop.edroneAppId) {
    return { ...known.credentials };
  }
  const credentials = { appId: shop.edroneAppId, appSecret: box.open(shop.edroneAppSecretEnc) };
  opened.set(shop, { box, sealed: shop.edroneAppSecretEnc, credentials });
  return { ...credentials };
}

/** An unguessable token for the edrone sync URL (256 bits). */
export function newSyncToken(): string {
  return randomBytes(32).toString('base64url');
}

/** `driver`: the claim's question (heldIds) in the driver's SQL; without it, through Prisma. */
export function createShopsRepository(prisma: PrismaClient, cache: ShopCache = createShopCache(), driver?: Driver) {
  const heldQuery = driver ? createHeldShopsQuery(driver) : null;
  // Every write to a shop row goes through one of these, so no reader keeps an outdated copy.
  async function changed<T>(id: string, write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      cache.invalidate(id);
    }
  }
  return {
    find(id: string): Promise<ShopRow | null> {
      return prisma.shop.findUnique({ where: { id } });
    },
    /** The shop as ingest sees it: cached briefly, dropped on every change (see shop-cache.ts). */
    findCached(id: string): Promise<ShopRow | null> {
      return cache.get(`id:${id}`, () => prisma.shop.findUnique({ where: { id } }));
    },
    /** The shop, which the caller knows exists (an authenticated request's). */
    get(id: string): Promise<ShopRow> {
      return prisma.shop.findUniqueOrThrow({ where: { id } });
    },
    /** Cached briefly (ingest of every edrone request), dropped on every change of the shop. */
    findBySyncToken(syncToken: string): Promise<ShopRow | null> {
      return cache.get(`token:${syncToken}`, () => prisma.shop.findUnique({ where: { syncToken } }));
    },
    /** Cached briefly (ingest of every webhook), dropped on every change of the shop. */
    async exists(id: string): Promise<boolean> {
      return (await cache.get(`id:${id}`, () => prisma.shop.findUnique({ where: { id } }))) !== null;
    },
    /** Another process changed this shop (PostgreSQL notification): forget what this one cached. */
    forget(id: string): void {
      cache.forget(id);
    },
    /** Runs `listener` with the id of each shop this process changes (to tell the other processes). */
    onChange(listener: (id: string) => void): void {
      cache.onInvalidate(listener);
    },
    /** Creates the shop on first install, or re-activates it after a reinstall. */
    install(id: string): Promise<ShopRow> {
      return changed(
        id,
        prisma.shop.upsert({
          where: { id },
          create: { id, syncToken: newSyncToken() },
          update: { uninstalledAt: null, blockedReason: null },
        }),
      );
    },
    saveSettings(id: string, update: ShopSettingsUpdate): Promise<ShopRow> {
      const s = update.settings;
      return changed(id, prisma.shop.update({
        where: { id },
        data: {
          edroneAppId: update.edroneAppId,
          ...(update.edroneAppSecretEnc ? { edroneAppSecretEnc: update.edroneAppSecretEnc } : {}),
          direction: s.direction,
          edroneStatuses: s.edroneStatuses,
          syncEmail: s.channels.email,
          syncSms: s.channels.sms,
          createMissingCustomers: s.createMissingCustomers,
        },
      }));
    },
    /** The encoding of edrone's signature that last verified for this shop (shown on Setup). */
    async recordSignatureVariant(id: string, variant: string): Promise<void> {
      await prisma.shop.updateMany({ where: { id }, data: { edroneSignatureVariant: variant } });
    },
    setReconcileInterval(id: string, minutes: number): Promise<ShopRow> {
      return changed(id, prisma.shop.update({ where: { id }, data: { reconcileIntervalMinutes: minutes } }));
    },
    /** Shopify asked this shop's calls to wait until `until`. */
    async pauseUntil(id: string, until: Date): Promise<void> {
      await changed(id, prisma.shop.updateMany({ where: { id }, data: { pausedUntil: until } }));
    },
    /** Shopify refused the shop's token: its work waits for the merchant, with this reason shown. */
    async block(id: string, reason: string): Promise<void> {
      await changed(id, prisma.shop.updateMany({ where: { id }, data: { blockedReason: reason } }));
    },
    /** Shops whose Shopify calls must wait now: throttled, or access revoked. */
    async heldIds(now: Date): Promise<string[]> {
      if (heldQuery) return heldQuery(now);
      const shops = await prisma.shop.findMany({
        where: { OR: [{ pausedUntil: { gt: now } }, { blockedReason: { not: null } }] },
        select: { id: true },
      });
      return shops.map((s) => s.id);
    },
    /** Every shop's id (retention prunes shop by shop, along its indexes). */
    async allIds(): Promise<string[]> {
      return (await prisma.shop.findMany({ select: { id: true } })).map((s) => s.id);
    },
    /** The reason a merchant must act on is gone (scopes granted again): the shop's work resumes. */
    async unblock(id: string): Promise<void> {
      await prisma.shop.updateMany({ where: { id }, data: { blockedReason: null } });
    },
    /** Installed, configured shops that are not blocked, with what their reconciliation schedule needs. */
    reconcilable() {
      return prisma.shop.findMany({
        where: { uninstalledAt: null, blockedReason: null, edroneAppId: { not: null }, edroneAppSecretEnc: { not: null } },
        select: { id: true, reconcileIntervalMinutes: true, lastReconciledAt: true, installedAt: true },
      });
    },
  };
}

export type ShopsRepository = ReturnType<typeof createShopsRepository>;
