// Every row of the opt-in table (app/core/opt-in-level.ts, README "Opt-in level"):
// edrone's reason, by id and by name, gives the level Shopify is told.
import { describe, expect, it } from 'vitest';
import { EMAIL_REASONS, SMS_REASONS } from '../../app/adapters/edrone/reason-codes.js';
import {
  EMAIL_REASON_TABLE,
  SMS_REASON_TABLE,
  optInLevelFor,
  parseOptInLevel,
  reasonRow,
  weakerLevel,
  type OptInLevel,
} from '../../app/core/opt-in-level.js';
import type { Channel } from '../../app/core/types.js';

// The expected level of every reason, written out independently of the table.
const EXPECTED: Record<Channel, Record<string, OptInLevel>> = {
  email: {
    CUSTOMER_UNSUBSCRIBED: 'UNKNOWN',
    HARD_BOUNCED_UNSUBSCRIBED: 'UNKNOWN',
    CUSTOMER_SPAM_COMPLAINT_UNSUBSCRIBED: 'UNKNOWN',
    AGENT_UNSUBSCRIBED: 'UNKNOWN',
    EMAIL_INCORRECT_UNSUBSCRIBED: 'UNKNOWN',
    TRACE_UNSUBSCRIBED: 'UNKNOWN',
    DATA_IMPORT_UNSUBSCRIBED: 'UNKNOWN',
    EXTERNAL_API_UNSUBSCRIBED: 'UNKNOWN',
    SPAM_BOUNCED_UNSUBSCRIBED: 'UNKNOWN',
    TRACE_SUBSCRIBED: 'UNKNOWN',
    AGENT_SUBSCRIBED: 'UNKNOWN',
    DATA_IMPORT_SUBSCRIBED: 'UNKNOWN',
    TRACE_UNKNOWN: 'UNKNOWN',
    ENGAGEMENT_TEST_MESSAGE_UNKNOWN: 'UNKNOWN',
    SUBSCRIPTION_CHANGED_EVENT_SUBSCRIBED: 'CONFIRMED_OPT_IN',
  },
  sms: {
    DATA_IMPORT_SUBSCRIBED: 'UNKNOWN',
    DATA_IMPORT_UNSUBSCRIBED: 'UNKNOWN',
    DATA_IMPORT_UNKNOWN: 'UNKNOWN',
    AGENT_UNSUBSCRIBED: 'UNKNOWN',
    AGENT_SUBSCRIBED: 'UNKNOWN',
    CUSTOMER_UNSUBSCRIBED: 'UNKNOWN',
    LEGACY_SUBSCRIBED: 'UNKNOWN',
    CUSTOMER_DELETED_UNSUBSCRIBED: 'UNKNOWN',
    CUSTOMER_SELF_RESURRECT: 'SINGLE_OPT_IN',
    TRACE_UPDATE: 'UNKNOWN',
    CHAT_UNKNOWN: 'UNKNOWN',
    INBOX_UNKNOWN: 'UNKNOWN',
  },
};

const rows = [
  ...EMAIL_REASON_TABLE.map((r) => ({ channel: 'email' as const, ...r })),
  ...SMS_REASON_TABLE.map((r) => ({ channel: 'sms' as const, ...r })),
];

describe('opt-in level by edrone reason', () => {
  it.each(rows)('$channel reason $id $name is $level, by id and by name', ({ channel, id, name }) => {
    const expected = EXPECTED[channel][name];
    expect(expected).toBeDefined();
    expect(optInLevelFor(channel, String(id))).toBe(expected);
    expect(optInLevelFor(channel, name)).toBe(expected);
    expect(optInLevelFor(channel, ` ${name.toLowerCase()} `)).toBe(expected);
    expect(reasonRow(channel, String(id))?.words).toMatch(/\w{4,}/);
  });

  it('covers exactly the reasons edrone documents, per channel, with the same ids and names', () => {
    const byId = (t: readonly { id: number; name: string }[]) => Object.fromEntries(t.map((r) => [r.id, r.name]));
    expect(byId(EMAIL_REASON_TABLE)).toEqual(EMAIL_REASONS);
    expect(byId(SMS_REASON_TABLE)).toEqual(SMS_REASONS);
    expect(Object.keys(EXPECTED.email)).toHaveLength(EMAIL_REASON_TABLE.length);
    expect(Object.keys(EXPECTED.sms)).toHaveLength(SMS_REASON_TABLE.length);
  });

  it('a reason that does not say how the customer opted in is UNKNOWN: none, blank, an unknown id or name, the other channel’s id', () => {
    expect(optInLevelFor('email', null)).toBe('UNKNOWN');
    expect(optInLevelFor('email', '')).toBe('UNKNOWN');
    expect(optInLevelFor('email', '99')).toBe('UNKNOWN');
    expect(optInLevelFor('email', 'SOMETHING_NEW_SUBSCRIBED')).toBe('UNKNOWN');
    // 15 is the confirmed subscribe on email only; SMS has no reason 15, and SMS 9 is not email 9.
    expect(optInLevelFor('sms', '15')).toBe('UNKNOWN');
    expect(optInLevelFor('email', '9')).toBe('UNKNOWN');
    expect(optInLevelFor('email', 'CUSTOMER_SELF_RESURRECT')).toBe('UNKNOWN');
  });

  it('never claims more than the weaker of two records, and reads Shopify’s level in any case', () => {
    expect(weakerLevel('CONFIRMED_OPT_IN', 'SINGLE_OPT_IN')).toBe('SINGLE_OPT_IN');
    expect(weakerLevel('CONFIRMED_OPT_IN', null)).toBe('UNKNOWN');
    expect(weakerLevel('SINGLE_OPT_IN', 'CONFIRMED_OPT_IN')).toBe('SINGLE_OPT_IN');
    expect(parseOptInLevel('confirmed_opt_in')).toBe('CONFIRMED_OPT_IN');
    expect(parseOptInLevel('SINGLE_OPT_IN')).toBe('SINGLE_OPT_IN');
    expect(parseOptInLevel('double')).toBeNull();
    expect(parseOptInLevel(null)).toBeNull();
  });
});
