// edrone's subscription-status reason codes (edrone.md §1.8), per channel.
// The sync request may carry the numeric id or the name.
import type { Channel } from '../../core/types.js';

export const EMAIL_REASONS: Readonly<Record<number, string>> = {
  1: 'CUSTOMER_UNSUBSCRIBED',
  2: 'HARD_BOUNCED_UNSUBSCRIBED',
  3: 'CUSTOMER_SPAM_COMPLAINT_UNSUBSCRIBED',
  4: 'AGENT_UNSUBSCRIBED',
  5: 'EMAIL_INCORRECT_UNSUBSCRIBED',
  6: 'TRACE_UNSUBSCRIBED',
  7: 'DATA_IMPORT_UNSUBSCRIBED',
  8: 'EXTERNAL_API_UNSUBSCRIBED',
  9: 'SPAM_BOUNCED_UNSUBSCRIBED',
  10: 'TRACE_SUBSCRIBED',
  11: 'AGENT_SUBSCRIBED',
  12: 'DATA_IMPORT_SUBSCRIBED',
  13: 'TRACE_UNKNOWN',
  14: 'ENGAGEMENT_TEST_MESSAGE_UNKNOWN',
  15: 'SUBSCRIPTION_CHANGED_EVENT_SUBSCRIBED',
};

export const SMS_REASONS: Readonly<Record<number, string>> = {
  1: 'DATA_IMPORT_SUBSCRIBED',
  2: 'DATA_IMPORT_UNSUBSCRIBED',
  3: 'DATA_IMPORT_UNKNOWN',
  4: 'AGENT_UNSUBSCRIBED',
  5: 'AGENT_SUBSCRIBED',
  6: 'CUSTOMER_UNSUBSCRIBED',
  7: 'LEGACY_SUBSCRIBED',
  8: 'CUSTOMER_DELETED_UNSUBSCRIBED',
  9: 'CUSTOMER_SELF_RESURRECT',
  10: 'TRACE_UPDATE',
  11: 'CHAT_UNKNOWN',
  12: 'INBOX_UNKNOWN',
};

/** Reason name for a code: numeric ids via the channel's table (unknown id: null), names kept as given. */
export function edroneReasonName(channel: Channel, code: string): string | null {
  const trimmed = code.trim();
  if (trimmed === '') return null;
  if (!/^\d+$/.test(trimmed)) return trimmed;
  return (channel === 'email' ? EMAIL_REASONS : SMS_REASONS)[Number(trimmed)] ?? null;
}
