// Carries out the writes the rules decided, in order, recording each one.
import type { ShopifyCustomer } from '../adapters/index.js';
import { afterEdroneWrite, afterShopifyWrite, SKIP_REASONS, type Write } from '../core/decide.js';
import { edroneToShopify, edroneWireValue } from '../core/consent-mapping.js';
import { optInLevelFor, type OptInLevel } from '../core/opt-in-level.js';
import { catchUpWrites, WRITE_ROUNDS } from '../core/plan-writes.js';
import type { ConsentRecord } from '../core/types.js';
import { edroneCredentials, settingsOf, type ConsentHandle, type ConsentKey, type ShopRow } from '../db/index.js';
import { PermanentError } from '../errors.js';
import { recordActivity, type ActivityInput } from './activity.js';
import type { SyncDeps } from './deps.js';

/** `reason` in the base, when given, is a note that goes before each write's own reason (a tie, say). */
type ActivityBase = Omit<ActivityInput, 'result' | 'target'>;

const noted = (activity: ActivityBase, reason: string): string => (activity.reason ? `${activity.reason} ${reason}` : reason);

export async function applyWrites(
  deps: SyncDeps,
  shop: ShopRow,
  consent: ConsentHandle,
  record: ConsentRecord,
  writes: Write[],
  activity: ActivityBase,
): Promise<ConsentRecord> {
  let current = record;
  let pending = writes;
  // The decision's writes, then the catch-up round (core/plan-writes.ts).
  for (let round = 0; round < WRITE_ROUNDS && pending.length > 0; round++) {
    for (const write of pending) {
      current =
        write.target === 'edrone'
          ? await writeEdrone(deps, shop, consent.key, current, write, activity)
          : await writeShopify(deps, shop, consent, current, write, activity);
      await consent.save(current);
    }
    pending = catchUpWrites(current, consent.key.channel, settingsOf(shop), pending);
  }
  return current;
}

async function writeEdrone(
  deps: SyncDeps,
  shop: ShopRow,
  key: ConsentKey,
  record: ConsentRecord,
  write: Extract<Write, { target: 'edrone' }>,
  activity: ActivityBase,
): Promise<ConsentRecord> {
  const credentials = edroneCredentials(shop, deps.secretBox);
  if (!credentials) {
    throw new PermanentError('edrone_not_configured', 'Enter your edrone App ID and App Secret in Setup, then retry this change.');
  }
  const value = edroneWireValue(write.value);
  // The moment edrone may apply it, at the earliest: its report of this trace is dated from then on.
  const sentAt = deps.now();
  await deps.edrone.sendSubscribe(
    key.channel === 'email'
      ? { appId: credentials.appId, email: key.identity, subscriberStatus: value }
      : { appId: credentials.appId, phone: key.identity, smsSubscriberStatus: value },
  );
  await recordActivity(deps.data, {
    ...activity,
    target: 'edrone',
    previousState: record.edroneState,
    newState: write.value,
    result: 'sent',
    reason: noted(
      activity,
      record.truthSource === 'edrone'
        ? `Restored edrone's newer state (${key.channel === 'email' ? 'subscriber_status' : 'sms_subscriber_status'}=${value}), which an older change had overwritten.`
        : `Sent to edrone as ${key.channel === 'email' ? 'subscriber_status' : 'sms_subscriber_status'}=${value}.`,
    ),
  });
  return afterEdroneWrite(record, write.value, write.at, sentAt, deps.now());
}

/** The opt-in level Shopify holds for the channel; null when it gave none. */
function levelOf(customer: ShopifyCustomer, channel: ConsentKey['channel']): OptInLevel | null {
  return (channel === 'email' ? customer.emailConsent : customer.smsConsent)?.optInLevel ?? null;
}

function consentOf(customer: ShopifyCustomer, channel: ConsentKey['channel']) {
  const s = channel === 'email' ? customer.emailConsent : customer.smsConsent;
  return s ? { state: s.state, at: s.consentUpdatedAt ? new Date(s.consentUpdatedAt) : null } : null;
}

async function writeShopify(
  deps: SyncDeps,
  shop: ShopRow,
  consent: ConsentHandle,
  record: ConsentRecord,
  write: Extract<Write, { target: 'shopify' }>,
  activity: ActivityBase,
): Promise<ConsentRecord> {
  const { key } = consent;
  const base = { ...activity, target: 'shopify' as const, previousState: record.shopifyState, newState: write.value };
  // When the app reads (and then writes) Shopify: a change of an earlier second came before it (core/decide.ts).
  const sentAt = deps.now();
  const client = await deps.adminClientFor(shop.id);
  const customer =
    key.channel === 'email' ? await client.findCustomerByEmail(key.identity) : await client.findCustomerByPhone(key.identity);
  const state = edroneToShopify(write.value);
  // The opt-in level edrone's reason proves (core/opt-in-level.ts); UNKNOWN for anything else.
  const optInLevel = activity.origin === 'edrone' ? optInLevelFor(key.channel, activity.reasonCode) : 'UNKNOWN';
  const wanted = { state, consentUpdatedAt: write.at, optInLevel };
  const what = key.channel === 'email' ? 'email' : 'phone number';

  if (!customer) {
    if (!settingsOf(shop).createMissingCustomers) {
      await recordActivity(deps.data, {
        ...base,
        result: 'no_customer',
        reason: noted(activity, `No Shopify customer has this ${what}; creating missing customers is off in the settings.`),
      });
      return record;
    }
    const created = await client.createCustomer(
      key.channel === 'email' ? { email: key.identity, emailConsent: wanted } : { phone: key.identity, smsConsent: wanted },
    );
    await consent.save(record, created.id);
    const recorded = levelOf(created, key.channel) ?? optInLevel;
    await recordActivity(deps.data, { ...base, customerId: created.id, result: 'sent', optInLevel: recorded, reason: noted(activity, `Created the customer in Shopify with ${key.channel} consent ${state}.`) });
    return afterShopifyWrite(record, write.value, write.at, sentAt, consentOf(created, key.channel) ?? undefined);
  }

  await consent.save(record, customer.id);
  const before = consentOf(customer, key.channel);
  // The state just read from Shopify: the stored record is empty for a customer the app has not seen yet.
  if (before) base.previousState = before.state;
  if (before && before.state === write.value) {
    await recordActivity(deps.data, { ...base, customerId: customer.id, result: 'skipped', optInLevel: levelOf(customer, key.channel), reason: noted(activity, SKIP_REASONS.in_sync) });
    return afterShopifyWrite(record, write.value, write.at, sentAt, before);
  }
  const updated =
    key.channel === 'email'
      ? await client.updateEmailConsent(customer.id, state, write.at, optInLevel)
      : await client.updateSmsConsent(customer.id, state, write.at, optInLevel);
  const after = consentOf(updated, key.channel);
  const kept = after !== null && after.state !== write.value;
  await recordActivity(deps.data, {
    ...base,
    customerId: customer.id,
    result: kept ? 'skipped' : 'sent',
    // What Shopify recorded, read back from its answer: the history never claims more.
    optInLevel: levelOf(updated, key.channel) ?? optInLevel,
    reason: noted(activity, kept ? `Shopify kept its newer ${after.state} state. ${SKIP_REASONS.other_side_newer}` : `Set to ${state} in Shopify.`),
  });
  return afterShopifyWrite(record, write.value, write.at, sentAt, after ?? undefined);
}
