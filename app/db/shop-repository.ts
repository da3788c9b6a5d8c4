// Shops and their settings, as plain objects.
import { randomBytes } from 'node:crypto';
import type { SyncSettings } from '../core/types.js';
import { DEFAULT_SETTINGS } from '../core/settings.js';
import type { PrismaClient } from './database.js';
import type { SecretBox } from '../crypto/secret-box.js';

export interface ShopRow {
  id: string;
  syncToken: string;
  edroneAppId: string | null;
  edroneAppSecretEnc: string | null;
  direction: string;
  edroneStatuses: string;
  syncEmail: boolean;
  syncSms: boolean;
  createMissingCustomers: boolean;
  uninstalledAt: Date | null;
  pausedUntil: Date | null;
  blockedReason: string | null;
  lastShopifyEventAt: Date | null;
  lastEdroneEventAt: Date | null;
}

export function settingsOf(shop: ShopRow): SyncSettings {
  return {
    direction: (shop.direction as SyncSettings['direction']) ?? DEFAULT_SETTINGS.direction,
    edroneStatuses: (shop.edroneStatuses as SyncSettings['edroneStatuses']) ?? DEFAULT_SETTINGS.edroneStatuses,
    channels: { email: shop.syncEmail, sms: shop.syncSms },
    createMissingCustomers: shop.createMissingCustomers,
  };
}

/** An unguessable token for the edrone sync URL (256 bits). */
export function newSyncToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Creates the shop on first install, or re-activates it after a reinstall. */
export async function installShop(prisma: PrismaClient, shopId: string): Promise<ShopRow> {
  return prisma.shop.upsert({
    where: { id: shopId },
    create: { id: shopId, syncToken: newSyncToken() },
    update: { uninstalledAt: null, blockedReason: null },
  });
}

export function edroneCredentials(shop: ShopRow, box: SecretBox): { appId: string; appSecret: string } | null {
  if (!shop.edroneAppId || !shop.edroneAppSecretEnc) return null;
  return { appId: shop.edroneAppId, appSecret: box.open(shop.edroneAppSecretEnc) };
}
