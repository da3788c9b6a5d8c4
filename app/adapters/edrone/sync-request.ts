// Parsing of the subscription-sync request edrone POSTs to the app
// (reference/edrone.md §1.3-1.12): body, format, field validation, consent
// events. Pure: no I/O, no clock. Its signature is checked in signature.ts.
//
// edrone's docs disagree on the encoding (form vs JSON) and on the payload
// (NATIVE_x fields vs the newer docs' `subscription_status_changed` event), so
// every variant is accepted and the detected format is reported.
//
// Dedupe key: the request's `event_id` when present; otherwise
// `sha256:<hex>` of the canonical body, i.e. JSON.stringify of the received
// fields (as wire strings, see `fields`) sorted by name. The same event resent
// as form or as JSON therefore gets the same key.
import { z } from 'zod';
import { parseEdroneStatus } from '../../core/consent-mapping.js';
import { normalizeEmail, normalizePhone } from '../../core/identity.js';
import type { Channel, EdroneConsentEvent, EdroneState } from '../../core/types.js';
import { parseEdroneDate } from './event-date.js';
import { edroneReasonName } from './reason-codes.js';
import { sha256Hex } from './signature.js';
import { checkFieldFormats, checkLengths } from './field-formats.js';
import type { EdroneFormat, EdroneRequestInput, ParseResult, ReadEdroneRequest, RejectedEdroneRequest } from './sync-request-types.js';

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
    ctx.issues.push({ code: 'custom', message: 'must be 0, 1 or empty', input: raw });
    return z.NEVER;
  }
  return status;
});

const dateField = text.transform((raw, ctx): Date => {
  const date = parseEdroneDate(raw);
  if (!date) {
    ctx.issues.push({
      code: 'custom',
      message: 'must be a date like "2024-01-15 10:30:00" (UTC)',
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
    z.string().trim().pipe(z.enum(['1', '2'], { error: 'must be 1 (email) or 2 (SMS)' })),
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
  const read = readEdroneRequest(input);
  return read.ok ? edroneEventsOf(read) : read;
}

/**
 * The cheap, pre-authentication half of parsing: body, format, every field
 * within its length bound and in its exact format, no normalisation. Verify
 * the signature on this, then call `edroneEventsOf`.
 */
export function readEdroneRequest(input: EdroneRequestInput): ReadEdroneRequest | Rejection {
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
  // Lengths first (every later check is then bounded), then each field's exact format.
  const tooLong = checkLengths(fields);
  if (tooLong) return reject(`Invalid field ${tooLong.field === 'body' ? 'body' : label(tooLong.field)}: ${tooLong.problem}`);
  // A field present with a non-text value (an array) is not "missing": validation names it after the signature.
  const problems = checkFieldFormats(format, fields, parseEdroneDate, input.now).filter(
    (p) => !(p.missing && Object.hasOwn(flat.values, p.field)),
  );
  if (problems.length > 0) {
    return reject(
      problems.map((p) => (p.missing ? `Missing required field: ${label(p.field)}` : `Invalid field ${label(p.field)}: ${p.problem}`)).join('; '),
    );
  }
  const eventId = fields.event_id?.trim() ? fields.event_id.trim() : null;
  return {
    ok: true,
    format,
    fields,
    values: flat.values,
    fromData: flat.fromData ? [...flat.fromData] : null,
    eventId,
    dedupeKey: eventId ?? `sha256:${sha256Hex(canonicalBody(fields))}`,
    appId: fields.app_id?.trim() ? fields.app_id.trim() : null,
    signature: fields.signature ? fields.signature : null,
  };
}

/** The second half, after the signature was verified: validation and normalisation into consent events. */
export function edroneEventsOf(read: ReadEdroneRequest): ParseResult {
  const label = fieldLabel(read.fromData ? new Set(read.fromData) : null);
  const built = buildEvents(read.format, read.values, label);
  if ('ok' in built) return built;
  const { values: _values, fromData: _fromData, ...rest } = read;
  return { ...rest, events: built.events, warnings: built.warnings };
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
    // JSON.parse's message quotes the body: say only where it broke.
    return reject(`Body is not valid JSON${e instanceof SyntaxError && /position \d+/.test(e.message) ? ` (at ${/position (\d+)/.exec(e.message)?.[0]})` : ''}.`);
  }
  if (!isRecord(parsed)) return reject('JSON body must be an object of fields.');
  return { values: parsed };
}

function readForm(body: string): { values: RawBody } | Rejection {
  const values: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    // A repeated field would make "the value" ambiguous between signature and use.
    if (Object.hasOwn(values, key)) return reject(`Field "${key.slice(0, 64)}" appears more than once.`);
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
    return reject('Field "event" must be "subscription_status_changed".');
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
  return normalizeEmail(raw) ?? reject(`Invalid field ${field}: not an email address`);
}

function phoneIdentity(raw: string | undefined, field: string): string | Rejection {
  if (!raw?.trim()) return reject(`Missing required field: ${field}`);
  return (
    normalizePhone(raw) ??
    reject(`Invalid field ${field}: not a phone number with a country code (e.g. +48500100200)`)
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

/** The dedupe body: the wire fields sorted by name, as JSON (see the file header). */
function canonicalBody(fields: Record<string, string>): string {
  return JSON.stringify(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
