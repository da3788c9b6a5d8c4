// Builds GET /api/activity query strings; empty filters are left out so the server applies no filter.
import type { ActivityChannel, ActivityDirection, ActivityResult } from '../../api-types.js';

export interface ActivityFilters {
  direction: ActivityDirection | '';
  channel: ActivityChannel | '';
  result: ActivityResult | '';
  /** Email or phone, as typed. */
  q: string;
}

export const EMPTY_FILTERS: ActivityFilters = { direction: '', channel: '', result: '', q: '' };

export const ACTIVITY_PAGE_SIZE = 25;

export function activityPath(filters: ActivityFilters, page: number, pageSize: number = ACTIVITY_PAGE_SIZE): string {
  const params = new URLSearchParams();
  params.set('page', String(page));
  params.set('pageSize', String(pageSize));
  if (filters.direction) params.set('direction', filters.direction);
  if (filters.channel) params.set('channel', filters.channel);
  if (filters.result) params.set('result', filters.result);
  const q = filters.q.trim();
  if (q) params.set('q', q);
  return `/api/activity?${params.toString()}`;
}

export function hasFilters(filters: ActivityFilters): boolean {
  return filters.direction !== '' || filters.channel !== '' || filters.result !== '' || filters.q.trim() !== '';
}
