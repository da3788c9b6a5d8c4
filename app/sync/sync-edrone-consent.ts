// edrone -> Shopify for one edrone event: decide with the pure rules, then
// carry out the writes (consentUpdatedAt = event_date).
import { decideEdroneEvent } from '../core/decide.js';
import type { EdroneConsentEvent } from '../core/types.js';
import { openConsent, type ConsentKey } from '../db/consent-repository.js';
import { settingsOf, type ShopRow } from '../db/shop-repository.js';
import { recordActivity, skipText } from './activity.js';
import { applyWrites } from './apply-writes.js';
import type { SyncDeps } from './sync-deps.js';

export async function syncEdroneConsent(
  deps: SyncDeps,
  shop: ShopRow,
  event: EdroneConsentEvent,
  meta: { jobId?: string; eventId?: string } = {},
): Promise<void> {
  const { prisma } = deps;
  const base = {
    shopId: shop.id,
    ...meta,
    origin: 'edrone' as const,
    channel: event.channel,
    identity: event.identity,
    reasonCode: event.reasonCode ?? event.reason,
  };
  const reasonNote = event.reason ? ` (edrone reason: ${event.reason})` : '';
  if (shop.uninstalledAt) {
    await recordActivity(prisma, { ...base, target: 'none', newState: event.status, result: 'skipped', reason: 'The app is uninstalled from this store.' });
    return;
  }
  const identity = event.identity;
  if (event.status === null || !identity) {
    const reason = skipText(event.status === null ? 'unknown_status' : 'no_identity');
    await recordActivity(prisma, { ...base, target: 'shopify', newState: event.status, result: 'skipped', reason: reason + reasonNote });
    return;
  }
  const key: ConsentKey = { shopId: shop.id, channel: event.channel, identity };
  await deps.locks.run(`${shop.id}:${event.channel}:${identity}`, async () => {
    const consent = await openConsent(prisma, key);
    const { record } = consent;
    const decision = decideEdroneEvent(record, event, settingsOf(shop), deps.now());
    await consent.save(decision.record);
    if (decision.writes.length === 0) {
      await recordActivity(prisma, {
        ...base,
        target: 'shopify',
        previousState: record.shopifyState,
        newState: event.status,
        result: 'skipped',
        reason: (decision.skip ? skipText(decision.skip) : '') + reasonNote,
      });
      return;
    }
    await applyWrites(deps, shop, consent, decision.record, decision.writes, base);
  });
}
