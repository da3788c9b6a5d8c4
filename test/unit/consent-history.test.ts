// The history entry of an outcome, and the CSV field rules of the export.
import { describe, expect, it } from 'vitest';
import { csvField, historyEntryOf } from '../../app/core/consent-history.js';
import { scopesBlockReason } from '../../app/core/required-scopes.js';

describe('historyEntryOf', () => {
  it('an edrone change written to Shopify: who, reason in words, level, what was written', () => {
    const at = new Date('2026-11-10T12:00:00Z');
    expect(
      historyEntryOf({
        shopId: 's', origin: 'edrone', target: 'shopify', channel: 'email', identity: 'a@example.com', customerId: '1',
        newState: 'unsubscribed', result: 'sent', reason: 'Set to UNSUBSCRIBED in Shopify.', reasonCode: '1', eventAt: at,
        observedState: 'unsubscribed', optInLevel: 'UNKNOWN',
      }),
    ).toMatchObject({
      source: 'edrone', actor: 'the customer (in edrone)', reasonName: 'CUSTOMER_UNSUBSCRIBED', reasonWords: 'The customer clicked the unsubscribe link',
      action: 'sent', target: 'shopify', writtenState: 'unsubscribed', observedState: 'unsubscribed', optInLevel: 'UNKNOWN', eventAt: at,
    });
  });

  it('a skipped Shopify change keeps the observed state and why; nothing about no customer channel is history', () => {
    expect(
      historyEntryOf({ shopId: 's', origin: 'reconcile', target: 'edrone', channel: 'sms', identity: '+48500100200', newState: 'pending', result: 'skipped', reason: 'why' }),
    ).toMatchObject({ source: 'shopify', actor: 'Shopify, read by reconciliation', observedState: 'pending', writtenState: null, detail: 'why', reasonName: null });
    expect(historyEntryOf({ shopId: 's', origin: 'shopify', target: 'none', channel: 'none', result: 'recorded' })).toBeNull();
    expect(historyEntryOf({ shopId: 's', origin: 'shopify', target: 'edrone', channel: 'email', identity: null, result: 'skipped' })).toBeNull();
  });
});

describe('csvField', () => {
  it.each([
    [null, ''],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['@cmd', "'@cmd"],
    ['-x', "'-x"],
    ['+48500100200', '+48500100200'],
  ])('%j -> %j', (input, output) => {
    expect(csvField(input)).toBe(output);
  });
});

describe('scopesBlockReason', () => {
  it.each([
    [['read_customers', 'write_customers'], null],
    [['write_customers'], null],
    [['read_customers'], /write_customers/],
    [['read_products'], /read_customers and write_customers/],
    [[], /narrowed/],
  ])('%j', (granted, expected) => {
    const reason = scopesBlockReason(granted);
    if (expected === null) expect(reason).toBeNull();
    else expect(reason).toMatch(expected);
  });
});
