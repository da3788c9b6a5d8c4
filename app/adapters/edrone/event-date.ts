// edrone's event_date / timestamp: the date formats its requests use, read as UTC
// unless a zone is given. Pure: no clock.

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
