// Parsing and verification of the subscription-sync request edrone POSTs to
// the app (reference/edrone.md §1.3-1.12). Pure: no I/O, no clock.
//
// edrone's docs disagree on the encoding (form vs JSON) and on the payload
// (NATIVE_x fields vs the newer docs' `subscription_status_changed` event), so
// every variant is accepted and the detected format is reported.
//
// Dedupe key: the request's `event_id` when present; otherwise
// `sha256:<hex>` of the canonical body, i.e. JSON.stringify of the received
// fields (as wire strings, see `fields`) sorted by name. The same event resent
// as form or as JSON therefore gets the same key.
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { parseEdroneStatus } from '../../core/consent-mapping.js';
import { normalizeEmail, normalizePhone } from '../../core/identity.js';
import type { Channel, EdroneConsentEvent, EdroneState } from '../../core/types.js';

export const EDRONE_FORMATS = ['NATIVE_5', 'NATIVE_4', 'LEGACY_NO_REASON', 'JSON_EVENT', 'JSON_FLAT'] as const;
export type EdroneFormat = (typeof EDRONE_FORMATS)[number];

export interface ParsedEdroneRequest {
  ok: true;
  format: EdroneFormat;
  /**
   * Every scalar field as received, as the text the signature is computed
   * over: form values verbatim, JSON strings verbatim, JSON numbers and
   * booleans in decimal/`true`/`false` form, JSON null as ''. For JSON_EVENT
   * the fields of `data` are lifted to the top level (they win on clashes).
   */
  fields: Record<string, string>;
  events: EdroneConsentEvent[];
  /** The request's event_id, or null when it sent none. */
  eventId: string | null;
  /** What to deduplicate deliveries on: eventId, else a body hash (see the file header). */
  dedupeKey: string;
  appId: string | null;
  signature: string | null;
  /** Parts of the request that were accepted but not used, for the activity log. */
  warnings: string[];
}

export interface RejectedEdroneRequest {
  ok: false;
  status: 400;
  message: string;
}

export type ParseResult = ParsedEdroneRequest | RejectedEdroneRequest;

export interface EdroneRequestInput {
  contentType?: string | undefined;
  rawBody: string;
  query: Record<string, string>;
}

// ---------------------------------------------------------------------------
// Reason codes (edrone.md §1.8). The webhook may carry the id or the name.

