// Shopify -> edrone for one observed consent state (webhook, backfill or
// reconciliation): decide with the pure rules, then carry out the writes.
import { decideShopifyEvent, type SkipReason } from '../core/decide.js';
import { shopifyToEdrone } from '../core/consent-mapping.js';
import type { ShopifyConsentEvent } from '../core/types.js';
import { openConsent } from '../db/consent-repository.js';
import { settingsOf, type ShopRow } from '../db/shop-repository.js';
import { recordActivity, skipText } from './activity.js';
import { applyWrites } from './apply-writes.js';
import type { SyncDeps } from './sync-deps.js';

/**
 * Skips a backfill or reconciliation does not list one by one (its run counts them):
 * customers already in sync (including Shopify still showing what the app wrote there),
 * and states that are never sent (pending, not subscribed).
 */
const QUIET_SKIPS: ReadonlySet<SkipReason> = new Set<SkipReason>(['in_sync', 'not_mapped', 'echo']);

export async function syncShopifyConsent(
  deps: SyncDeps,
  shop: ShopRow,
  event: ShopifyConsentEvent,
  meta: { jobId?: string; eventId?: string; quietSkips?: boolean } = {},
): Promise<'sent' | 'skipped'> {
  const { prisma } = deps;
  const { quietSkips = false, ...ids } = meta;
  const base = {
    shopId: shop.id,
    ...ids,
    origin: event.origin === 'webhook' ? ('shopify' as const) : event.origin,
    channel: event.channel,
    identity: event.identity,
    customerId: event.customerId,
  };
  if (shop.uninstalledAt) {
    await recordActivity(prisma, { ...base, target: 'none', newState: event.state, result: 'skipped', reason: 'The app is uninstalled from this store.' });
    return 'skipped';
  }
  const identity = event.identity;
  if (!identity) {
    // A customer without an email or phone, whose state would send nothing anyway, is not news.
    if (quietSkips && shopifyToEdrone(event.state) === null) return 'skipped';
    await recordActivity(prisma, { ...base, target: 'edrone', newState: event.state, result: 'skipped', reason: skipText('no_identity') });
    return 'skipped';
  }
  const key = { shopId: shop.id, channel: event.channel, identity };
  return deps.locks.run(`${shop.id}:${event.channel}:${identity}`, async () => {
    const consent = await openConsent(prisma, key);
    const { record } = consent;
    const decision = decideShopifyEvent(record, event, settingsOf(shop), deps.now());
    await consent.save(decision.record, event.customerId);
    if (decision.writes.length === 0) {
      if (quietSkips && decision.skip && QUIET_SKIPS.has(decision.skip)) return 'skipped';
      await recordActivity(prisma, {
        ...base,
        target: 'edrone',
        previousState: record.edroneState,
        newState: event.state,
        result: 'skipped',
        reason: decision.skip ? skipText(decision.skip) : null,
      });
      return 'skipped';
    }
    await applyWrites(deps, shop, consent, decision.record, decision.writes, base);
    return 'sent';
  });
}
