// The exact format of every field of edrone's sync request, checked before the
// signature is trusted. edrone's signature concatenates the fields with no
// separators (edrone.md §1.7), so a loose format lets characters move from one
// field to the next with the signature still valid ("splicing"): a date that
// may end early hands its tail to event_id, an email that may end in a digit
// hands it to subscriber_status. Each field below has one shape whose end is
// unambiguous; the few splits that stay possible are refused by name.
// Pure: linear regexes on length-bounded strings, no clock of its own.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Channel } from '../../core/types.js';
import { EMAIL_REASONS, SMS_REASONS } from './reason-codes.js';
import type { EdroneFormat } from './sync-request-types.js';

/** Longest accepted value per field (characters); any other field: OTHER_MAX. */
export const FIELD_MAX: Readonly<Record<string, number>> = {
  subscription_status_type_id: 8,
  subscriber_status: 8,
  sms_subscriber_status: 8,
  email: 254,
  phone: 20,
  subscription_status_reason: 64,
  reason: 64,
  event_date: 25,
  timestamp: 35,
  event_id: 128,
  app_id: 64,
  signature: 128,
  event: 64,
};
const OTHER_MAX = 256;
export const MAX_FIELDS = 40;

/** How far in the future a date may lie (clock skew between edrone and us). */
export const MAX_FUTURE_MS = 5 * 60_000;

const STATUS = /^[01]?$/;
const TYPE_ID = /^[12]$/;
// Local part: RFC 5322 atext and dots; domain: LDH labels and a letters-only TLD,
// so an address never ends in a digit that could belong to subscriber_status.
const EMAIL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,63}$/;
/** E.164: a + (or 00) and 7 to 15 digits, nothing else. */
const PHONE = /^(?:\+|00)[1-9]\d{6,14}$/;
const REASON_NAME = /^[A-Z][A-Z_]{0,63}$/;
const REASON_NAME_JSON = /^[A-Za-z][A-Za-z_]{0,63}$/;
const EVENT_ID = /^[A-Za-z0-9._-]{0,128}$/;
/** NATIVE event_date: the documented UTC 'YYYY-MM-DD HH:MM:SS', optionally with an offset ±HH:MM. */
const NATIVE_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2})?$/;
/** JSON timestamp: ISO 8601 with T, optional milliseconds and a zone (Z or ±HH:MM), or 10-digit unix seconds. */
const JSON_DATE = /^(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})|\d{10})$/;
const OFFSET = /([+-])(\d{2}):(\d{2})$/;

export interface FieldProblem {
  field: string;
  problem: string;
  /** The field is absent (reported as "Missing required field"). */
  missing?: boolean;
}

/** Every field within its length bound; the message never repeats the value. */
export function checkLengths(fields: Readonly<Record<string, string>>): FieldProblem | null {
  const names = Object.keys(fields);
  if (names.length > MAX_FIELDS) return { field: 'body', problem: `has more than ${MAX_FIELDS} fields` };
  for (const name of names) {
    if (name.length > 64) return { field: 'body', problem: 'has a field name longer than 64 characters' };
    const max = FIELD_MAX[name] ?? OTHER_MAX;
    if ((fields[name] ?? '').length > max) return { field: name, problem: `is longer than ${max} characters` };
  }
  return null;
}

export function isStrictEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

export function isStrictPhone(value: string): boolean {
  return PHONE.test(value);
}

function reasonIsValid(channel: Channel, value: string, json: boolean): boolean {
  if (value === '') return true;
  if (/^[1-9]\d{0,2}$/.test(value)) return (channel === 'email' ? EMAIL_REASONS : SMS_REASONS)[Number(value)] !== undefined;
  return (json ? REASON_NAME_JSON : REASON_NAME).test(value);
}

/** Offsets that exist: -12:00 to +14:00, minutes below 60. */
function offsetIsValid(raw: string): boolean {
  const m = OFFSET.exec(raw);
  if (!m || /\d{2}:\d{2}:\d{2}$/.test(raw)) return true;
  const hours = Number(m[2]);
  const minutes = Number(m[3]);
  if (minutes > 59) return false;
  return m[1] === '+' ? hours * 60 + minutes <= 14 * 60 : hours * 60 + minutes <= 12 * 60;
}

function checkDate(field: string, raw: string, exact: RegExp, shape: string, at: Date | null, now: Date | undefined): FieldProblem | null {
  if (!exact.test(raw)) return { field, problem: `must be a date like ${shape}` };
  if (!offsetIsValid(raw)) return { field, problem: 'has an impossible UTC offset (from -12:00 to +14:00)' };
  if (!at) return { field, problem: 'is not a real date and time' };
  if (now && at.getTime() > now.getTime() + MAX_FUTURE_MS) return { field, problem: 'lies in the future' };
  return null;
}

