// What the Status, Activity and Failures screens show, and retrying failures.
import type { ActivityQuery } from '../api-contract/index.js';
import { setupSteps, type Direction } from '../core/index.js';
import { isConfigured, type DataLayer } from '../db/index.js';
import { NotFoundError } from '../errors.js';
import { ECHO_REASON_PREFIX } from '../core/activity-words.js';
import { RECENT_WINDOW, syncHealth, type ChangeOutcome, type SyncHealthState } from '../core/sync-health.js';
import type { JobQueue } from '../queue/index.js';
import { activityKind, activityWords } from './activity.js';
import { failureItem } from './failure-details.js';
import { storefrontChecksToday } from './storefront-status.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Counts in the server's words are grouped as the admin groups them (8,739), not left bare. */
const COUNT = new Intl.NumberFormat('en-US');

interface StatusDeps {
  data: Pick<DataLayer, 'shops' | 'activity' | 'events' | 'storefront' | 'rejectedEdroneRequests' | 'backfillRuns'>;
  queue: JobQueue;
  /** The storefront checks counted in memory are written before they are read. */
  storefront?: { flush(): Promise<void> };
}

export type HealthState = SyncHealthState;

/** Health, counts of sent changes (today, 30 days, per day) and the queue, for the Status screen. */
export async function shopStatus(deps: StatusDeps, shopId: string, now = Date.now()) {
  const shop = await deps.data.shops.get(shopId);
  await deps.storefront?.flush();
  const startOfToday = new Date(new Date(now).toISOString().slice(0, 10));
  const since = new Date(startOfToday.getTime() - 29 * DAY_MS);
  const [sent, counts, last, storefrontToday, outcomes, rejected, run, everCompleted] = await Promise.all([
    deps.data.activity.sentSince(shopId, since),
    deps.queue.counts(shopId),
    deps.data.events.lastReceived(shopId),
    storefrontChecksToday(deps.data, shopId, new Date(now)),
    deps.data.activity.recentOutcomes(shopId, RECENT_WINDOW),
    deps.data.rejectedEdroneRequests.latest(shopId, 1),
    deps.data.backfillRuns.latest(shopId),
    deps.data.backfillRuns.everCompleted(shopId),
  ]);
  const failures = counts.dead;
  const daily = Array.from({ length: 30 }, (_, i) => ({
    date: new Date(since.getTime() + i * DAY_MS).toISOString().slice(0, 10),
    shopifyToEdrone: 0,
    edroneToShopify: 0,
  }));
  const bulk = { today: 0, last30Days: 0 };
  for (const a of sent) {
    // Bulk runs are counted apart: thousands of initial-sync rows would hide the live changes.
    if (a.origin === 'backfill' || a.origin === 'reconcile') {
      bulk.last30Days++;
      if (a.createdAt >= startOfToday) bulk.today++;
      continue;
    }
    const day = daily[Math.floor((a.createdAt.getTime() - since.getTime()) / DAY_MS)];
    if (!day) continue;
    if (a.target === 'edrone') day.shopifyToEdrone++;
    else if (a.target === 'shopify') day.edroneToShopify++;
  }
  const sum = (key: 'shopifyToEdrone' | 'edroneToShopify', days: typeof daily) => days.reduce((n, d) => n + d[key], 0);
  const today = daily.slice(-1);
  const recent: ChangeOutcome[] = outcomes.map((r) => (r === 'failed' ? 'failed' : 'ok'));
  const state = syncHealth({
    configured: isConfigured(shop),
    blocked: Boolean(shop.blockedReason),
    paused: shop.direction === 'paused',
    deadJobs: failures,
    recent,
  });
  const recentFailed = recent.filter((o) => o === 'failed').length;
  const reason =
    state === 'not_configured'
      ? 'Enter your edrone App ID and App Secret in Setup to start syncing.'
      : shop.blockedReason
        ? shop.blockedReason
        : state === 'failing'
          ? `The latest changes are failing: ${recentFailed} of the last ${recent.length} could not be synced. ${failures > 0 ? 'See Failures for why and what to do.' : 'See Activity for why.'}`
          : state === 'some_failed'
            ? `${failures === 1 ? '1 change' : `${COUNT.format(failures)} changes`} could not be synced; the others go through. See Failures for who and what, and retry them.`
            : state === 'paused'
              ? 'Sync is paused in the settings: changes are recorded but not sent.'
              : null;
  return {
    state,
    reason,
    today: { shopifyToEdrone: sum('shopifyToEdrone', today), edroneToShopify: sum('edroneToShopify', today) },
    last30Days: { shopifyToEdrone: sum('shopifyToEdrone', daily), edroneToShopify: sum('edroneToShopify', daily) },
    daily,
    lastShopifyEventAt: last.shopify,
    lastEdroneEventAt: last.edrone,
    bulk,
    failures,
    queued: counts.pending,
    storefrontChecksToday: storefrontToday,
    setup: setupSteps({
      credentialsSaved: isConfigured(shop),
      direction: shop.direction as Direction,
      // A verified signature on record also proves an accepted request (stored events may have been pruned).
      lastAcceptedRequestAt: last.edrone ?? (shop.edroneSignatureVariant ? shop.updatedAt : null),
      lastRejectedRequest: rejected[0] ? { at: rejected[0].receivedAt, reason: rejected[0].reason } : null,
      initialSync: run ? { status: run.status as 'running' | 'completed' | 'cancelled' | 'failed', error: run.error } : null,
      initialSyncEverCompleted: everCompleted,
    }),
  };
}

/** One page of the activity log, newest first. */
export async function activityPage(deps: Pick<StatusDeps, 'data'>, shopId: string, q: ActivityQuery) {
  const { page, pageSize } = q;
  const target = q.direction === 'shopify_to_edrone' ? 'edrone' : q.direction === 'edrone_to_shopify' ? 'shopify' : undefined;
  const { items, total } = await deps.data.activity.page(
    {
      shopId,
      target,
      channel: q.channel,
      result: q.result,
      identityContains: q.q?.toLowerCase() || undefined,
      view: q.show,
      runJobId: q.run,
      hideSkippedWithReason: q.echoes === 'hide' ? ECHO_REASON_PREFIX : undefined,
    },
    { skip: (page - 1) * pageSize, take: pageSize },
  );
  return { items: items.map((a) => ({ ...a, kind: activityKind(a), ...activityWords(a) })), page, pageSize, total };
}

/** One page of dead-lettered jobs, newest first, each naming the customer and the change. */
export async function failuresPage(deps: Pick<StatusDeps, 'queue'>, shopId: string, page: number, pageSize: number) {
  const { jobs, total } = await deps.queue.dead(shopId, { skip: (page - 1) * pageSize, take: pageSize });
  return { items: jobs.map(failureItem), page, pageSize, total };
}

/** Queues failed jobs again: one (NotFoundError when it is not a failure of this shop), or all. */
export async function retryFailures(deps: Pick<StatusDeps, 'queue'> & { wakeWorker(): void }, shopId: string, jobId?: string): Promise<number> {
  const retried = await deps.queue.replay(shopId, jobId);
  if (jobId && retried === 0) throw new NotFoundError('No failed change with this id (it may have been retried already).');
  if (retried > 0) deps.wakeWorker();
  return retried;
}
