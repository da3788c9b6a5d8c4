// The consent rules: given what the app knows for one (shop, channel, identity),
// an incoming event and the shop's settings, decide what to write where.
// Pure: time comes in as `now`, nothing is read or written here.
import { shopifyToEdrone } from './consent-mapping.js';
import type { ConsentRecord, EdroneConsentEvent, EdroneState, ShopifyConsentEvent, SyncSettings } from './types.js';

/** A report of the app's own write that arrives within this window is its echo. */
export const ECHO_WINDOW_MS = 10 * 60 * 1000;

/** edrone reasons that mean "a trace changed this", i.e. possibly the app itself. */
export const TRACE_REASONS = new Set(['TRACE_SUBSCRIBED', 'TRACE_UNSUBSCRIBED', 'TRACE_UPDATE', 'TRACE_UNKNOWN']);

export const SKIP_REASONS = {
  stale: 'A newer change for this customer was already received; this older one was ignored.',
  echo: "This is the report of the app's own update, so it was not sent back.",
  in_sync: 'Both sides already have this state.',
  not_mapped: 'Pending (double opt-in not confirmed) and never-subscribed states are not sent to edrone.',
  paused: 'Sync is paused in the settings.',
  direction: 'This direction is switched off in the settings.',
  channel_off: 'This channel is switched off in the settings.',
  status_filter: 'The settings apply only the other kind of edrone status (subscribes or unsubscribes).',
  unknown_status: 'edrone sent no status ("information not available"): nothing to change.',
  other_side_newer: 'The other side changed more recently, so this older change was not applied.',
  no_identity: 'The customer has no email (email consent) or no valid phone with country code (SMS consent).',
} as const;
export type SkipReason = keyof typeof SKIP_REASONS;

export type Write =
  | { target: 'edrone'; value: EdroneState; at: Date | null }
  | { target: 'shopify'; value: EdroneState; at: Date };

export interface Decision {
  /** What to write, in order. Empty: nothing to do, see `skip`. */
  writes: Write[];
  skip: SkipReason | null;
  /** The record with this observation applied; persist it whatever the outcome. */
  record: ConsentRecord;
}

const skip = (reason: SkipReason, record: ConsentRecord): Decision => ({ writes: [], skip: reason, record });

/** a is known to be strictly older than b. An unknown time is older than any known one. */
function isOlder(a: Date | null, b: Date | null): boolean {
  if (!b) return false;
  if (!a) return true;
  return a.getTime() < b.getTime();
}

function within(now: Date, wall: Date | null): boolean {
  return wall !== null && now.getTime() - wall.getTime() <= ECHO_WINDOW_MS;
}

function sameTime(a: Date | null, b: Date | null): boolean {
  return a !== null && b !== null && a.getTime() === b.getTime();
}

/** Shopify -> edrone: a consent change observed on Shopify. */
export function decideShopifyEvent(
  record: ConsentRecord,
  event: ShopifyConsentEvent,
  settings: SyncSettings,
  now: Date,
): Decision {
  if (!event.identity) return skip('no_identity', record);
  if (isOlder(event.at, record.shopifyAt)) return skip('stale', record);

  const observed: ConsentRecord = { ...record, shopifyState: event.state, shopifyAt: event.at ?? record.shopifyAt };
  if (
    record.wroteShopifyState === event.state &&
    (sameTime(event.at, record.wroteShopifyAt) || within(now, record.wroteShopifyWallAt))
  ) {
    return skip('echo', observed);
  }

  const value = shopifyToEdrone(event.state);
  if (value === null) return skip('not_mapped', observed);
  if (settings.direction === 'paused') return skip('paused', observed);
  if (settings.direction === 'edrone_to_shopify') return skip('direction', observed);
  if (!settings.channels[event.channel]) return skip('channel_off', observed);
  // Covers "no silent re-subscribe": a known, newer edrone unsubscribe is never overwritten.
  if (record.edroneState !== value && isOlder(event.at, record.edroneAt)) return skip('other_side_newer', observed);
  if (record.edroneState === value) return skip('in_sync', observed);
  return { writes: [{ target: 'edrone', value, at: event.at }], skip: null, record: observed };
}

/** edrone -> Shopify: a consent change reported by edrone. */
export function decideEdroneEvent(
  record: ConsentRecord,
  event: EdroneConsentEvent,
  settings: SyncSettings,
  now: Date,
): Decision {
  if (event.status === null) return skip('unknown_status', record);
  if (!event.identity) return skip('no_identity', record);
  if (isOlder(event.at, record.edroneAt)) return skip('stale', record);

  const status = event.status;
  const observed: ConsentRecord = { ...record, edroneState: status, edroneAt: event.at };
  if (
    record.wroteEdroneState === status &&
    ((event.reason !== null && TRACE_REASONS.has(event.reason)) || within(now, record.wroteEdroneWallAt))
  ) {
    return skip('echo', observed);
  }

  // The app pushed an older Shopify state to edrone after this change had
  // happened in edrone: that trace overwrote a newer edrone change. Put it back.
  const overwritten =
    record.wroteEdroneState !== null &&
    record.wroteEdroneState !== status &&
    record.wroteEdroneWallAt !== null &&
    record.wroteEdroneWallAt.getTime() > event.at.getTime() &&
    isOlder(record.wroteEdroneAt, event.at);
  const repair: Write[] = overwritten ? [{ target: 'edrone', value: status, at: event.at }] : [];
  const orRepair = (reason: SkipReason): Decision =>
    repair.length > 0 ? { writes: repair, skip: null, record: observed } : skip(reason, observed);

  if (settings.direction === 'paused') return skip('paused', observed);
  if (settings.direction === 'shopify_to_edrone') return orRepair('direction');
  if (!settings.channels[event.channel]) return orRepair('channel_off');
  if (settings.edroneStatuses === 'unsubscribes' && status === 'subscribed') return orRepair('status_filter');
  if (settings.edroneStatuses === 'subscribes' && status === 'unsubscribed') return orRepair('status_filter');

  const shopifyValue = record.shopifyState ? shopifyToEdrone(record.shopifyState) : null;
  if (shopifyValue !== status && isOlder(event.at, record.shopifyAt)) return orRepair('other_side_newer');
  if (shopifyValue === status) return orRepair('in_sync');
  return { writes: [{ target: 'shopify', value: status, at: event.at }, ...repair], skip: null, record: observed };
}

/** The record after the app wrote `value` to edrone. */
export function afterEdroneWrite(record: ConsentRecord, value: EdroneState, at: Date | null, now: Date): ConsentRecord {
  return {
    ...record,
    edroneState: value,
    edroneAt: at && (!record.edroneAt || at > record.edroneAt) ? at : record.edroneAt,
    wroteEdroneState: value,
    wroteEdroneAt: at,
    wroteEdroneWallAt: now,
  };
}

/** The record after the app wrote `value` to Shopify with consentUpdatedAt = at. */
export function afterShopifyWrite(record: ConsentRecord, value: EdroneState, at: Date, now: Date): ConsentRecord {
  return {
    ...record,
    shopifyState: value,
    shopifyAt: !record.shopifyAt || at > record.shopifyAt ? at : record.shopifyAt,
    wroteShopifyState: value,
    wroteShopifyAt: at,
    wroteShopifyWallAt: now,
  };
}
