// The merchant-visible record of each processed change.
import type { Activity, PrismaClient } from './database.js';

export type ActivityResult = 'sent' | 'skipped' | 'failed' | 'no_customer' | 'recorded';

export interface ActivityInput {
  shopId: string;
  jobId?: string | null;
  eventId?: string | null;
  origin: 'shopify' | 'edrone' | 'backfill' | 'reconcile' | 'app';
  target: 'edrone' | 'shopify' | 'none';
  channel: 'email' | 'sms' | 'none';
  identity?: string | null;
  customerId?: string | null;
  previousState?: string | null;
  newState?: string | null;
  result: ActivityResult;
  reason?: string | null;
  reasonCode?: string | null;
}

export interface ActivityFilter {
  shopId: string;
  target?: 'edrone' | 'shopify';
  channel?: 'email' | 'sms';
  result?: ActivityResult;
  /** Part of the (normalised, lower-case) email or phone. */
  identityContains?: string;
}

export function createActivityRepository(prisma: PrismaClient) {
  return {
    async insert(a: ActivityInput): Promise<void> {
      await prisma.activity.create({ data: a });
    },
    /** Newest first. */
    async page(filter: ActivityFilter, page: { skip: number; take: number }): Promise<{ items: Activity[]; total: number }> {
      const where = {
        shopId: filter.shopId,
        ...(filter.target ? { target: filter.target } : {}),
        ...(filter.channel ? { channel: filter.channel } : {}),
        ...(filter.result ? { result: filter.result } : {}),
        ...(filter.identityContains ? { identity: { contains: filter.identityContains } } : {}),
      };
      const [items, total] = await Promise.all([
        prisma.activity.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], ...page }),
        prisma.activity.count({ where }),
      ]);
      return { items, total };
    },
    /** Retention: deletes at most `batch` rows of the shop older than `before`; returns how many went. */
    async pruneBatch(shopId: string, before: Date, batch: number): Promise<number> {
      const ids = await prisma.activity.findMany({ where: { shopId, createdAt: { lt: before } }, select: { id: true }, take: batch });
      if (ids.length === 0) return 0;
      const { count } = await prisma.activity.deleteMany({ where: { id: { in: ids.map((r) => r.id) } } });
      return count;
    },
    /** The changes sent since `since`: when, and to which side. */
    sentSince(shopId: string, since: Date): Promise<{ createdAt: Date; target: string }[]> {
      return prisma.activity.findMany({
        where: { shopId, result: 'sent', createdAt: { gte: since } },
        select: { createdAt: true, target: true },
      });
    },
  };
}

export type ActivityRepository = ReturnType<typeof createActivityRepository>;
