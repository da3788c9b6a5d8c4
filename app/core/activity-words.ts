// What an Activity row says to the merchant: a headline ("Email unsubscribe from Shopify",
// "Unsubscribed in edrone by an agent") and the reason without wire words (subscriber_status=0,
// "(edrone reason: AGENT_UNSUBSCRIBED)"). The technical text stays in the row as stored, for the
// detail view and support. edrone's reasons are worded from the one reason table (opt-in-level.ts).
// Pure: no I/O.
import { SKIP_REASONS } from './decide.js';
import { reasonRow } from './opt-in-level.js';
import type { Channel } from './types.js';

/** Who or what made an edrone change, short ("by an agent"); null when edrone gave no known reason. */
export function edroneReasonBy(channel: Channel, code: string | null | undefined): string | null {
  return reasonRow(channel, code)?.by ?? null;
}

export interface WordedRow {
  origin: string;
  target: string;
  channel: string;
  newState: string | null;
  result: string;
  reason: string | null;
  reasonCode: string | null;
}

const CHANNEL_WORDS: Record<string, string> = { email: 'Email', sms: 'SMS' };
/** The channel inside a sentence. */
const CHANNEL_INLINE: Record<string, string> = { email: 'email', sms: 'SMS' };

/** "subscribe" / "unsubscribe" as Shopify's webhook reports a state. */
function changeNoun(state: string | null): string {
  switch (state) {
    case 'subscribed':
      return 'subscribe';
    case 'unsubscribed':
    case 'not_subscribed':
      return 'unsubscribe';
    case 'pending':
      return 'pending subscribe (not confirmed yet)';
    default:
      return 'consent change';
  }
}

/** "Subscribed", "Unsubscribed", "Pending": a state as a past participle. */
function stateWord(state: string | null): string {
  if (!state) return 'Changed';
  if (state === 'not_subscribed') return 'Unsubscribed';
  const spaced = state.replace(/[_-]+/g, ' ').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** The row's headline in merchant words. */
export function activityHeadline(row: WordedRow): string {
  const channel = CHANNEL_WORDS[row.channel];
  if (!channel) {
    // A job that failed for good: its reason (the error) goes beside the headline.
    if (row.result === 'failed' && row.origin === 'shopify') return 'A change from Shopify could not be sent to edrone';
    if (row.result === 'failed' && row.origin === 'edrone') return 'A change from edrone could not be applied in Shopify';
    // Rows about the shop, not a customer (run summaries, uninstall, compliance): their reason says it.
    return merchantReason(row.reason) ?? 'Noted by the app';
  }
  switch (row.origin) {
    case 'shopify':
      return `${channel} ${changeNoun(row.newState)} from Shopify`;
    case 'edrone': {
      const by = edroneReasonBy(row.channel as Channel, row.reasonCode);
      return `${stateWord(row.newState)} in edrone${by ? ` ${by}` : ''}`;
    }
    case 'backfill':
      return `Initial sync: ${CHANNEL_INLINE[row.channel]} ${lower(stateWord(row.newState))}`;
    case 'reconcile':
      return `Reconciliation: ${CHANNEL_INLINE[row.channel]} ${lower(stateWord(row.newState))}`;
    default:
      return `${channel} ${lower(stateWord(row.newState))} by this app`;
  }
}

/** The stored reason without the wire words (edrone's reason code, subscriber_status, Shopify's enum values): null when nothing is left. */
export function merchantReason(reason: string | null | undefined): string | null {
  if (!reason) return null;
  const plain = reason
    .replace(/\s*\(edrone reason: [^)]*\)/g, '')
    .replace(/ as (sms_)?subscriber_status=-?\d+/g, '')
    .replace(/\s*\((sms_)?subscriber_status=-?\d+\)/g, '')
    // Shopify's enum values ("Set to UNSUBSCRIBED in Shopify") as words.
    .replace(/\b(NOT_SUBSCRIBED|UNSUBSCRIBED|SUBSCRIBED|PENDING|INVALID|REDACTED)\b/g, (v) => v.toLowerCase().replace('_', ' '))
    .trim();
  return plain === '' ? null : plain;
}

/**
 * The app's own write coming back: the webhook or edrone request reporting what the app just
 * wrote. Skipped with the echo reason; hidden from Activity unless asked for.
 */
export const ECHO_REASON_PREFIX = SKIP_REASONS.echo;

export function isEcho(row: Pick<WordedRow, 'result' | 'reason'>): boolean {
  return row.result === 'skipped' && (row.reason?.startsWith(ECHO_REASON_PREFIX) ?? false);
}
