// Signatures of edrone's sync request (edrone.md §1.7): base64 of the lower-case
// sha256 HEX TEXT of a plain concatenation ending in app_secret . app_id. Not an
// RFC 2104 HMAC. Verified per format over the raw received text.
//
// Public evidence on what edrone really sends is thin (edrone.md §8.5), so the
// same keyed hash is accepted in its two other plausible encodings too: bare
// lower-case hex, and base64 of the raw 32-byte digest. All three need the App
// Secret; a formula without it (the public App ID only) is never accepted.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ParsedEdroneRequest } from './sync-request-types.js';

/** How a verified signature was encoded: the documented one first. */
export const SIGNATURE_VARIANTS = ['base64_of_hex', 'hex', 'base64_of_digest'] as const;
export type SignatureVariant = (typeof SIGNATURE_VARIANTS)[number];

type SignedRequest = Pick<ParsedEdroneRequest, 'format' | 'fields' | 'signature'>;

/** Lower-case hex sha256 of the UTF-8 text. */
export function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

function edroneSignature(parts: readonly string[], appSecret: string, appId: string): string {
  return Buffer.from(sha256Hex([...parts, appSecret, appId].join('')), 'utf8').toString('base64');
}

/** NATIVE_5's formula: the identity of its channel, status, reason, date, event_id. */
function native5Parts(f: (key: string) => string): string[] {
  return [
    f('subscription_status_type_id').trim() === '1' ? f('email') : f('phone'),
    f('subscriber_status'),
    f('subscription_status_reason'),
    f('event_date'),
    f('event_id'),
  ];
}

/** The values before app_secret . app_id, per format, over the raw received text. */
function signedParts(parsed: SignedRequest): string[] {
  const f = (key: string): string => parsed.fields[key] ?? '';
  switch (parsed.format) {
    case 'NATIVE_5':
      return native5Parts(f);
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
export function verifyEdroneSignature(parsed: SignedRequest, appSecret: string, appId: string): boolean {
  return matchEdroneSignature(parsed, appSecret, appId) !== null;
}

/** Which encoding of the keyed hash the request's signature matched, or null (see the file header). */
export function matchEdroneSignature(parsed: SignedRequest, appSecret: string, appId: string): SignatureVariant | null {
  // An unconfigured secret must never verify: '' is easy to guess.
  if (!parsed.signature || appSecret === '' || appId === '') return null;
  const digest = createHash('sha256').update([...signedParts(parsed), appSecret, appId].join(''), 'utf8').digest();
  const hex = digest.toString('hex');
  const expected: Record<SignatureVariant, string> = {
    base64_of_hex: Buffer.from(hex, 'utf8').toString('base64'),
    hex,
    base64_of_digest: digest.toString('base64'),
  };
  // base64 of hex text never contains '+' or '/', so form decoding cannot have altered it; base64 of the
  // digest may, and an unencoded '+' arrives as a space from a form: it is read back as '+'.
  const trimmed = Buffer.from(parsed.signature.trim(), 'utf8');
  const plusRestored = Buffer.from(parsed.signature.replace(/ /g, '+'), 'utf8');
  let matched: SignatureVariant | null = null;
  // Every variant is compared, in constant time for its length, whatever matched before.
  for (const variant of SIGNATURE_VARIANTS) {
    const received = variant === 'base64_of_digest' ? plusRestored : trimmed;
    const want = Buffer.from(expected[variant], 'utf8');
    if (received.length === want.length && timingSafeEqual(received, want) && matched === null) matched = variant;
  }
  return matched;
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
  const wire: Partial<Record<string, string>> = { ...fields };
  return edroneSignature(native5Parts((key) => wire[key] ?? ''), appSecret, fields.app_id);
}
