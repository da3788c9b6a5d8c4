import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  edroneReasonName,
  parseEdroneDate,
  parseEdroneRequest,
  signNative5,
  matchEdroneSignature,
  verifyEdroneSignature,
  type ParseResult,
  type ParsedEdroneRequest,
} from '../../app/adapters/edrone/index.js';

const SECRET = 'MY_APP_SECRET';
const APP_ID = '5f1a2b3c4d5e6';
// edrone.md §1.7, computed from the documented formula.
const VECTOR_SIGNATURE = 'NmQ5YTAzZTNhYTU3ZmYyM2EzOGE0OTQyYWQ3MTJhNzEyYmRlMWUwN2MzYTlkMzk1MGMwNzZhMDdjYTMxOTg1Ng==';

const vectorFields = {
  subscription_status_type_id: '1',
  email: 'john@example.com',
  phone: '',
  subscriber_status: '0',
  subscription_status_reason: '1',
  event_date: '2024-01-15 10:30:00',
  event_id: '3f2c9a',
  app_id: APP_ID,
  signature: VECTOR_SIGNATURE,
};

/** Independent implementation of edrone's formula, for the formats without a signer. */
function expectedSignature(...parts: string[]): string {
  return Buffer.from(createHash('sha256').update(parts.join('')).digest('hex')).toString('base64');
}

const form = (fields: Record<string, string>): ParseResult =>
  parseEdroneRequest({
    contentType: 'application/x-www-form-urlencoded',
    rawBody: new URLSearchParams(fields).toString(),
    query: {},
  });

const json = (body: unknown, contentType = 'application/json'): ParseResult =>
  parseEdroneRequest({ contentType, rawBody: JSON.stringify(body), query: {} });

function ok(result: ParseResult): ParsedEdroneRequest {
  if (!result.ok) throw new Error(`expected ok, got 400: ${result.message}`);
  return result;
}

function rejected(result: ParseResult): string {
  if (result.ok) throw new Error(`expected 400, got format ${result.format}`);
  expect(result.status).toBe(400);
  return result.message;
}

function native5(overrides: Record<string, string> = {}): Record<string, string> {
  const fields: Record<string, string> = { ...vectorFields, ...overrides };
  const { signature: _ignored, ...unsigned } = fields;
  return {
    ...unsigned,
    signature: signNative5(
      {
        subscription_status_type_id: unsigned.subscription_status_type_id ?? '',
        email: unsigned.email,
        phone: unsigned.phone,
        subscriber_status: unsigned.subscriber_status ?? '',
        subscription_status_reason: unsigned.subscription_status_reason,
        event_date: unsigned.event_date ?? '',
        event_id: unsigned.event_id,
        app_id: unsigned.app_id ?? '',
      },
      SECRET,
    ),
  };
}

