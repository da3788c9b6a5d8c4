// One consent change from either side: decide with the pure rules, remember the
// decision, then carry out the writes (apply-writes.ts). Both directions share
// this one path; what differs per side is the small strategy below.
import { shopifyToEdrone } from '../core/consent-mapping.js';
import { DECISION_NOTES, decideEdroneEvent, decideShopifyEvent, type Decision, type SkipReason } from '../core/decide.js';
import { decideOnce } from '../core/report-memory.js';
import type { Channel, ConsentRecord, EdroneConsentEvent, ShopifyConsentEvent, SyncSettings } from '../core/types.js';
import { settingsOf, type ConsentKey, type ShopRow } from '../db/index.js';
import { recordActivity, skipText, type ActivityInput } from './activity.js';
import { applyWrites } from './apply-writes.js';
import type { SyncDeps } from './deps.js';

/** A consent state observed on one side: a Shopify webhook, backfill or reconciliation line, or an edrone report. */
export type ConsentChange = { side: 'shopify'; event: ShopifyConsentEvent } | { side: 'edrone'; event: EdroneConsentEvent };

export interface SyncMeta {
  jobId?: string;
  eventId?: string;
  /**
   * A bulk run (initial sync, reconciliation) lists no row for what is not news:
   * customers already in sync, and states that are never sent. Its run counts them.
   */
  quietSkips?: boolean;
  /** The job had failed before: its rows show as retries in Activity. */
  retried?: boolean;
  /** The report's own id (its stored delivery, one per change in it): decided once (core/report-memory.ts). Absent for bulk runs' reads. */
  reportId?: string;
}

type ActivityBase = Omit<ActivityInput, 'result' | 'target'>;

/** What differs between the two directions. */
interface Side<E> {
  /** The side the change is written to. */
  target: 'edrone' | 'shopify';
  base(shop: ShopRow, event: E, ids: { jobId?: string; eventId?: string; retried?: boolean }): ActivityBase;
  /** The observed state, as the activity shows it. */
  observed(event: E): string | null;
  /** Why nothing can be done with the change at all, before any state is read. */
  unusable(event: E): SkipReason | null;
  /** An unusable change that a bulk run does not list. */
  quietWhenUnusable(event: E): boolean;
  decide(record: ConsentRecord, event: E, settings: SyncSettings, now: Date): Decision;
  /** The Shopify customer id to remember with the row, when the change names one. */
  customerId(event: E): string | undefined;
  /** The target side's believed state, as the activity shows it. */
  believedTarget(record: ConsentRecord): string | null;
  /** Skips a bulk run does not list one by one. */
  quietSkips: ReadonlySet<SkipReason>;
}

const SHOPIFY: Side<ShopifyConsentEvent> = {
  target: 'edrone',
  base: (shop, e, ids) => ({
    shopId: shop.id,
    ...ids,
    origin: e.origin === 'webhook' ? 'shopify' : e.origin,
    channel: e.channel,
    identity: e.identity,
    customerId: e.customerId,
    // For the consent history (sync/activity.ts): when, what Shopify said, at which opt-in level.
    eventAt: e.at,
    observedState: e.state,
    optInLevel: e.optInLevel ?? null,
  }),
  observed: (e) => e.state,
  unusable: (e) => (e.identity ? null : 'no_identity'),
  // A customer without an email or phone, whose state would send nothing anyway, is not news.
  quietWhenUnusable: (e) => shopifyToEdrone(e.state) === null,
  decide: decideShopifyEvent,
  customerId: (e) => e.customerId,
  believedTarget: (r) => r.edroneState,
  // Already in sync (including Shopify still showing what the app wrote there), and states never sent.
  quietSkips: new Set<SkipReason>(['in_sync', 'not_mapped', 'echo']),
};

const EDRONE: Side<EdroneConsentEvent> = {
  target: 'shopify',
  base: (shop, e, ids) => ({
    shopId: shop.id,
    ...ids,
    origin: 'edrone',
    channel: e.channel,
    identity: e.identity,
    // recordActivity names the reason in words from this code.
    reasonCode: e.reasonCode ?? e.reason,
    eventAt: e.at,
    observedState: e.status,
  }),
  observed: (e) => e.status,
  unusable: (e) => (e.status === null ? 'unknown_status' : e.identity ? null : 'no_identity'),
  quietWhenUnusable: () => false,
  decide: decideEdroneEvent,
  customerId: () => undefined,
  believedTarget: (r) => r.shopifyState,
  quietSkips: new Set<SkipReason>(),
};

/** Syncs one observed consent state; 'sent' when a write was carried out. */
/** The key a change of one customer's channel is locked with: one change of a customer at a time in this process. */
export const consentLockKey = (key: ConsentKey): string => `${key.shopId}:${key.channel}:${key.identity}`;

export function syncConsent(deps: SyncDeps, shop: ShopRow, change: ConsentChange, meta: SyncMeta = {}): Promise<'sent' | 'skipped'> {
  return change.side === 'shopify' ? run(deps, shop, SHOPIFY, change.event, meta) : run(deps, shop, EDRONE, change.event, meta);
}

async function run<E extends { channel: Channel; identity: string | null }>(
  deps: SyncDeps,
  shop: ShopRow,
  side: Side<E>,
  event: E,
  meta: SyncMeta,
): Promise<'sent' | 'skipped'> {
  const { quietSkips = false, reportId = null, ...ids } = meta;
  const base = side.base(shop, event, ids);
  const skipped = async (activity: Partial<ActivityInput>): Promise<'skipped'> => {
    await recordActivity(deps.data, { ...base, target: side.target, newState: side.observed(event), result: 'skipped', ...activity });
    return 'skipped';
  };
  if (shop.uninstalledAt) return skipped({ target: 'none', reason: 'The app is uninstalled from this store.' });
  const unusable = side.unusable(event);
  if (unusable || !event.identity) {
    if (quietSkips && side.quietWhenUnusable(event)) return 'skipped';
    return skipped({ reason: skipText(unusable ?? 'no_identity') });
  }

  const key = { shopId: shop.id, channel: event.channel, identity: event.identity };
  return deps.locks.run(consentLockKey(key), async () => {
    const consent = await deps.data.consent.open(key);
    const { record } = consent;
    // A report decided before (a retried job) writes only what is still missing.
    const decision = decideOnce(side.decide, record, event, settingsOf(shop), deps.now(), reportId);
    await consent.save(decision.record, side.customerId(event));
    if (decision.writes.length === 0) {
      if (quietSkips && decision.skip && side.quietSkips.has(decision.skip)) return 'skipped';
      return skipped({ previousState: side.believedTarget(record), reason: decision.skip ? skipText(decision.skip) : null });
    }
    // A tie: Activity says why the writes go where they go.
    const noted = decision.note ? { ...base, reason: DECISION_NOTES[decision.note] } : base;
    await applyWrites(deps, shop, consent, decision.record, decision.writes, noted);
    return 'sent';
  });
}
