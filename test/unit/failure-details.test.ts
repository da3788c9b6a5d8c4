// A Failures row names the customer, the channel, the change and the side it could not reach
// (app/sync/failure-details.ts), and says why and what to do (app/core/failure-advice.ts).
import { describe, expect, it } from 'vitest';
import { failureAdvice } from '../../app/core/failure-advice.js';
import { failureSubject } from '../../app/sync/failure-details.js';

const webhook = (state: string, channel: 'email' | 'sms', identity: string | null) => ({
  kind: 'shopify-webhook',
  payload: JSON.stringify({
    eventId: 'e1',
    topic: 'customers_email_marketing_consent/update',
    consent: { origin: 'webhook', channel, customerId: '7', identity, state, at: null },
  }),
});

describe('failureSubject', () => {
  it('a Shopify unsubscribe names the customer, the channel, the change and edrone', () => {
    expect(failureSubject(webhook('unsubscribed', 'email', 'ann@example.com'))).toEqual({
      customer: 'ann@example.com',
      channel: 'email',
      change: 'unsubscribe',
      target: 'edrone',
      otherChanges: 0,
      summary: 'Unsubscribe (email) of ann@example.com could not reach edrone',
    });
  });

  it('a Shopify SMS subscribe names the phone', () => {
    const s = failureSubject(webhook('subscribed', 'sms', '+48500100200'));
    expect(s).toMatchObject({ customer: '+48500100200', channel: 'sms', change: 'subscribe', target: 'edrone' });
    expect(s.summary).toBe('Subscribe (SMS) of +48500100200 could not reach edrone');
  });

  it('an edrone request with several changes names the first and counts the others', () => {
    const at = '2026-11-27T10:00:00.000Z';
    const payload = JSON.stringify({
      eventId: 'e2',
      events: [
        { channel: 'email', identity: 'bob@example.com', status: 'subscribed', at, reason: null, reasonCode: null },
        { channel: 'sms', identity: '+48500100201', status: 'unsubscribed', at, reason: null, reasonCode: null },
      ],
    });
    expect(failureSubject({ kind: 'edrone-event', payload })).toMatchObject({
      customer: 'bob@example.com',
      change: 'subscribe',
      target: 'shopify',
      otherChanges: 1,
      summary: 'Subscribe (email) of bob@example.com and 1 more could not reach Shopify',
    });
  });

  it('a payload that no longer reads still gets a row, without inventing a customer', () => {
    expect(failureSubject({ kind: 'shopify-webhook', payload: '{not json' })).toMatchObject({
      customer: null,
      change: null,
      target: 'edrone',
      summary: 'Shopify change to send to edrone',
    });
  });

  it('a bulk run is named as such', () => {
    expect(failureSubject({ kind: 'backfill', payload: '{"runId":"r"}' }).summary).toBe('Initial sync of existing customers');
  });
});

describe('failureAdvice', () => {
  it('edrone refusing for good (HTTP 400): one try, in plain words, with what to check', () => {
    const a = failureAdvice('edrone rejected the update (HTTP 400): invalid email.', 1);
    expect(a.category).toBe('edrone_rejected');
    expect(a.reason).toBe('edrone refused this change on the first try, so it was not tried again. edrone rejected the update (HTTP 400): invalid email.');
    expect(a.action).toMatch(/email or phone is valid.*Retry/);
  });

  it('edrone unreachable: the real number of tries', () => {
    const a = failureAdvice('edrone is unavailable (HTTP 503).', 8);
    expect(a).toMatchObject({ category: 'edrone_unavailable' });
    expect(a.reason).toMatch(/^edrone could not be reached: all 8 tries failed\./);
  });

  it.each([
    ['Enter your edrone App ID and App Secret in Setup, then retry this change.', 'not_configured', /Setup/],
    ['Shopify rejected the request: Customer not found', 'shopify_rejected', /Shopify admin/],
    ['Shopify denied the app access to customer data. Check the app’s permissions in your Shopify admin.', 'shopify_access', /reconnect/],
    ['The stored job is not valid JSON.', 'unreadable', /Retrying will not help/],
    ['Something odd', 'other', /contact support/],
  ])('%s → %s', (message, category, action) => {
    const a = failureAdvice(message, 1);
    expect(a.category).toBe(category);
    expect(a.action).toMatch(action);
  });

  it('no message kept: still a sentence', () => {
    expect(failureAdvice(null, 2).reason).toBe('It failed on try 2, without an error message.');
  });
});