describe('NATIVE_5', () => {
  it('parses the documented test vector as form and verifies its signature', () => {
    const parsed = ok(form(vectorFields));
    expect(parsed.format).toBe('NATIVE_5');
    expect(parsed.events).toEqual([
      {
        channel: 'email',
        identity: 'john@example.com',
        status: 'unsubscribed',
        at: new Date('2024-01-15T10:30:00Z'),
        reason: 'CUSTOMER_UNSUBSCRIBED',
        reasonCode: '1',
      },
    ]);
    expect(parsed.eventId).toBe('3f2c9a');
    expect(parsed.dedupeKey).toBe('3f2c9a');
    expect(parsed.appId).toBe(APP_ID);
    expect(parsed.signature).toBe(VECTOR_SIGNATURE);
    expect(verifyEdroneSignature(parsed, SECRET, APP_ID)).toBe(true);
  });

  it('signNative5 reproduces the test vector', () => {
    expect(signNative5(vectorFields, SECRET)).toBe(VECTOR_SIGNATURE);
  });

  it('parses and verifies the same request as JSON with string values (§1.12)', () => {
    const parsed = ok(json(vectorFields));
    expect(parsed.format).toBe('NATIVE_5');
    expect(parsed.events[0]?.identity).toBe('john@example.com');
    expect(verifyEdroneSignature(parsed, SECRET, APP_ID)).toBe(true);
  });

  it('verifies JSON with numbers and null rendered as decimal text and empty string', () => {
    const body = { ...vectorFields, subscription_status_type_id: 1, subscriber_status: 0, subscription_status_reason: 1, phone: null };
    const parsed = ok(json(body));
    expect(parsed.fields.subscriber_status).toBe('0');
    expect(parsed.fields.phone).toBe('');
    expect(verifyEdroneSignature(parsed, SECRET, APP_ID)).toBe(true);
  });

  it('verifies a form body sent without a Content-Type, and from the query string', () => {
    const raw = new URLSearchParams(vectorFields).toString();
    const untyped = ok(parseEdroneRequest({ contentType: undefined, rawBody: raw, query: {} }));
    expect(verifyEdroneSignature(untyped, SECRET, APP_ID)).toBe(true);
    const fromQuery = ok(parseEdroneRequest({ contentType: undefined, rawBody: '', query: vectorFields }));
    expect(fromQuery.format).toBe('NATIVE_5');
    expect(verifyEdroneSignature(fromQuery, SECRET, APP_ID)).toBe(true);
  });

  it('rejects a wrong signature, a wrong secret, another App ID, an altered field and an empty secret', () => {
    const parsed = ok(form(vectorFields));
    expect(verifyEdroneSignature(parsed, 'OTHER_SECRET', APP_ID)).toBe(false);
    expect(verifyEdroneSignature(parsed, SECRET, 'another-app')).toBe(false);
    expect(verifyEdroneSignature(ok(form({ ...vectorFields, subscriber_status: '1' })), SECRET, APP_ID)).toBe(false);
    expect(verifyEdroneSignature(ok(form({ ...vectorFields, signature: 'bm9wZQ==' })), SECRET, APP_ID)).toBe(false);
    expect(verifyEdroneSignature(parsed, '', APP_ID)).toBe(false);
    const { signature: _s, ...unsigned } = vectorFields;
    expect(verifyEdroneSignature(ok(form(unsigned)), SECRET, APP_ID)).toBe(false);
  });

  it('reads back a base64-of-digest signature whose + arrived as a space (unencoded in a form body)', () => {
    for (let i = 0; ; i++) {
      const f = { ...vectorFields, event_id: `ev${i}` };
      const digest = createHash('sha256').update(`john@example.com012024-01-15 10:30:00ev${i}MY_APP_SECRET5f1a2b3c4d5e6`).digest('base64');
      if (!digest.includes('+')) continue;
      const { signature: _s, ...unsigned } = f;
      const rawBody = `${new URLSearchParams(unsigned).toString()}&signature=${digest.replace(/=/g, '%3D')}`;
      const parsed = ok(parseEdroneRequest({ contentType: 'application/x-www-form-urlencoded', rawBody, query: {} }));
      expect(parsed.signature).toContain(' ');
      expect(matchEdroneSignature(parsed, SECRET, APP_ID)).toBe('base64_of_digest');
      return;
    }
  });

  it('accepts the same keyed hash as bare hex or base64 of the digest, never a formula without the secret (issue 9, point 10)', () => {
    const digest = createHash('sha256').update('john@example.com012024-01-15 10:30:003f2c9aMY_APP_SECRET5f1a2b3c4d5e6').digest();
    expect(matchEdroneSignature(ok(form(vectorFields)), SECRET, APP_ID)).toBe('base64_of_hex');
    expect(matchEdroneSignature(ok(form({ ...vectorFields, signature: digest.toString('hex') })), SECRET, APP_ID)).toBe('hex');
    expect(matchEdroneSignature(ok(form({ ...vectorFields, signature: digest.toString('base64') })), SECRET, APP_ID)).toBe('base64_of_digest');
    expect(verifyEdroneSignature(ok(form({ ...vectorFields, signature: digest.toString('hex').toUpperCase() })), SECRET, APP_ID)).toBe(false);
    // PrestaShop's check (no secret): anyone who knows the public App ID could compute it.
    const noSecret = createHash('sha256').update('john@example.com112024-01-15 10:30:003f2c9a5f1a2b3c4d5e6').digest('hex');
    expect(verifyEdroneSignature(ok(form({ ...vectorFields, signature: noSecret })), SECRET, APP_ID)).toBe(false);
  });

  it('type 2 is an SMS event keyed by the E.164 phone, signed over the phone', () => {
    const fields = native5({
      subscription_status_type_id: '2',
      phone: '+48500100200',
      subscriber_status: '1',
      subscription_status_reason: '10',
    });
    const parsed = ok(form(fields));
    expect(parsed.events).toEqual([
      expect.objectContaining({ channel: 'sms', identity: '+48500100200', status: 'subscribed', reason: 'TRACE_UPDATE', reasonCode: '10' }),
    ]);
    expect(verifyEdroneSignature(parsed, SECRET, APP_ID)).toBe(true);
    // Signed over the email instead: wrong for type 2.
    const overEmail = expectedSignature('john@example.com', '1', '10', fields.event_date ?? '', fields.event_id ?? '', SECRET, APP_ID);
    expect(verifyEdroneSignature(ok(form({ ...fields, signature: overEmail })), SECRET, APP_ID)).toBe(false);
  });

  it('normalises phones written with 00 and rejects numbers without a country code', () => {
    const parsed = ok(form(native5({ subscription_status_type_id: '2', phone: '0048500100200' })));
    expect(parsed.events[0]?.identity).toBe('+48500100200');
    expect(rejected(form(native5({ subscription_status_type_id: '2', phone: '500100200' })))).toMatch(/phone.*country code/);
    expect(rejected(form(native5({ subscription_status_type_id: '2', phone: '' })))).toMatch(/Missing required field: phone/);
  });

  it('ignores unrelated fields, even ones named like Object.prototype members', () => {
    const parsed = ok(form({ ...vectorFields, constructor: 'x', toString: 'y' }));
    expect(verifyEdroneSignature(parsed, SECRET, APP_ID)).toBe(true);
  });

  it('normalises the email', () => {
    expect(ok(form(native5({ email: 'John@Example.COM' }))).events[0]?.identity).toBe('john@example.com');
  });

  it('an empty subscriber_status gives an event with status null', () => {
    const parsed = ok(form(native5({ subscriber_status: '' })));
    expect(parsed.events).toHaveLength(1);
    expect(parsed.events[0]?.status).toBeNull();
    expect(verifyEdroneSignature(parsed, SECRET, APP_ID)).toBe(true);
    expect(ok(json({ ...vectorFields, subscriber_status: null })).events[0]?.status).toBeNull();
  });

  it('a reason sent as a name is kept; an unknown id keeps its code only', () => {
    const named = ok(form(native5({ subscription_status_reason: 'TRACE_UNSUBSCRIBED' }))).events[0];
    expect(named).toMatchObject({ reason: 'TRACE_UNSUBSCRIBED', reasonCode: 'TRACE_UNSUBSCRIBED' });
    // Unknown ids are refused since issue 9 (an open format lets the status digit slide into the reason).
    expect(rejected(form(native5({ subscription_status_reason: '99' })))).toMatch(/subscription_status_reason/);
    expect(ok(form(native5({ subscription_status_reason: '' }))).events[0]).toMatchObject({ reason: null, reasonCode: null });
  });
});

