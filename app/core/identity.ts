// Customers are matched across the two systems by email (email channel) and by
// phone in E.164 (SMS channel).
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** Longest address that exists (RFC 5321: 254); anything longer is not an email. */
export const MAX_EMAIL_LENGTH = 254;

/**
 * Trimmed, lower-cased email, or null when there is none or it is not an email.
 * Linear in the input: one '@', no whitespace, a dot inside the domain (a
 * backtracking regex here was quadratic on long inputs).
 */
export function normalizeEmail(raw: string | null | undefined): string | null {
  if (!raw || raw.length > MAX_EMAIL_LENGTH * 4) return null;
  const email = raw.trim().toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH || /\s/.test(email)) return null;
  const at = email.indexOf('@');
  if (at <= 0 || at !== email.lastIndexOf('@')) return null;
  const dot = email.lastIndexOf('.');
  return dot > at + 1 && dot < email.length - 1 ? email : null;
}

/**
 * E.164 phone, or null. Numbers must carry their country code (+48…, 0048…):
 * a national number cannot be placed in a country without guessing.
 */
export function normalizePhone(raw: string | null | undefined): string | null {
  if (!raw || raw.length > 64) return null;
  let phone = raw.trim().replace(/[\s().-]/g, '');
  if (phone.startsWith('00')) phone = `+${phone.slice(2)}`;
  if (!phone.startsWith('+')) return null;
  const parsed = parsePhoneNumberFromString(phone);
  return parsed?.isValid() ? parsed.number : null;
}
