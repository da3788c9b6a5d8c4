// Pure bookkeeping for retried failures, so the polling logic can be unit-tested without timers.
// The failures list holds dead-lettered jobs only, so a retried job leaves it at once (it is queued
// again). It counts as synced once it is gone AND the shop's queue has drained; if it shows up in
// the list again, or its attempts/error change while listed, it failed again.
import type { FailureItem } from '../../api-types.js';

export interface Watch {
  /** The row as first seen after the retry was accepted; null until then. */
  baseline: { attempts: number; lastError: string | null } | null;
  /** The row left the failures list: its job is queued again, outcome not known yet. */
  left: boolean;
}

export type Watches = Record<string, Watch>;

export interface Reconciled {
  watches: Watches;
  syncedIds: string[];
  failedAgain: FailureItem[];
}

export function watchIds(watches: Watches, ids: string[]): Watches {
  const next = { ...watches };
  for (const id of ids) next[id] = { baseline: null, left: false };
  return next;
}

/**
 * @param queued jobs still waiting or running for the shop (GET /api/status); null when unknown,
 *   in which case a row that left the list is taken as synced.
 */
export function reconcile(watches: Watches, items: FailureItem[], queued: number | null): Reconciled {
  const byId = new Map(items.map((item) => [item.id, item]));
  const next: Watches = {};
  const syncedIds: string[] = [];
  const failedAgain: FailureItem[] = [];
  for (const [id, watch] of Object.entries(watches)) {
    const row = byId.get(id);
    if (!row) {
      if (queued === null || queued === 0) syncedIds.push(id);
      else next[id] = { ...watch, left: true };
    } else if (watch.left) {
      failedAgain.push(row);
    } else if (watch.baseline === null) {
      next[id] = { ...watch, baseline: { attempts: row.attempts, lastError: row.lastError } };
    } else if (row.attempts !== watch.baseline.attempts || row.lastError !== watch.baseline.lastError) {
      failedAgain.push(row);
    } else {
      next[id] = watch;
    }
  }
  return { watches: next, syncedIds, failedAgain };
}
