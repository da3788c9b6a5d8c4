// edrone's subscription-status reason codes (edrone.md §1.8), per channel.
// The sync request may carry the numeric id or the name.
import { reasonTable } from '../../core/opt-in-level.js';
import type { Channel } from '../../core/types.js';

/** id -> name per channel, from the one reason table of the core (app/core/opt-in-level.ts). */
const byId = (channel: Channel): Readonly<Record<number, string>> => Object.fromEntries(reasonTable(channel).map((r) => [r.id, r.name]));

export const EMAIL_REASONS = byId('email');
export const SMS_REASONS = byId('sms');

/** Reason name for a code: numeric ids via the channel's table (unknown id: null), names kept as given. */
export function edroneReasonName(channel: Channel, code: string): string | null {
  const trimmed = code.trim();
  if (trimmed === '') return null;
  if (!/^\d+$/.test(trimmed)) return trimmed;
  return (channel === 'email' ? EMAIL_REASONS : SMS_REASONS)[Number(trimmed)] ?? null;
}
