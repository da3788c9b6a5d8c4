// Customers are matched across the two systems by email (email channel) and by
// phone in E.164 (SMS channel).
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** Trimmed, lower-cased email, or null when there is none or it is not an email. */
export function normalizeEmail(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const email = raw.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : null;
}

/**
 * E.164 phone, or null. Numbers must carry their country code (+48…, 0048…):
 * a national number cannot be placed in a country without guessing.
 */
export function normalizePhone(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let phone = raw.trim().replace(/[\s().-]/g, '');
  if (phone.startsWith('00')) phone = `+${phone.slice(2)}`;
  if (!phone.startsWith('+')) return null;
  const parsed = parsePhoneNumberFromString(phone);
  return parsed?.isValid() ? parsed.number : null;
}