/**
 * The exact-format check of a request's fields, before its signature is
 * checked. `dateOf` reads a date that already has the right shape; `now`
 * enables the future check.
 */
export function checkFieldFormats(
  format: EdroneFormat,
  fields: Readonly<Record<string, string>>,
  dateOf: (raw: string) => Date | null,
  now?: Date,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (p: FieldProblem | null) => void (p && problems.push(p));
  const f = (key: string): string => fields[key] ?? '';
  const has = (key: string): boolean => Object.hasOwn(fields, key);
  const json = format === 'JSON_EVENT' || format === 'JSON_FLAT';
  for (const key of ['subscriber_status', 'sms_subscriber_status']) {
    if (has(key) && !STATUS.test(f(key))) add({ field: key, problem: 'must be 0, 1 or empty' });
  }
  if (has('event_id') && !EVENT_ID.test(f('event_id'))) {
    add({ field: 'event_id', problem: 'may hold only letters, digits, dot, dash and underscore' });
  }
  if (format === 'NATIVE_5' && !TYPE_ID.test(f('subscription_status_type_id'))) {
    add({ field: 'subscription_status_type_id', problem: 'must be 1 (email) or 2 (SMS)' });
  }
  const sms = format === 'NATIVE_5' && f('subscription_status_type_id') === '2';
  const channel: Channel = sms ? 'sms' : 'email';
  // The identity the signature covers must be there (checked before the signature, so a 400 names it).
  if (!json) {
    const identity = sms ? 'phone' : 'email';
    if (!has(identity)) add({ field: identity, problem: 'is missing', missing: true });
  }
  const email = f('email');
  if ((!sms || json) && email !== '' && !isStrictEmail(email)) {
    add({ field: 'email', problem: 'is not a valid email address (name@domain.tld)' });
  }
  const phone = f('phone');
  if ((sms || json) && phone !== '' && !isStrictPhone(phone)) {
    add({ field: 'phone', problem: 'must be an E.164 number: + and the country code, digits only (e.g. +48500100200)' });
  }
  const reasonKey = json ? 'reason' : 'subscription_status_reason';
  if (!reasonIsValid(channel, f(reasonKey), json)) {
    add({ field: reasonKey, problem: 'must be a known reason id or a reason name (e.g. CUSTOMER_UNSUBSCRIBED)' });
  }
  const dateKey = json ? 'timestamp' : 'event_date';
  if (!has(dateKey)) {
    add({ field: dateKey, problem: 'is missing', missing: true });
  } else {
    const raw = f(dateKey);
    const shape = json ? '"2024-01-15T10:30:00Z" or unix seconds' : '"2024-01-15 10:30:00" (UTC) or "2024-01-15 12:30:00+02:00"';
    add(checkDate(dateKey, raw, json ? JSON_DATE : NATIVE_DATE, shape, dateOf(raw), now));
  }
  // Only NATIVE_5 and NATIVE_4 sign the reason right after the status.
  if (problems.length === 0 && (format === 'NATIVE_5' || format === 'NATIVE_4')) {
    add(ambiguousSplit(channel, f('subscriber_status'), f(reasonKey), sms ? phone : null));
  }
  return problems;
}

/**
 * Could `reason` come with an empty status? Only a known id whose name is not
 * a (un)subscribe (those always carry their status), e.g. TRACE_UNKNOWN.
 */
function plausibleWithoutStatus(channel: Channel, reason: string): boolean {
  if (!/^[1-9]\d{0,2}$/.test(reason)) return false;
  const name = (channel === 'email' ? EMAIL_REASONS : SMS_REASONS)[Number(reason)];
  return name !== undefined && !name.endsWith('SUBSCRIBED');
}

/**
 * The splits the formats alone cannot settle: a status digit that could also
 * start the reason ('1' + '1' or '' + '11'), or end the phone number. The
 * received reading changes consent while the other is a no-op, so accepting it
 * could turn a signed no-op into a forged change.
 */
function ambiguousSplit(channel: Channel, status: string, reason: string, phone: string | null): FieldProblem | null {
  if (status === '') return null;
  if (plausibleWithoutStatus(channel, status + reason)) {
    return { field: 'subscriber_status', problem: 'cannot be told apart from subscription_status_reason in the signature' };
  }
  if (phone !== null && isStrictPhone(phone + status) && parsePhoneNumberFromString(`+${(phone + status).replace(/^(\+|00)/, '')}`)?.isValid()) {
    return { field: 'subscriber_status', problem: 'cannot be told apart from the phone number in the signature' };
  }
  return null;
}
