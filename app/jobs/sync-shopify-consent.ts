// Shopify -> edrone for one observed consent state (webhook, backfill or
// reconciliation): decide with the pure rules, send the trace, remember it.
import { afterEdroneWrite, decideShopifyEvent } from '../core/decide.js';
import { edroneWireValue } from '../core/consent-mapping.js';
import type { ShopifyConsentEvent } from '../core/types.js';
import { loadConsent, saveConsent } from '../db/consent-repository.js';
import { edroneCredentials, settingsOf, type ShopRow } from '../db/shop-repository.js';
import { PermanentError } from '../errors.js';
import { recordActivity, skipText } from './activity.js';
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
    target: 'edrone' as const,
    channel: event.channel,
    identity: event.identity,
    customerId: event.customerId,
    newState: event.state,
  };
  if (shop.uninstalledAt) {
    await recordActivity(prisma, { ...base, result: 'skipped', reason: 'The app is uninstalled from this store.' });
    return 'skipped';
  }
  const identity = event.identity;
  if (!identity) {
    await recordActivity(prisma, { ...base, result: 'skipped', reason: skipText('no_identity') });
    return 'skipped';
  }
  const key = { shopId: shop.id, channel: event.channel, identity };
  return deps.locks.run(`${shop.id}:${event.channel}:${identity}`, async () => {
    const record = await loadConsent(prisma, key);
    const decision = decideShopifyEvent(record, event, settingsOf(shop), deps.now());
    await saveConsent(prisma, key, decision.record, event.customerId);
    const write = decision.writes[0];
    if (!write || write.target !== 'edrone') {
      await recordActivity(prisma, {
        ...base,
        previousState: record.edroneState,
        result: 'skipped',
        reason: decision.skip ? skipText(decision.skip) : null,
        reasonCode: decision.skip,
      });
      return 'skipped';
    }
    const credentials = edroneCredentials(shop, deps.secretBox);
    if (!credentials) {
      throw new PermanentError('edrone_not_configured', 'Enter your edrone App ID and App Secret in Setup, then retry this change.');
    }
    const value = edroneWireValue(write.value);
    await deps.edrone.sendSubscribe(
      event.channel === 'email'
        ? { appId: credentials.appId, email: identity, subscriberStatus: value }
        : { appId: credentials.appId, phone: identity, smsSubscriberStatus: value },
    );
    await saveConsent(prisma, key, afterEdroneWrite(decision.record, write.value, write.at, deps.now()));
    await recordActivity(prisma, {
      ...base,
      previousState: record.edroneState,
      newState: write.value,
      result: 'sent',
      reason: `Sent to edrone as subscriber_status=${value}.`,
    });
    return 'sent';
  });
}
