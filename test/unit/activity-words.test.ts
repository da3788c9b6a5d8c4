// Activity's merchant words (app/core/activity-words.ts): edrone's reasons from the one reason table,
// each row's headline, and the stored reason without wire words.
import { describe, expect, it } from 'vitest';
import { activityHeadline, edroneReasonBy, isEcho, merchantReason, type WordedRow } from '../../app/core/activity-words.js';
import { SKIP_REASONS } from '../../app/core/decide.js';
import { EMAIL_REASON_TABLE, SMS_REASON_TABLE } from '../../app/core/opt-in-level.js';

const row = (over: Partial<WordedRow>): WordedRow => ({
  origin: 'shopify',
  target: 'edrone',
  channel: 'email',
  newState: 'unsubscribed',
  result: 'sent',
  reason: null,
  reasonCode: null,
  ...over,
});

describe('edroneReasonBy', () => {
  it.each([
    ['email', '4', 'by an agent'],
    ['email', 'AGENT_UNSUBSCRIBED', 'by an agent'],
    ['email', 'agent_subscribed', 'by an agent'],
    ['email', '7', 'by an import'],
    ['email', '2', 'because the address bounced'],
    ['email', '8', "through edrone's API"],
    ['email', '15', 'by the customer, through a subscribe link'],
    ['email', '10', 'by an integration'],
    ['sms', '4', 'by an agent'],
    ['sms', '1', 'by an import'],
    ['sms', 'TRACE_UPDATE', 'by an integration'],
  ] as const)('%s reason %s is "%s"', (channel, code, words) => {
    expect(edroneReasonBy(channel, code)).toBe(words);
  });

  it('an unknown or missing reason has no words (the headline then ends at "in edrone")', () => {
    expect(edroneReasonBy('email', '99')).toBeNull();
    expect(edroneReasonBy('email', 'SOMETHING_NEW')).toBeNull();
    expect(edroneReasonBy('sms', null)).toBeNull();
    expect(edroneReasonBy('sms', ' ')).toBeNull();
  });

  it('every reason of both tables has words, none of them a code', () => {
    for (const r of [...EMAIL_REASON_TABLE, ...SMS_REASON_TABLE]) {
      expect(r.by).toMatch(/^[a-z][A-Za-z ,']+$/);
      expect(r.by).not.toContain('_');
    }
  });
});

describe('activityHeadline', () => {
  it('a Shopify webhook is "<Channel> <subscribe|unsubscribe> from Shopify", never its topic', () => {
    expect(activityHeadline(row({}))).toBe('Email unsubscribe from Shopify');
    expect(activityHeadline(row({ newState: 'not_subscribed' }))).toBe('Email unsubscribe from Shopify');
    expect(activityHeadline(row({ channel: 'sms', newState: 'subscribed' }))).toBe('SMS subscribe from Shopify');
    expect(activityHeadline(row({ newState: 'pending' }))).toBe('Email pending subscribe (not confirmed yet) from Shopify');
  });

  it('an edrone change says who made it, from its reason', () => {
    expect(activityHeadline(row({ origin: 'edrone', target: 'shopify', reasonCode: 'AGENT_UNSUBSCRIBED' }))).toBe(
      'Unsubscribed in edrone by an agent',
    );
    expect(activityHeadline(row({ origin: 'edrone', newState: 'subscribed', reasonCode: '12' }))).toBe('Subscribed in edrone by an import');
    expect(activityHeadline(row({ origin: 'edrone', reasonCode: null }))).toBe('Unsubscribed in edrone');
  });

  it('bulk runs and rows about the shop', () => {
    expect(activityHeadline(row({ origin: 'backfill', newState: 'subscribed' }))).toBe('Initial sync: email subscribed');
    expect(activityHeadline(row({ origin: 'reconcile', channel: 'sms' }))).toBe('Reconciliation: SMS unsubscribed');
    expect(activityHeadline(row({ origin: 'app', channel: 'none', reason: 'The app was uninstalled.' }))).toBe('The app was uninstalled.');
    expect(activityHeadline(row({ origin: 'app', channel: 'none', reason: null }))).toBe('Noted by the app');
    expect(activityHeadline(row({ channel: 'none', result: 'failed', reason: 'edrone answered 400.' }))).toBe(
      'A change from Shopify could not be sent to edrone',
    );
    expect(activityHeadline(row({ origin: 'edrone', target: 'shopify', channel: 'none', result: 'failed', reason: 'x' }))).toBe(
      'A change from edrone could not be applied in Shopify',
    );
  });
});

describe('merchantReason', () => {
  it('drops edrone\'s reason code and subscriber_status, keeps the words', () => {
    expect(merchantReason('Both sides already have this state. (edrone reason: AGENT_UNSUBSCRIBED)')).toBe('Both sides already have this state.');
    expect(merchantReason('Sent to edrone as subscriber_status=0.')).toBe('Sent to edrone.');
    expect(merchantReason('Sent to edrone as sms_subscriber_status=1.')).toBe('Sent to edrone.');
    expect(merchantReason("Restored edrone's newer state (subscriber_status=0), which an older change had overwritten.")).toBe(
      "Restored edrone's newer state, which an older change had overwritten.",
    );
  });

  it("writes Shopify's consent states as words", () => {
    expect(merchantReason('Set to UNSUBSCRIBED in Shopify. (edrone reason: AGENT_UNSUBSCRIBED)')).toBe('Set to unsubscribed in Shopify.');
    expect(merchantReason('Created the customer in Shopify with email consent SUBSCRIBED.')).toBe('Created the customer in Shopify with email consent subscribed.');
    expect(merchantReason('Shopify kept its newer NOT_SUBSCRIBED state.')).toBe('Shopify kept its newer not subscribed state.');
  });

  it('nothing left is null', () => {
    expect(merchantReason('(edrone reason: TRACE_SUBSCRIBED)')).toBeNull();
    expect(merchantReason(null)).toBeNull();
    expect(merchantReason('')).toBeNull();
  });
});

describe('isEcho', () => {
  it("is a skipped row with the echo reason, with or without edrone's note", () => {
    expect(isEcho({ result: 'skipped', reason: SKIP_REASONS.echo })).toBe(true);
    expect(isEcho({ result: 'skipped', reason: `${SKIP_REASONS.echo} (edrone reason: TRACE_UNSUBSCRIBED)` })).toBe(true);
    expect(isEcho({ result: 'skipped', reason: SKIP_REASONS.in_sync })).toBe(false);
    expect(isEcho({ result: 'sent', reason: SKIP_REASONS.echo })).toBe(false);
    expect(isEcho({ result: 'skipped', reason: null })).toBe(false);
  });
});
