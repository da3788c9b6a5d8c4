// What the storefront subscription check reads and remembers: a logged-in
// customer's consent rows, the one-off Shopify lookup of a customer the app had
// no row for, and the count of checks answered per day.
import type { Channel, EdroneState, ShopifyState } from '../core/types.js';
import type { PrismaClient } from './database.js';

/** One channel of a customer as the consent rows know it (the newest row per channel). */
export interface KnownConsent {
  channel: Channel;
  truthState: EdroneState | null;
  shopifyState: ShopifyState | null;
  edroneState: EdroneState | null;
}

/** A customer looked up in Shopify for the storefront: their marketing states when read. */
export interface RememberedCustomer {
  emailState: ShopifyState | null;
  smsState: ShopifyState | null;
  lookedUpAt: Date;
}

export function createStorefrontRepository(prisma: PrismaClient) {
  return {
    /** The customer's consent rows, newest per channel (a changed email leaves an older row behind). */
    async consentOfCustomer(shopId: string, customerId: string): Promise<KnownConsent[]> {
      const rows = await prisma.consentState.findMany({
        where: { shopId, shopifyCustomerId: customerId },
        select: { channel: true, truthState: true, shopifyState: true, edroneState: true },
        orderBy: { updatedAt: 'desc' },
        take: 10,
      });
      const seen = new Set<string>();
      const out: KnownConsent[] = [];
      for (const r of rows) {
        if (seen.has(r.channel)) continue;
        seen.add(r.channel);
        out.push({
          channel: r.channel as Channel,
          truthState: r.truthState as EdroneState | null,
          shopifyState: r.shopifyState as ShopifyState | null,
          edroneState: r.edroneState as EdroneState | null,
        });
      }
      return out;
    },
    async rememberedCustomer(shopId: string, customerId: string): Promise<RememberedCustomer | null> {
      const row = await prisma.storefrontCustomer.findUnique({ where: { shopId_customerId: { shopId, customerId } } });
      return row ? { emailState: row.emailState as ShopifyState | null, smsState: row.smsState as ShopifyState | null, lookedUpAt: row.lookedUpAt } : null;
    },
    async rememberCustomer(shopId: string, customerId: string, states: RememberedCustomer): Promise<void> {
      const data = { emailState: states.emailState, smsState: states.smsState, lookedUpAt: states.lookedUpAt };
      await prisma.storefrontCustomer.upsert({
        where: { shopId_customerId: { shopId, customerId } },
        create: { shopId, customerId, ...data },
        update: data,
      });
    },
    /** `count` more checks answered for the shop on `day` (YYYY-MM-DD, UTC); one statement, safe under concurrency. */
    async countAnswered(shopId: string, day: string, count = 1): Promise<void> {
      await prisma.$executeRaw`INSERT INTO "StorefrontCheckDay" ("shopId", "day", "answered") VALUES (${shopId}, ${day}, ${count})
        ON CONFLICT ("shopId", "day") DO UPDATE SET "answered" = "StorefrontCheckDay"."answered" + ${count}`;
    },
    async answeredOn(shopId: string, day: string): Promise<number> {
      const row = await prisma.storefrontCheckDay.findUnique({ where: { shopId_day: { shopId, day } } });
      return row?.answered ?? 0;
    },
  };
}

export type StorefrontRepository = ReturnType<typeof createStorefrontRepository>;
