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
  /** Written by a job that had failed before. */
  retried?: boolean;
}

/** Which rows: live changes (with one summary row per bulk run), a bulk run's kind, retries, or all. */
export type ActivityView = 'live' | 'initial_sync' | 'reconciliation' | 'retry' | 'all';

export interface ActivityFilter {
  shopId: string;
  target?: 'edrone' | 'shopify';
  channel?: 'email' | 'sms';
  result?: ActivityResult;
  /** Part of the (normalised, lower-case) email or phone. */
  identityContains?: string;
  view?: ActivityView;
  /** The per-customer rows of one bulk run (its job id). */
  runJobId?: string;
  /** Leaves out skipped rows whose reason starts with this text (the app's own echoes, app/core/activity-words.ts). */
  hideSkippedWithReason?: string;
}

/** Not (skipped and reason starting with `prefix`); a null reason is kept (SQL NOT on NULL would drop it). */
function hideSkippedWhere(prefix: string) {
  return { OR: [{ result: { not: 'skipped' } }, { reason: null }, { NOT: { reason: { startsWith: prefix } } }] };
}

const LIVE_ORIGINS = ['shopify', 'edrone', 'app'];

function viewWhere(view: ActivityView | undefined) {
  switch (view) {
    case 'live':
      // Live changes, and each bulk run's one summary row (channel none); not its per-customer rows.
      return { OR: [{ origin: { in: LIVE_ORIGINS } }, { origin: { in: ['backfill', 'reconcile'] }, channel: 'none' }] };
    case 'initial_sync':
      return { origin: 'backfill' };
    case 'reconciliation':
      return { origin: 'reconcile' };
    case 'retry':
      return { retried: true };
    default:
      return {};
  }
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
        // Two OR conditions (the view's, the echoes') cannot share one key: AND keeps both.
        AND: [viewWhere(filter.view), filter.hideSkippedWithReason ? hideSkippedWhere(filter.hideSkippedWithReason) : {}],
        ...(filter.target ? { target: filter.target } : {}),
        ...(filter.channel ? { channel: filter.channel } : {}),
        ...(filter.result ? { result: filter.result } : {}),
        ...(filter.identityContains ? { identity: { contains: filter.identityContains } } : {}),
        ...(filter.runJobId ? { jobId: filter.runJobId, channel: { not: 'none' } } : {}),
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
    /**
     * How the shop's newest processed changes ended, newest first (the Status rule's input):
     * 'recorded' rows (notes, run summaries) are not attempts and are left out.
     */
    async recentOutcomes(shopId: string, take: number): Promise<ActivityResult[]> {
      const rows = await prisma.activity.findMany({
        where: { shopId, result: { in: ['sent', 'skipped', 'failed', 'no_customer'] } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        select: { result: true },
        take,
      });
      return rows.map((r) => r.result as ActivityResult);
    },
    /** The changes sent since `since`: when, to which side, and whether live or from a bulk run. */
    sentSince(shopId: string, since: Date): Promise<{ createdAt: Date; target: string; origin: string }[]> {
      return prisma.activity.findMany({
        where: { shopId, result: 'sent', createdAt: { gte: since } },
        select: { createdAt: true, target: true, origin: true },
      });
    },
  };
}

export type ActivityRepository = ReturnType<typeof createActivityRepository>;