describe('malformed requests: 400 naming the field', () => {
  const cases: Array<[string, ParseResult, RegExp]> = [
    ['missing type id value', form(native5({ subscription_status_type_id: '3' })), /subscription_status_type_id: must be 1 \(email\) or 2 \(SMS\)/],
    ['missing email for type 1', form(native5({ email: '' })), /Missing required field: email/],
    ['not an email', form(native5({ email: 'john' })), /Invalid field email: is not a valid email address/],
    ['bad status', form(native5({ subscriber_status: 'yes' })), /subscriber_status: must be 0, 1 or empty/],
    ['bad date', form(native5({ event_date: '15/01/2024' })), /event_date: must be a date/],
    ['impossible date', form(native5({ event_date: '2024-02-30 10:00:00' })), /event_date/],
    ['object status in JSON', json({ ...vectorFields, subscriber_status: { v: 1 } }), /Invalid field subscriber_status: must be a string or a number/],
    ['array email in JSON', json({ ...vectorFields, email: ['a@b.co'] }), /Invalid field email/],
    ['missing subscriber_status', json({ ...vectorFields, subscriber_status: undefined }), /Missing required field: subscriber_status/],
    ['missing event_date', json({ ...vectorFields, event_date: undefined }), /Missing required field: event_date/],
    ['NATIVE_4 without event_date', form({ email: 'a@b.co', subscriber_status: '1', subscription_status_reason: '1', event_id: 'x' }), /Missing required field: event_date/],
    ['legacy without event_date', form({ email: 'a@b.co', subscriber_status: '1' }), /Missing required field: event_date/],
    ['invalid JSON', parseEdroneRequest({ contentType: 'application/json', rawBody: '{"email":', query: {} }), /not valid JSON/],
    ['JSON array', json([1, 2]), /must be an object/],
    ['empty request', parseEdroneRequest({ contentType: 'application/x-www-form-urlencoded', rawBody: '', query: {} }), /Empty request/],
    ['unrelated fields', form({ hello: 'world' }), /Not an edrone subscription-sync request/],
    ['unsupported type', parseEdroneRequest({ contentType: 'multipart/form-data; boundary=x', rawBody: 'x', query: {} }), /Unsupported Content-Type "multipart\/form-data"/],
    ['repeated field', parseEdroneRequest({ contentType: 'application/x-www-form-urlencoded', rawBody: `${new URLSearchParams(vectorFields)}&email=evil%40x.co`, query: {} }), /"email" appears more than once/],
    ['wrong event name', json({ event: 'order_created', data: {} }), /"event" must be "subscription_status_changed"/],
    ['data not an object', json({ event: 'subscription_status_changed', data: 'x', timestamp: '2024-01-15T10:30:00Z' }), /"data" must be an object/],
    ['event without statuses', json({ event: 'subscription_status_changed', timestamp: '2024-01-15T10:30:00Z', data: { email: 'a@b.co' } }), /data\.subscriber_status or data\.sms_subscriber_status/],
    ['event without timestamp', json({ event: 'subscription_status_changed', data: { email: 'a@b.co', subscriber_status: 0 } }), /Missing required field: timestamp/],
    ['event bad email', json({ event: 'subscription_status_changed', timestamp: '2024-01-15T10:30:00Z', data: { email: 'nope', subscriber_status: 0 } }), /data\.email/],
    ['flat without email', json({ subscriber_status: 0, reason: 'bounced', timestamp: '2024-01-15T10:30:00Z' }), /Missing required field: email/],
  ];
  it.each(cases)('%s', (_name, result, message) => {
    expect(rejected(result)).toMatch(message);
  });

  it('lists every problem at once', () => {
    const message = rejected(json({ subscription_status_type_id: '1', email: 'a@b.co', subscriber_status: 7 }));
    expect(message).toMatch(/subscriber_status/);
    expect(message).toMatch(/Missing required field: event_date/);
  });
});

