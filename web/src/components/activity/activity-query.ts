// Builds GET /api/activity query strings; empty filters are left out so the server applies no filter.
import type { ActivityChannel, ActivityDirection, ActivityResult, ActivityView } from '../../api-types.js';

export interface ActivityFilters {
  direction: ActivityDirection | '';
  channel: ActivityChannel | '';
  result: ActivityResult | '';
  /** Email or phone, as typed. */
  q: string;
  /** Which rows: live changes (with one summary row per bulk run) by default. */
  show: ActivityView;
  /** The job id of one bulk run whose customers are listed ('' for none). */
  run: string;
  /** Also list the app's own writes coming back (skipped echoes); hidden by default. */
  echoes: boolean;
}

export const EMPTY_FILTERS: ActivityFilters = { direction: '', channel: '', result: '', q: '', show: 'live', run: '', echoes: false };

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
  if (filters.run) params.set('run', filters.run);
  else params.set('show', filters.show);
  // The server lists echoes unless told not to; the merchant sees them only when asking.
  params.set('echoes', filters.echoes ? 'show' : 'hide');
  return `/api/activity?${params.toString()}`;
}

export function hasFilters(filters: ActivityFilters): boolean {
  return (
    filters.direction !== '' ||
    filters.channel !== '' ||
    filters.result !== '' ||
    filters.q.trim() !== '' ||
    filters.show !== 'live' ||
    filters.run !== '' ||
    filters.echoes
  );
}
