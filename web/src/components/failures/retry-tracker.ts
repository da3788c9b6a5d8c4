// Pure bookkeeping for retried failures, so the polling logic can be unit-tested without timers.
// A retried row that disappears from the failures list has been synced; one whose attempts or error
// change while still listed has run again and failed again.
import type { FailureItem } from '../../api-types.js';

export interface Watch {
  /** The row as first seen after the retry was accepted; null until the next list answer. */
  baseline: { attempts: number; lastError: string | null } | null;
}

export type Watches = Record<string, Watch>;

export interface Reconciled {
  watches: Watches;
  syncedIds: string[];
  failedAgain: FailureItem[];
}

export function watchIds(watches: Watches, ids: string[]): Watches {
  const next = { ...watches };
  for (const id of ids) next[id] = { baseline: null };
  return next;
}

export function reconcile(watches: Watches, items: FailureItem[]): Reconciled {
  const byId = new Map(items.map((item) => [String(item.id), item]));
  const next: Watches = {};
  const syncedIds: string[] = [];
  const failedAgain: FailureItem[] = [];
  for (const [id, watch] of Object.entries(watches)) {
    const row = byId.get(id);
    if (!row) {
      syncedIds.push(id);
    } else if (watch.baseline === null) {
      next[id] = { baseline: { attempts: row.attempts, lastError: row.lastError } };
    } else if (row.attempts !== watch.baseline.attempts || row.lastError !== watch.baseline.lastError) {
      failedAgain.push(row);
    } else {
      next[id] = watch;
    }
  }
  return { watches: next, syncedIds, failedAgain };
}
