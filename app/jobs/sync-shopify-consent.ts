// Shopify -> edrone for one observed consent state (webhook, backfill or
// reconciliation): decide with the pure rules, then carry out the writes.
import { decideShopifyEvent } from '../core/decide.js';
import type { ShopifyConsentEvent } from '../core/types.js';
import { openConsent } from '../db/consent-repository.js';
import { settingsOf, type ShopRow } from '../db/shop-repository.js';
import { recordActivity, skipText } from './activity.js';
import { applyWrites } from './apply-writes.js';
import type { SyncDeps } from './sync-deps.js';

export async function syncShopifyConsent(
  deps: SyncDeps,
  shop: ShopRow,
  event: ShopifyConsentEvent,
  meta: { jobId?: string; eventId?: string } = {},
): Promise<'sent' | 'skipped'> {
  const { prisma } = deps;
  const base = {
    shopId: shop.id,
    ...meta,
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
