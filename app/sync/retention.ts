// Retention: the consent history is kept as proof (CONSENT_HISTORY_RETENTION_DAYS,
// default 5 years), the operational activity log briefly (ACTIVITY_RETENTION_DAYS,
// default 90 days). A scheduled pass per worker process deletes what is older,
// shop by shop, in small batches (each one short statement on an index range, with
// a yield between), so ingest's inserts are never held behind a long delete.
import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { DataLayer } from '../db/index.js';
import type { Logger } from '../logger.js';
import { createPeriodicPass } from './periodic-pass.js';

export interface RetentionOptions {
  historyDays: number;
  activityDays: number;
  /** How often a pass runs. */
  intervalMs: number;
  /** Rows deleted per statement. */
  batch?: number;
}

export interface RetentionPruner {
  start(): void;
  stop(): void;
  /** One pass now: rows deleted per table. */
  tick(now?: Date): Promise<{ history: number; activity: number }>;
}

const DAY_MS = 86_400_000;

export function createRetentionPruner(
  deps: { data: Pick<DataLayer, 'shops' | 'activity' | 'consentHistory'>; logger: Logger },
  options: RetentionOptions,
): RetentionPruner {
  const batch = options.batch ?? 500;

  async function drain(prune: (shopId: string, before: Date, n: number) => Promise<number>, shopId: string, before: Date): Promise<number> {
    let total = 0;
    // A stopping worker ends a long pass between batches.
    while (!pruner.stopped) {
      const n = await prune(shopId, before, batch);
      total += n;
      if (n < batch) break;
      await yieldToIo();
    }
    return total;
  }

  async function pass(now: Date) {
    const historyBefore = new Date(now.getTime() - options.historyDays * DAY_MS);
    const activityBefore = new Date(now.getTime() - options.activityDays * DAY_MS);
    const result = { history: 0, activity: 0 };
    for (const shopId of await deps.data.shops.allIds()) {
      result.history += await drain(deps.data.consentHistory.pruneBatch, shopId, historyBefore);
      result.activity += await drain(deps.data.activity.pruneBatch, shopId, activityBefore);
    }
    if (result.history + result.activity > 0) deps.logger.info(result, 'retention: old rows deleted');
    return result;
  }

  const pruner = createPeriodicPass(pass, { intervalMs: options.intervalMs, logger: deps.logger, what: 'retention pass' });
  return pruner;
}
