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
    truthState: row.truthState as EdroneState | null,
    truthAt: row.truthAt,
    truthSource: row.truthSource as ConsentRecord['truthSource'],
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
    tracedSubscribedWallAt: row.tracedSubscribedWallAt,
    tracedUnsubscribedWallAt: row.tracedUnsubscribedWallAt,
  };
}

export async function saveConsent(
  prisma: PrismaClient,
  k: ConsentKey,
  record: ConsentRecord,
  shopifyCustomerId?: string | null,
): Promise<void> {
  // Records that come from loadConsent carry shopifyCustomerId (often null): writing it back
  // would erase the id a previous save stored. Only the explicit argument sets it.
  const { shopifyCustomerId: _fromRecord, ...state } = record as ConsentRecord & { shopifyCustomerId?: string | null };
  const data = { ...state, ...(shopifyCustomerId ? { shopifyCustomerId } : {}) };
  await prisma.consentState.upsert({
    where: key(k),
    create: { shopId: k.shopId, channel: k.channel, identity: k.identity, ...data },
    update: data,
  });
}
