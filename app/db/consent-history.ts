// Each customer's consent history (ConsentHistory): written once per outcome,
// read per customer, exported in keyset-paged batches, pruned in small batches.
import type { HistoryEntry } from '../core/consent-history.js';
import type { ConsentHistory, PrismaClient } from './database.js';

export type ConsentHistoryRow = ConsentHistory;

export interface HistoryExportFilter {
  shopId: string;
  from?: Date | undefined;
  to?: Date | undefined;
  channel?: 'email' | 'sms' | undefined;
  /** Normalised identities of one customer (email and/or E.164 phone). */
  identities?: string[] | undefined;
}

/** Where the next batch starts: after this row in (createdAt, id) order. */
export interface HistoryCursor {
  createdAt: Date;
  id: string;
}

function whereOf(f: HistoryExportFilter) {
  return {
    shopId: f.shopId,
    ...(f.channel ? { channel: f.channel } : {}),
    ...(f.identities ? { identity: { in: f.identities } } : {}),
    ...(f.from || f.to ? { createdAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) } } : {}),
  };
}

export function createConsentHistoryRepository(prisma: PrismaClient) {
  return {
    async insert(entry: HistoryEntry): Promise<void> {
      await prisma.consentHistory.create({ data: entry });
    },
    /** A customer's rows (by identities or Shopify customer id), oldest first, at most `limit`. */
    forCustomer(shopId: string, identities: string[], customerIds: string[], limit = 2000): Promise<ConsentHistoryRow[]> {
      return prisma.consentHistory.findMany({
        where: {
          shopId,
          OR: [{ identity: { in: identities } }, ...(customerIds.length ? [{ customerId: { in: customerIds } }] : [])],
        },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: limit,
      });
    },
    /** The consent rows (state each side holds now) of these identities or Shopify customers. */
    currentStates(shopId: string, identities: string[], customerIds: string[]) {
      return prisma.consentState.findMany({
        where: {
          shopId,
          OR: [{ identity: { in: identities } }, ...(customerIds.length ? [{ shopifyCustomerId: { in: customerIds } }] : [])],
        },
        select: {
          channel: true,
          identity: true,
          shopifyCustomerId: true,
          shopifyState: true,
          shopifyAt: true,
          edroneState: true,
          edroneAt: true,
          truthState: true,
          truthAt: true,
          truthSource: true,
          updatedAt: true,
        },
      });
    },
    count(filter: HistoryExportFilter): Promise<number> {
      return prisma.consentHistory.count({ where: whereOf(filter) });
    },
    /** The next batch of the export after `cursor`, in (createdAt, id) order: an index range, never an OFFSET. */
    batchAfter(filter: HistoryExportFilter, cursor: HistoryCursor | null, take: number): Promise<ConsentHistoryRow[]> {
      const base = whereOf(filter);
      const after = cursor
        ? { OR: [{ createdAt: { gt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { gt: cursor.id } }] }
        : {};
      return prisma.consentHistory.findMany({
        where: { AND: [base, after] },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take,
      });
    },
    /** Deletes at most `batch` rows of the shop older than `before`; returns how many went. Short transactions only. */
    async pruneBatch(shopId: string, before: Date, batch: number): Promise<number> {
      const ids = await prisma.consentHistory.findMany({
        where: { shopId, createdAt: { lt: before } },
        select: { id: true },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: batch,
      });
      if (ids.length === 0) return 0;
      const { count } = await prisma.consentHistory.deleteMany({ where: { id: { in: ids.map((r) => r.id) } } });
      return count;
    },
  };
}

export type ConsentHistoryRepository = ReturnType<typeof createConsentHistoryRepository>;
