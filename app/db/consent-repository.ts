// The ConsentState rows behind the pure rules.
import type { Channel, ConsentRecord, EdroneState, ShopifyState } from '../core/types.js';
import { EMPTY_RECORD } from '../core/types.js';
import type { PrismaClient } from './database.js';

export interface ConsentKey {
  shopId: string;
  channel: Channel;
  identity: string;
}

const key = (k: ConsentKey) => ({ shopId_channel_identity: { shopId: k.shopId, channel: k.channel, identity: k.identity } });

export async function loadConsent(prisma: PrismaClient, k: ConsentKey): Promise<ConsentRecord & { shopifyCustomerId: string | null }> {
  const row = await prisma.consentState.findUnique({ where: key(k) });
  if (!row) return { ...EMPTY_RECORD, shopifyCustomerId: null };
  return {
    shopifyCustomerId: row.shopifyCustomerId,
    shopifyState: row.shopifyState as ShopifyState | null,
    shopifyAt: row.shopifyAt,
    edroneState: row.edroneState as EdroneState | null,
    edroneAt: row.edroneAt,
    wroteShopifyState: row.wroteShopifyState as ShopifyState | null,
    wroteShopifyAt: row.wroteShopifyAt,
    wroteShopifyWallAt: row.wroteShopifyWallAt,
    wroteEdroneState: row.wroteEdroneState as EdroneState | null,
    wroteEdroneAt: row.wroteEdroneAt,
    wroteEdroneWallAt: row.wroteEdroneWallAt,
  };
}

export async function saveConsent(
  prisma: PrismaClient,
  k: ConsentKey,
  record: ConsentRecord,
  shopifyCustomerId?: string | null,
): Promise<void> {
  const data = { ...record, ...(shopifyCustomerId ? { shopifyCustomerId } : {}) };
  await prisma.consentState.upsert({
    where: key(k),
    create: { shopId: k.shopId, channel: k.channel, identity: k.identity, ...data },
    update: data,
  });
}