describe('NATIVE_4 and LEGACY_NO_REASON', () => {
  const n4 = {
    email: 'john@example.com',
    subscriber_status: '1',
    subscription_status_reason: '11',
    event_date: '2024-01-15 10:30:00',
    event_id: 'e-4',
    app_id: APP_ID,
  };

  it.each(['form', 'json'] as const)('NATIVE_4 as %s: email only, signed without type id', (encoding) => {
    const signature = expectedSignature(n4.email, '1', '11', n4.event_date, n4.event_id, SECRET, APP_ID);
    const body = { ...n4, signature };
    const parsed = ok(encoding === 'form' ? form(body) : json(body));
    expect(parsed.format).toBe('NATIVE_4');
    expect(parsed.events).toEqual([
      { channel: 'email', identity: 'john@example.com', status: 'subscribed', at: new Date('2024-01-15T10:30:00Z'), reason: 'AGENT_SUBSCRIBED', reasonCode: '11' },
    ]);
    expect(verifyEdroneSignature(parsed, SECRET, APP_ID)).toBe(true);
    expect(verifyEdroneSignature(ok(form({ ...body, event_id: 'e-5' })), SECRET, APP_ID)).toBe(false);
  });

  it.each(['form', 'json'] as const)('LEGACY_NO_REASON as %s: Magento 1 formula without the reason', (encoding) => {
    const { subscription_status_reason: _r, ...legacy } = n4;
    const signature = expectedSignature(legacy.email, '1', legacy.event_date, legacy.event_id, SECRET, APP_ID);
    const body = { ...legacy, signature };
    const parsed = ok(encoding === 'form' ? form(body) : json(body));
    expect(parsed.format).toBe('LEGACY_NO_REASON');
    expect(parsed.events[0]).toMatchObject({ channel: 'email', status: 'subscribed', reason: null, reasonCode: null });
    expect(verifyEdroneSignature(parsed, SECRET, APP_ID)).toBe(true);
    // The NATIVE_4 formula (with an empty reason is the same string) must not pass with a reason-ful signature.
    const withReason = expectedSignature(legacy.email, '1', '11', legacy.event_date, legacy.event_id, SECRET, APP_ID);
    expect(verifyEdroneSignature(ok(form({ ...legacy, signature: withReason })), SECRET, APP_ID)).toBe(false);
  });
});

