// The merchant-visible record of each processed change.
import type { PrismaClient } from '../db/database.js';
import { SKIP_REASONS, type SkipReason } from '../core/decide.js';

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

export async function recordActivity(prisma: PrismaClient, a: ActivityInput): Promise<void> {
  await prisma.activity.create({ data: { ...a } });
}

export function skipText(reason: SkipReason): string {
  return SKIP_REASONS[reason];
}