const EMAIL_REASONS: Readonly<Record<number, string>> = {
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

const SMS_REASONS: Readonly<Record<number, string>> = {
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

// ---------------------------------------------------------------------------
// Dates

const DATE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * edrone's event_date: 'YYYY-MM-DD HH:MM:SS' (UTC, the doc says "UTC date"),
 * ISO 8601 with or without ms and Z/offset (no zone means UTC), or unix
 * seconds. Impossible dates (2024-02-30) are null.
 */
export function parseEdroneDate(raw: string): Date | null {
  const s = raw.trim();
  // 9-11 digits: unix seconds from 1973 on; shorter digit runs are not dates.
  if (/^\d{9,11}(\.\d+)?$/.test(s)) {
    const d = new Date(Number(s) * 1000);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const m = DATE_RE.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone = ''] = m;
  const parts = [y, mo, d, h, mi, sec].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = parts;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(utc);
  // Date.UTC rolls over (Feb 30 -> Mar 1); a date that rolled over was not a real date.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return null;
  }
  return new Date(utc - zoneOffsetMs(zone));
}

function zoneOffsetMs(zone: string): number {
  if (zone === '' || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}

// ---------------------------------------------------------------------------
// Field schemas. Input is the raw received value (string from a form, any JSON
// value from a JSON body); output is the wire text that the signature covers.

/** A JSON value as the text the sender would have concatenated. */
function wireText(value: string | number | boolean | null): string {
  return value === null ? '' : String(value);
}

const text = z
  .union([z.string(), z.number(), z.boolean(), z.null()], { error: 'must be a string or a number' })
  .transform(wireText);
const optionalText = text.optional();

const statusField = text.transform((raw, ctx): EdroneState | null => {
  const status = parseEdroneStatus(raw);
  if (status === 'invalid') {
    ctx.issues.push({ code: 'custom', message: `must be 0, 1 or empty, got "${raw}"`, input: raw });
    return z.NEVER;
  }
  return status;
});

const dateField = text.transform((raw, ctx): Date => {
  const date = parseEdroneDate(raw);
  if (!date) {
    ctx.issues.push({
      code: 'custom',
      message: `must be a date like "2024-01-15 10:30:00" (UTC), ISO 8601 or unix seconds, got "${raw}"`,
      input: raw,
    });
    return z.NEVER;
  }
  return date;
});

const common = {
  event_id: optionalText,
  app_id: optionalText,
  signature: optionalText,
};

const native5Schema = z.object({
  ...common,
  subscription_status_type_id: text.pipe(
    z.string().trim().pipe(z.enum(['1', '2'], { error: (iss) => `must be 1 (email) or 2 (SMS), got "${String(iss.input)}"` })),
  ),
  email: optionalText,
  phone: optionalText,
  subscriber_status: statusField,
  subscription_status_reason: optionalText,
  event_date: dateField,
});

const native4Schema = z.object({
  ...common,
  email: text,
  subscriber_status: statusField,
  subscription_status_reason: text,
  event_date: dateField,
});

const legacySchema = z.object({
  ...common,
  email: text,
  subscriber_status: statusField,
  event_date: dateField,
});

/** JSON_EVENT (after lifting `data`) and JSON_FLAT share their fields. */
const jsonSchema = z.object({
  ...common,
  event: optionalText,
  email: optionalText,
  phone: optionalText,
  subscriber_status: statusField.optional(),
  sms_subscriber_status: statusField.optional(),
  reason: optionalText,
  timestamp: dateField,
});

type Native5 = z.output<typeof native5Schema>;
type Native4 = z.output<typeof native4Schema>;
type Legacy = z.output<typeof legacySchema>;
type JsonPayload = z.output<typeof jsonSchema>;

// ---------------------------------------------------------------------------
// Parsing

type Rejection = RejectedEdroneRequest;
type RawBody = Record<string, unknown>;

function reject(message: string): Rejection {
  return { ok: false, status: 400, message };
}

/**
 * Parses what edrone sent. Body fields win over query parameters of the same
 * name (query parameters are read because edrone's own PHP receivers read
 * them too).
 */
export function parseEdroneRequest(input: EdroneRequestInput): ParseResult {
  const body = readBody(input.contentType, input.rawBody);
  if ('ok' in body) return body;
  const merged: RawBody = { ...input.query, ...body.values };
  if (Object.keys(merged).length === 0) {
    return reject('Empty request: no fields in the body or the query string.');
  }
  const format = detectFormat(merged);
  if (!format) {
    return reject(
      'Not an edrone subscription-sync request: expected subscription_status_type_id (NATIVE_5), ' +
        'or email, subscriber_status and event_date (NATIVE_4), or event "subscription_status_changed" with data.',
    );
  }
  const flat = format === 'JSON_EVENT' ? liftData(merged) : { values: merged, fromData: null };
  if ('ok' in flat) return flat;
  const fields = wireFields(flat.values);
  const label = fieldLabel(flat.fromData);
  const built = buildEvents(format, flat.values, label);
  if ('ok' in built) return built;
  const eventId = fields.event_id?.trim() ? fields.event_id.trim() : null;
  return {
    ok: true,
    format,
    fields,
    events: built.events,
    eventId,
    dedupeKey: eventId ?? `sha256:${sha256Hex(canonicalBody(fields))}`,
    appId: fields.app_id?.trim() ? fields.app_id.trim() : null,
    signature: fields.signature ? fields.signature : null,
    warnings: built.warnings,
  };
}

function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function readBody(contentType: string | undefined, rawBody: string): { values: RawBody } | Rejection {
  const mediaType = mediaTypeOf(contentType);
  const trimmed = rawBody.trim();
  if (trimmed === '') return { values: {} };
  const untyped = mediaType === '' || mediaType === 'text/plain';
  if (mediaType === 'application/json' || mediaType.endsWith('+json') || (untyped && trimmed.startsWith('{'))) {
    return readJson(trimmed);
  }
  if (mediaType === 'application/x-www-form-urlencoded' || untyped) return readForm(rawBody);
  return reject(`Unsupported Content-Type "${mediaType}": send application/x-www-form-urlencoded or application/json.`);
}

function readJson(body: string): { values: RawBody } | Rejection {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    return reject(`Body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isRecord(parsed)) return reject('JSON body must be an object of fields.');
  return { values: parsed };
}

function readForm(body: string): { values: RawBody } | Rejection {
  const values: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    // A repeated field would make "the value" ambiguous between signature and use.
    if (Object.hasOwn(values, key)) return reject(`Field "${key}" appears more than once.`);
    values[key] = value;
  }
  return { values };
}

function isRecord(value: unknown): value is RawBody {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function detectFormat(body: RawBody): EdroneFormat | null {
  const has = (key: string): boolean => Object.hasOwn(body, key);
  if (has('event') || has('data')) return 'JSON_EVENT';
  if (has('subscription_status_type_id')) return 'NATIVE_5';
  if (has('event_date')) return has('subscription_status_reason') ? 'NATIVE_4' : 'LEGACY_NO_REASON';
  if (has('timestamp') || has('reason') || has('sms_subscriber_status')) return 'JSON_FLAT';
  if (has('subscription_status_reason')) return 'NATIVE_4';
  // Looks like a NATIVE request without event_date: let validation name what is missing.
  if (has('email') || has('subscriber_status')) return 'LEGACY_NO_REASON';
  return null;
}

/** JSON_EVENT: validates the envelope and lifts `data` to the top level. */
function liftData(body: RawBody): { values: RawBody; fromData: Set<string> } | Rejection {
  if (body.event !== 'subscription_status_changed') {
    const got = body.event === undefined ? 'nothing' : JSON.stringify(body.event);
    return reject(`Field "event" must be "subscription_status_changed", got ${got}.`);
  }
  if (!isRecord(body.data)) return reject('Field "data" must be an object with email, subscriber_status, ....');
  const { data, ...envelope } = body;
  return { values: { ...envelope, ...data }, fromData: new Set(Object.keys(data)) };
}

/** Fields of the JSON_EVENT envelope, as opposed to those inside `data`. */
const ENVELOPE_FIELDS = new Set(['event', 'timestamp', 'event_id', 'app_id', 'signature']);

/**
 * How to name a field in messages. JSON_EVENT (fromData set): where the sender
 * has to look for it, e.g. data.email; a missing field where it belongs.
 */
function fieldLabel(fromData: Set<string> | null): (key: string) => string {
  return (key) => (fromData && (fromData.has(key) || !ENVELOPE_FIELDS.has(key)) ? `data.${key}` : key);
}

function wireFields(values: RawBody): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      fields[key] = wireText(value);
    }
  }
  return fields;
}

function formatIssue(issue: z.core.$ZodIssue, label: (key: string) => string): string {
  const field = issue.path.map((p) => label(String(p))).join('.');
  if ('input' in issue && issue.input === undefined) return `Missing required field: ${field}`;
  return `Invalid field ${field}: ${issue.message}`;
}

function validate<T>(
  schema: z.ZodType<T>,
  values: RawBody,
  label: (key: string) => string,
): { data: T } | Rejection {
  const result = schema.safeParse(values, { reportInput: true });
  if (result.success) return { data: result.data };
  return reject(result.error.issues.map((i) => formatIssue(i, label)).join('; '));
}

interface Built {
  events: EdroneConsentEvent[];
  warnings: string[];
}

function buildEvents(format: EdroneFormat, values: RawBody, label: (key: string) => string): Built | Rejection {
  switch (format) {
    case 'NATIVE_5': {
      const v = validate(native5Schema, values, label);
      return 'ok' in v ? v : native5Events(v.data);
    }
    case 'NATIVE_4': {
      const v = validate(native4Schema, values, label);
      return 'ok' in v ? v : emailOnly(v.data, v.data.subscription_status_reason);
    }
    case 'LEGACY_NO_REASON': {
      const v = validate(legacySchema, values, label);
      return 'ok' in v ? v : emailOnly(v.data, '');
    }
    case 'JSON_EVENT':
    case 'JSON_FLAT': {
      const v = validate(jsonSchema, values, label);
      return 'ok' in v ? v : jsonEvents(v.data, label);
    }
  }
}

function event(channel: Channel, identity: string, status: EdroneState | null, at: Date, code: string): EdroneConsentEvent {
  return {
    channel,
    identity,
    status,
    at,
    reason: edroneReasonName(channel, code),
    reasonCode: code.trim() === '' ? null : code.trim(),
  };
}

function emailIdentity(raw: string | undefined, field: string): string | Rejection {
  if (!raw?.trim()) return reject(`Missing required field: ${field}`);
  return normalizeEmail(raw) ?? reject(`Invalid field ${field}: "${raw}" is not an email address`);
}

function phoneIdentity(raw: string | undefined, field: string): string | Rejection {
  if (!raw?.trim()) return reject(`Missing required field: ${field}`);
  return (
    normalizePhone(raw) ??
    reject(`Invalid field ${field}: "${raw}" is not a phone number with a country code (e.g. +48500100200)`)
  );
}

function native5Events(d: Native5): Built | Rejection {
  const reason = d.subscription_status_reason ?? '';
  if (d.subscription_status_type_id === '1') {
    const email = emailIdentity(d.email, 'email (subscription_status_type_id is 1)');
    if (typeof email !== 'string') return email;
    return { events: [event('email', email, d.subscriber_status, d.event_date, reason)], warnings: [] };
  }
  const phone = phoneIdentity(d.phone, 'phone (subscription_status_type_id is 2)');
  if (typeof phone !== 'string') return phone;
  return { events: [event('sms', phone, d.subscriber_status, d.event_date, reason)], warnings: [] };
}

function emailOnly(d: Native4 | Legacy, reason: string): Built | Rejection {
  const email = emailIdentity(d.email, 'email');
  if (typeof email !== 'string') return email;
  return { events: [event('email', email, d.subscriber_status, d.event_date, reason)], warnings: [] };
}

function jsonEvents(d: JsonPayload, label: (key: string) => string): Built | Rejection {
  const reason = d.reason ?? '';
  const events: EdroneConsentEvent[] = [];
  const warnings: string[] = [];
  if (d.subscriber_status === undefined && d.sms_subscriber_status === undefined) {
    return reject(`Missing required field: ${label('subscriber_status')} or ${label('sms_subscriber_status')}`);
  }
  if (d.subscriber_status !== undefined) {
    const email = emailIdentity(d.email, label('email'));
    if (typeof email !== 'string') return email;
    events.push(event('email', email, d.subscriber_status, d.timestamp, reason));
  }
  if (d.sms_subscriber_status !== undefined) {
    if (!d.phone?.trim() && events.length > 0) {
      // The newer docs' own example sends an SMS status without a phone: keep the email change.
      warnings.push(`${label('sms_subscriber_status')} ignored: no ${label('phone')} to match the customer by.`);
    } else {
      const phone = phoneIdentity(d.phone, label('phone'));
      if (typeof phone !== 'string') return phone;
      events.push(event('sms', phone, d.sms_subscriber_status, d.timestamp, reason));
    }
  }
  return { events, warnings };
}

// ---------------------------------------------------------------------------
// Signatures (edrone.md §1.7): base64 of the lower-case sha256 HEX TEXT of a
// plain concatenation ending in app_secret . app_id. Not an RFC 2104 HMAC.

function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

function canonicalBody(fields: Record<string, string>): string {
  return JSON.stringify(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function edroneSignature(parts: readonly string[], appSecret: string, appId: string): string {
  return Buffer.from(sha256Hex([...parts, appSecret, appId].join('')), 'utf8').toString('base64');
}

/** The values before app_secret . app_id, per format, over the raw received text. */
function signedParts(parsed: ParsedEdroneRequest): string[] {
  const f = (key: string): string => parsed.fields[key] ?? '';
  switch (parsed.format) {
    case 'NATIVE_5':
      return [
        f('subscription_status_type_id').trim() === '1' ? f('email') : f('phone'),
        f('subscriber_status'),
        f('subscription_status_reason'),
        f('event_date'),
        f('event_id'),
      ];
    case 'NATIVE_4':
      return [f('email'), f('subscriber_status'), f('subscription_status_reason'), f('event_date'), f('event_id')];
    case 'LEGACY_NO_REASON':
      // Magento 1 v1.1.37's formula: NATIVE_5's without the reason.
      return [f('email'), f('subscriber_status'), f('event_date'), f('event_id')];
    case 'JSON_EVENT':
    case 'JSON_FLAT':
      // Not documented by edrone (its newer docs sign nothing); a NATIVE_4-style
      // formula with event_id '' is the only one accepted.
      return [f('email'), f('subscriber_status'), f('reason'), f('timestamp'), ''];
  }
}

/**
 * True only when the request carries a signature that matches the formula of
 * its format, computed with this shop's app secret and App ID. The App ID is
 * the configured one, not the request's, so a request for another shop fails.
 *
 * Unsigned requests are rejected in every format (the route answers 401):
 * JSON_EVENT / JSON_FLAT carry no signature in edrone's docs, but accepting
 * unsigned consent changes would let anyone who learns the sync URL
 * unsubscribe or subscribe the shop's customers.
 */
export function verifyEdroneSignature(parsed: ParsedEdroneRequest, appSecret: string, appId: string): boolean {
  // An unconfigured secret must never verify: '' is easy to guess.
  if (!parsed.signature || appSecret === '' || appId === '') return false;
  const expected = Buffer.from(edroneSignature(signedParts(parsed), appSecret, appId), 'utf8');
  // base64 of hex text never contains '+' or '/', so form decoding cannot have altered it.
  const received = Buffer.from(parsed.signature.trim(), 'utf8');
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/** The NATIVE_5 fields the signature covers, as the wire strings that are sent. */
export interface Native5SignedFields {
  subscription_status_type_id: string;
  email?: string;
  phone?: string;
  subscriber_status: string;
  subscription_status_reason?: string;
  event_date: string;
  event_id?: string;
  app_id: string;
}

/** edrone's NATIVE_5 signature of these fields (for the fake edrone and tests). */
export function signNative5(fields: Native5SignedFields, appSecret: string): string {
  const identity = fields.subscription_status_type_id.trim() === '1' ? fields.email : fields.phone;
  return edroneSignature(
    [
      identity ?? '',
      fields.subscriber_status,
      fields.subscription_status_reason ?? '',
      fields.event_date,
      fields.event_id ?? '',
    ],
    appSecret,
    fields.app_id,
  );
}