describe('JSON_EVENT and JSON_FLAT (newer docs, unsigned)', () => {
  const docExample = {
    event: 'subscription_status_changed',
    timestamp: '2024-01-15T10:30:00Z',
    data: { email: 'customer@example.com', subscriber_status: 0, sms_subscriber_status: 1, phone: '+48500100200', reason: 'unsubscribed_by_user' },
  };

  it('yields an email event and an SMS event, reason kept as given', () => {
    const parsed = ok(json(docExample));
    expect(parsed.format).toBe('JSON_EVENT');
    const at = new Date('2024-01-15T10:30:00Z');
    expect(parsed.events).toEqual([
      { channel: 'email', identity: 'customer@example.com', status: 'unsubscribed', at, reason: 'unsubscribed_by_user', reasonCode: 'unsubscribed_by_user' },
      { channel: 'sms', identity: '+48500100200', status: 'subscribed', at, reason: 'unsubscribed_by_user', reasonCode: 'unsubscribed_by_user' },
    ]);
    expect(parsed.eventId).toBeNull();
    expect(parsed.dedupeKey).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('keeps the email event and warns when the SMS status has no phone (the docs example)', () => {
    const { phone: _p, ...data } = docExample.data;
    const parsed = ok(json({ ...docExample, data }));
    expect(parsed.events.map((e) => e.channel)).toEqual(['email']);
    expect(parsed.warnings).toEqual(['data.sms_subscriber_status ignored: no data.phone to match the customer by.']);
  });

  it('an SMS-only event needs a phone', () => {
    expect(rejected(json({ ...docExample, data: { sms_subscriber_status: 1 } }))).toMatch(/Missing required field: data\.phone/);
  });

  it('is unsigned in the docs, so it never verifies without a signature', () => {
    expect(verifyEdroneSignature(ok(json(docExample)), SECRET, APP_ID)).toBe(false);
  });

  it('verifies an explicit signature over email . subscriber_status . reason . timestamp . "" ', () => {
    const signature = expectedSignature('customer@example.com', '0', 'unsubscribed_by_user', '2024-01-15T10:30:00Z', '', SECRET, APP_ID);
    expect(verifyEdroneSignature(ok(json({ ...docExample, signature })), SECRET, APP_ID)).toBe(true);
    expect(verifyEdroneSignature(ok(json({ ...docExample, data: { ...docExample.data, signature } })), SECRET, APP_ID)).toBe(true);
    expect(verifyEdroneSignature(ok(json({ ...docExample, signature, timestamp: '2024-01-15T10:31:00Z' })), SECRET, APP_ID)).toBe(false);
  });

  it('the same body gives the same dedupe key, a different body a different one', () => {
    const a = ok(json(docExample)).dedupeKey;
    const reordered = { data: docExample.data, timestamp: docExample.timestamp, event: docExample.event };
    expect(ok(json(reordered)).dedupeKey).toBe(a);
    expect(ok(json({ ...docExample, timestamp: '2024-01-15T10:30:01Z' })).dedupeKey).not.toBe(a);
  });

  it.each(['form', 'json'] as const)('JSON_FLAT as %s', (encoding) => {
    const flat = { email: 'customer@example.com', subscriber_status: '0', reason: 'bounced', timestamp: '1705314600' };
    const parsed = ok(encoding === 'form' ? form(flat) : json(flat));
    expect(parsed.format).toBe('JSON_FLAT');
    expect(parsed.events).toEqual([
      { channel: 'email', identity: 'customer@example.com', status: 'unsubscribed', at: new Date('2024-01-15T10:30:00Z'), reason: 'bounced', reasonCode: 'bounced' },
    ]);
    const signature = expectedSignature(flat.email, '0', 'bounced', flat.timestamp, '', SECRET, APP_ID);
    expect(verifyEdroneSignature(ok(json({ ...flat, signature })), SECRET, APP_ID)).toBe(true);
  });

  it('accepts application/*+json and a JSON body without a Content-Type', () => {
    expect(ok(json(docExample, 'application/vnd.edrone+json')).format).toBe('JSON_EVENT');
    expect(ok(parseEdroneRequest({ contentType: undefined, rawBody: JSON.stringify(docExample), query: {} })).format).toBe('JSON_EVENT');
  });
});

describe('dedupe key', () => {
  it('is the event_id when present, else the body hash, equal for form and JSON', () => {
    const { event_id: _e, ...noId } = vectorFields;
    const a = ok(form(noId));
    const b = ok(json(noId));
    expect(a.eventId).toBeNull();
    expect(a.dedupeKey).toMatch(/^sha256:/);
    expect(b.dedupeKey).toBe(a.dedupeKey);
    expect(ok(form({ ...noId, subscriber_status: '1' })).dedupeKey).not.toBe(a.dedupeKey);
  });
});

describe('reason ids', () => {
  it.each([
    ['email', '1', 'CUSTOMER_UNSUBSCRIBED'],
    ['email', '6', 'TRACE_UNSUBSCRIBED'],
    ['email', '10', 'TRACE_SUBSCRIBED'],
    ['email', '15', 'SUBSCRIPTION_CHANGED_EVENT_SUBSCRIBED'],
    ['sms', '1', 'DATA_IMPORT_SUBSCRIBED'],
    ['sms', '6', 'CUSTOMER_UNSUBSCRIBED'],
    ['sms', '10', 'TRACE_UPDATE'],
    ['sms', '12', 'INBOX_UNKNOWN'],
    ['email', '16', null],
    ['sms', '13', null],
    ['email', 'unsubscribed_by_admin', 'unsubscribed_by_admin'],
    ['sms', ' ', null],
  ] as const)('%s %s -> %s', (channel, code, name) => {
    expect(edroneReasonName(channel, code)).toBe(name);
  });

  it('maps per channel inside a request', () => {
    expect(ok(form(native5({ subscription_status_reason: '6' }))).events[0]?.reason).toBe('TRACE_UNSUBSCRIBED');
    const sms = ok(form(native5({ subscription_status_type_id: '2', phone: '+48500100200', subscription_status_reason: '6' })));
    expect(sms.events[0]?.reason).toBe('CUSTOMER_UNSUBSCRIBED');
  });
});

describe('event_date formats', () => {
  const expected = new Date('2024-01-15T10:30:00Z');
  it.each([
    '2024-01-15 10:30:00',
    '2024-01-15T10:30:00',
    '2024-01-15T10:30:00Z',
    '2024-01-15T10:30:00.000Z',
    '2024-01-15T12:30:00+02:00',
    '2024-01-15T12:30:00+0200',
    '2024-01-15T05:30:00-05:00',
    '2024-01-15 10:30:00.000',
    '1705314600',
  ])('parseEdroneDate reads %s', (raw) => {
    expect(parseEdroneDate(raw)).toEqual(expected);
  });

  // Issue 9: a signed NATIVE request takes one exact format, so no character can slide between event_date and event_id.
  it.each(['2024-01-15 10:30:00', '2024-01-15 12:30:00+02:00', '2024-01-15 05:30:00-05:00'])('a NATIVE request accepts %s', (raw) => {
    expect(ok(form(native5({ event_date: raw }))).events[0]?.at).toEqual(expected);
  });

  it.each(['2024-01-15T10:30:00', '2024-01-15T10:30:00Z', '2024-01-15 10:30:00.000', '1705314600', '2024-01-15 10:30', '2024-01-15', '2024-01-15 10:30:00+99', '2024-01-15 10:30:00-12:99', '2024-01-15 10:30:00+2500'])(
    'a NATIVE request refuses %s',
    (raw) => {
      expect(rejected(form(native5({ event_date: raw })))).toMatch(/event_date/);
    },
  );

  it('keeps milliseconds', () => {
    expect(parseEdroneDate('2024-01-15T10:30:00.123Z')).toEqual(new Date('2024-01-15T10:30:00.123Z'));
  });

  it.each(['', 'yesterday', '2024-13-01 00:00:00', '2024-01-15 25:00:00', '2024-02-30', '15.01.2024', '2024', '2024-01-15T10:30:00+2'])(
    'rejects %j',
    (raw) => {
      expect(parseEdroneDate(raw)).toBeNull();
    },
  );

  it('numbers in a JSON NATIVE request are refused (not the documented format); a JSON timestamp may be unix seconds', () => {
    expect(rejected(json({ ...vectorFields, event_date: 1705314600 }))).toMatch(/event_date/);
    const flat = { email: 'customer@example.com', subscriber_status: '0', reason: 'bounced', timestamp: '1705314600' };
    expect(ok(json(flat)).events[0]?.at).toEqual(expected);
  });
});
