// Display helpers: dates in the merchant's locale, enum values in plain words.
import type { ActivityItem, Direction, EdroneStatusFilter } from './api-types.js';

/** "12 Mar 2025, 14:05", or the raw text when it is not a date. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return 'Never';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

const ISO_DATE_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/** A server text with its ISO times ("since 2026-11-27T09:00:00.000Z") written as local dates. */
export function localizeTimes(text: string): string {
  return text.replace(ISO_DATE_TIME, (iso) => formatDateTime(iso));
}

/** "5 minutes ago"; falls back to the absolute time beyond a week. */
export function formatRelative(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return 'Never';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  if (abs < 60) return rtf.format(seconds, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), 'hour');
  if (abs < 7 * 86_400) return rtf.format(Math.round(seconds / 86_400), 'day');
  return formatDateTime(iso);
}

/** "12 Mar" for chart axes; dates are calendar days, so no time zone shift. */
export function formatDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  if (!y || !m || !d) return day;
  return new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat().format(n);
}

export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export const DIRECTION_LABELS: Record<Direction, string> = {
  both: 'Both ways',
  shopify_to_edrone: 'Shopify → edrone only',
  edrone_to_shopify: 'edrone → Shopify only',
  paused: 'Paused (nothing is synced)',
};

export const EDRONE_STATUS_LABELS: Record<EdroneStatusFilter, string> = {
  all: 'All changes (subscribes and unsubscribes)',
  unsubscribes: 'Only unsubscribes',
  subscribes: 'Only subscribes',
};

const SIDE_LABELS: Record<ActivityItem['origin'] | ActivityItem['target'], string> = {
  shopify: 'Shopify',
  edrone: 'edrone',
  backfill: 'Initial import',
  reconcile: 'Reconciliation',
  app: 'This app',
  none: 'Nowhere',
};

export function sideLabel(side: ActivityItem['origin'] | ActivityItem['target']): string {
  return SIDE_LABELS[side] ?? side;
}

/** "Shopify → edrone" */
export function flowLabel(item: Pick<ActivityItem, 'origin' | 'target'>): string {
  return `${sideLabel(item.origin)} → ${sideLabel(item.target)}`;
}

export function channelLabel(channel: ActivityItem['channel']): string {
  if (channel === 'email') return 'Email';
  if (channel === 'sms') return 'SMS';
  return '—';
}

/** "not_subscribed" -> "Not subscribed" */
export function humanize(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const spaced = value.replace(/[_-]+/g, ' ').trim().toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
