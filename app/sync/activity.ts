// The merchant-visible record of each processed change.
import type { PrismaClient } from '../db/database.js';
import { SKIP_REASONS, type SkipReason } from '../core/decide.js';
import { edroneReasonName } from '../adapters/edrone/index.js';

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
  await prisma.activity.create({ data: { ...a, reason: withEdroneReason(a) } });
}

/**
 * A row about an edrone change names edrone's reason (e.g. HARD_BOUNCED_UNSUBSCRIBED)
 * whatever its result, not only when it was skipped: reasonCode keeps the code as sent.
 */
function withEdroneReason(a: ActivityInput): string | null | undefined {
  if (a.origin !== 'edrone' || a.channel === 'none' || !a.reasonCode) return a.reason;
  const note = `(edrone reason: ${edroneReasonName(a.channel, a.reasonCode) ?? a.reasonCode})`;
  if (a.reason?.includes(note)) return a.reason;
  return a.reason ? `${a.reason} ${note}` : note;
}

export function skipText(reason: SkipReason): string {
  return SKIP_REASONS[reason];
}
