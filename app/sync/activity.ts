// The merchant-visible record of each processed change, in words.
import { edroneReasonName } from '../adapters/index.js';
import { activityHeadline, isEcho, merchantReason, type WordedRow } from '../core/activity-words.js';
import { historyEntryOf } from '../core/consent-history.js';
import { SKIP_REASONS, type SkipReason } from '../core/decide.js';
import type { OptInLevel } from '../core/opt-in-level.js';
import type { ActivityInput as ActivityRow, DataLayer } from '../db/index.js';

/** What the consent history keeps beyond the Activity row (app/core/consent-history.ts). */
export interface HistoryFields {
  /** When the change happened on its side. */
  eventAt?: Date | null;
  /** The state the side reported, when the row's newState is what was written. */
  observedState?: string | null;
  /** The opt-in level Shopify recorded for this change. */
  optInLevel?: OptInLevel | null;
}

export type ActivityInput = ActivityRow & HistoryFields;

/**
 * Every customer-level outcome passes through here: the Activity row (operational,
 * pruned after ACTIVITY_RETENTION_DAYS) and the customer's consent-history entry
 * (kept for proof, CONSENT_HISTORY_RETENTION_DAYS).
 */
export async function recordActivity(data: Pick<DataLayer, 'activity'> & Partial<Pick<DataLayer, 'consentHistory'>>, a: ActivityInput): Promise<void> {
  const { eventAt, observedState, optInLevel, ...row } = a;
  const reason = withEdroneReason(row);
  await data.activity.insert({ ...row, reason });
  const entry = data.consentHistory ? historyEntryOf({ ...row, reason: a.reason, eventAt, observedState, optInLevel }) : null;
  if (entry) await data.consentHistory!.insert(entry);
}

/**
 * A row about an edrone change names edrone's reason (e.g. HARD_BOUNCED_UNSUBSCRIBED)
 * whatever its result, not only when it was skipped: reasonCode keeps the code as sent.
 */
function withEdroneReason(a: ActivityRow): string | null | undefined {
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

/** What the admin shows of a row: its headline and reason in merchant words; `reason` keeps the technical text. */
export function activityWords(a: WordedRow): { summary: string; explanation: string | null; echo: boolean } {
  return { summary: activityHeadline(a), explanation: merchantReason(a.reason), echo: isEcho(a) };
}
