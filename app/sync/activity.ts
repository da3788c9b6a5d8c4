// The merchant-visible record of each processed change, in words.
import { edroneReasonName } from '../adapters/index.js';
import { SKIP_REASONS, type SkipReason } from '../core/decide.js';
import type { ActivityInput, DataLayer } from '../db/index.js';

export type { ActivityInput };

export async function recordActivity(data: Pick<DataLayer, 'activity'>, a: ActivityInput): Promise<void> {
  await data.activity.insert({ ...a, reason: withEdroneReason(a) });
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

export type ActivityKind = 'live' | 'retry' | 'initial_sync' | 'reconciliation' | 'run_summary';

/** What a stored row is, for the Activity filter and its labels. */
export function activityKind(a: { origin: string; channel: string; retried: boolean }): ActivityKind {
  const bulk = a.origin === 'backfill' || a.origin === 'reconcile';
  if (bulk && a.channel === 'none') return 'run_summary';
  if (a.origin === 'backfill') return 'initial_sync';
  if (a.origin === 'reconcile') return 'reconciliation';
  return a.retried ? 'retry' : 'live';
}
