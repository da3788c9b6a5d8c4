// edrone -> Shopify for one edrone event: decide, find (or create) the
// customer, write the consent with consentUpdatedAt = event_date, remember it.
import { afterEdroneWrite, afterShopifyWrite, decideEdroneEvent, type Write } from '../core/decide.js';
import { edroneToShopify, edroneWireValue, shopifyToEdrone } from '../core/consent-mapping.js';
import type { ConsentRecord, EdroneConsentEvent } from '../core/types.js';
import { loadConsent, saveConsent, type ConsentKey } from '../db/consent-repository.js';
import { edroneCredentials, settingsOf, type ShopRow } from '../db/shop-repository.js';
import { PermanentError } from '../errors.js';
import type { ShopifyCustomer } from '../adapters/shopify/types.js';
import { recordActivity, skipText, type ActivityInput } from './activity.js';
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
    target: 'shopify' as const,
    channel: event.channel,
    identity: event.identity,
    newState: event.status,
    reasonCode: event.reasonCode,
  };
  const reasonNote = event.reason ? ` (edrone reason: ${event.reason})` : '';
  if (shop.uninstalledAt) {
    await recordActivity(prisma, { ...base, result: 'skipped', reason: 'The app is uninstalled from this store.' });
    return;
  }
  const identity = event.identity;
  if (event.status === null || !identity) {
    await recordActivity(prisma, { ...base, result: 'skipped', reason: skipText(event.status === null ? 'unknown_status' : 'no_identity') });
    return;
  }
  const key: ConsentKey = { shopId: shop.id, channel: event.channel, identity };
  await deps.locks.run(`${shop.id}:${event.channel}:${identity}`, async () => {
    const record = await loadConsent(prisma, key);
    const decision = decideEdroneEvent(record, event, settingsOf(shop), deps.now());
    await saveConsent(prisma, key, decision.record);
    if (decision.writes.length === 0) {
      await recordActivity(prisma, {
        ...base,
        previousState: record.shopifyState,
        result: 'skipped',
        reason: decision.skip ? skipText(decision.skip) + reasonNote : null,
      });
      return;
    }
    let current = decision.record;
    for (const write of decision.writes) {
      current =
        write.target === 'shopify'
          ? await writeShopify(deps, shop, key, current, write, { ...base, previousState: record.shopifyState }, reasonNote)
          : await repairEdrone(deps, shop, key, current, write, base);
      await saveConsent(prisma, key, current);
    }
  });
}

async function writeShopify(
  deps: SyncDeps,
  shop: ShopRow,
  key: ConsentKey,
  record: ConsentRecord,
  write: Extract<Write, { target: 'shopify' }>,
  activity: Omit<ActivityInput, 'result'>,
  reasonNote: string,
): Promise<ConsentRecord> {
  const { prisma } = deps;
  const client = await deps.adminClientFor(shop.id);
  const customer =
    key.channel === 'email' ? await client.findCustomerByEmail(key.identity) : await client.findCustomerByPhone(key.identity);
  const state = edroneToShopify(write.value);
  const consent = { state, consentUpdatedAt: write.at };

  if (!customer) {
    if (!settingsOf(shop).createMissingCustomers) {
      await recordActivity(prisma, {
        ...activity,
        result: 'no_customer',
        reason: `No Shopify customer has this ${key.channel === 'email' ? 'email' : 'phone number'}; creating customers is off in the settings.${reasonNote}`,
      });
      return record;
    }
    const created = await client.createCustomer(
      key.channel === 'email' ? { email: key.identity, emailConsent: consent } : { phone: key.identity, smsConsent: consent },
    );
    await recordActivity(prisma, { ...activity, customerId: created.id, result: 'sent', reason: `Created the customer in Shopify as ${state}.${reasonNote}` });
    await saveConsent(prisma, key, record, created.id);
    return afterShopifyWrite(record, write.value, write.at, deps.now());
  }

  const snapshot = key.channel === 'email' ? customer.emailConsent : customer.smsConsent;
  const known = snapshotOf(snapshot);
  if (known && shopifyToEdrone(known.state) === write.value && known.state === write.value) {
    await recordActivity(prisma, { ...activity, customerId: customer.id, result: 'skipped', reason: skipText('in_sync') + reasonNote });
    return { ...record, shopifyState: known.state, shopifyAt: known.at ?? record.shopifyAt };
  }
  if (known?.at && known.at > write.at) {
    await recordActivity(prisma, { ...activity, customerId: customer.id, result: 'skipped', reason: skipText('other_side_newer') + reasonNote });
    return { ...record, shopifyState: known.state, shopifyAt: known.at };
  }
  const updated =
    key.channel === 'email'
      ? await client.updateEmailConsent(customer.id, state, write.at)
      : await client.updateSmsConsent(customer.id, state, write.at);
  await saveConsent(prisma, key, record, customer.id);
  const after = snapshotOf(key.channel === 'email' ? updated.emailConsent : updated.smsConsent);
  if (after && after.state !== write.value) {
    // Shopify kept a newer consent record of its own.
    await recordActivity(prisma, { ...activity, customerId: customer.id, result: 'skipped', reason: skipText('other_side_newer') + reasonNote });
    return { ...record, shopifyState: after.state, shopifyAt: after.at ?? record.shopifyAt };
  }
  await recordActivity(prisma, { ...activity, customerId: customer.id, result: 'sent', reason: `Set to ${state} in Shopify.${reasonNote}` });
  return afterShopifyWrite(record, write.value, write.at, deps.now());
}

function snapshotOf(s: ShopifyCustomer['emailConsent']) {
  if (!s) return null;
  return { state: s.state, at: s.consentUpdatedAt ? new Date(s.consentUpdatedAt) : null };
}

async function repairEdrone(
  deps: SyncDeps,
  shop: ShopRow,
  key: ConsentKey,
  record: ConsentRecord,
  write: Extract<Write, { target: 'edrone' }>,
  base: Omit<ActivityInput, 'result'>,
): Promise<ConsentRecord> {
  const credentials = edroneCredentials(shop, deps.secretBox);
  if (!credentials) throw new PermanentError('edrone_not_configured', 'Enter your edrone App ID and App Secret in Setup, then retry this change.');
  const value = edroneWireValue(write.value);
  await deps.edrone.sendSubscribe(
    key.channel === 'email'
      ? { appId: credentials.appId, email: key.identity, subscriberStatus: value }
      : { appId: credentials.appId, phone: key.identity, smsSubscriberStatus: value },
  );
  await recordActivity(deps.prisma, {
    ...base,
    target: 'edrone',
    result: 'sent',
    reason: 'Restored this newer edrone state, which an older Shopify change had overwritten.',
  });
  return afterEdroneWrite(record, write.value, write.at, deps.now());
}
