// Runs a list of items a few at a time (p-limit), in order. After the first
// failure no new item starts; those under way finish. Used by the initial sync
// and reconciliation for the customers of one batch or page.
import pLimit from 'p-limit';
import { coerceError } from '../errors.js';

export interface BoundedResult<R> {
  /** Per item, its result; undefined for an item that failed or never started. */
  results: (R | undefined)[];
  /** The first failure, if any. */
  error: Error | null;
  /** Items before this index all finished (items.length when none failed or was left out). */
  finishedPrefix: number;
}

export async function runBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
  options: { signal?: AbortSignal } = {},
): Promise<BoundedResult<R>> {
  const limit = pLimit(Math.max(1, concurrency));
  const results: (R | undefined)[] = new Array(items.length);
  const finished: boolean[] = new Array(items.length).fill(false);
  let error: Error | null = null;
  await Promise.all(
    items.map((item, index) =>
      limit(async () => {
        // A stopping worker or a failure starts no new item.
        if (error !== null || options.signal?.aborted) return;
        try {
          results[index] = await fn(item, index);
          finished[index] = true;
        } catch (e) {
          error ??= coerceError(e);
        }
      }),
    ),
  );
  const firstUnfinished = finished.indexOf(false);
  return { results, error, finishedPrefix: firstUnfinished === -1 ? items.length : firstUnfinished };
}
