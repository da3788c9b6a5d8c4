// The consent rules. For one (shop, channel, customer) the record keeps:
// - the newest REAL change known from either side (truth*): a customer, agent or
//   merchant action with its time. Reports of the app's own writes (echoes) are
//   never real changes, so they can neither win nor loop;
// - what each side is believed to hold (shopify*, edrone*), stamped with the time
//   of the real change that state represents.
// A side is written only when its state differs from the truth AND is older than
// it. So the newest real change wins on both sides, a side that moved on (a
// newer pending double opt-in, say) is left alone, and an unsubscribe turns into
// a subscribe only through a newer, real subscribe.
// Pure: time comes in as `now`; nothing here reads or writes anything.
import { shopifyToEdrone } from './consent-mapping.js';
import { appliedAround, CLOCK_SKEW_MS, rememberTrace, SECOND_MS, secondOf, TRACE_APPLY_MS } from './trace-memory.js';
import type { Channel, ConsentRecord, EdroneConsentEvent, EdroneState, ShopifyConsentEvent, ShopifyState, SyncSettings, TraceMark } from './types.js';
export { CLOCK_SKEW_MS, TRACE_APPLY_MS, TRACE_MEMORY_COUNT, TRACE_MEMORY_MS } from './trace-memory.js';

/** A report of the app's own trace that arrives within this window is its echo. */
export const ECHO_WINDOW_MS = 10 * 60 * 1000;

/** edrone reasons meaning "a trace changed this": maybe the app itself. */
export const TRACE_REASONS = new Set(['TRACE_SUBSCRIBED', 'TRACE_UNSUBSCRIBED', 'TRACE_UPDATE', 'TRACE_UNKNOWN']);

export const SKIP_REASONS = {
  stale: 'A newer change for this customer was already received; this older one changed nothing.',
  echo: "This is the report of the app's own update, so it was not sent back.",
  in_sync: 'Both sides already have this state.',
  not_mapped: 'Pending (double opt-in not confirmed) and never-subscribed states are not sent to edrone.',
  paused: 'Sync is paused in the settings: the change was recorded, nothing was sent.',
  direction: 'This direction is switched off in the settings.',
  channel_off: 'This channel is switched off in the settings.',
  status_filter: 'The settings apply only the other kind of edrone status (subscribes or unsubscribes).',
  unknown_status: 'edrone sent no status ("information not available"): nothing to change.',
  other_side_newer: 'The other side has a newer change, so this older one was not applied.',
  no_identity: 'The customer has no email (email consent) or no valid phone with country code (SMS consent).',
  duplicate: 'This change was already handled (the job ran again after an interruption): nothing was left to do.',
} as const;
export type SkipReason = keyof typeof SKIP_REASONS;

/** Why writes were made that the report alone would not explain (shown in Activity before what was written). */
export const DECISION_NOTES = {
  tie: 'A change of the other state was made in the same second on the other side: the two cannot be ordered, so the unsubscribe wins and both sides get it.',
  split: "Reconciliation found Shopify holding another state than the app believed it held: the newest change was written again where it was missing.",
  trace_ambiguous:
    "edrone reported a change in the second of the app's own trace that cannot be told from the report of the app's earlier trace: the app's state is sent to edrone again.",
} as const;
export type DecisionNote = keyof typeof DECISION_NOTES;

export type Write =
  | { target: 'edrone'; value: EdroneState; at: Date | null }
  | { target: 'shopify'; value: EdroneState; at: Date };

export interface Decision {
  /** What to write, in order. Empty: nothing to do, see `skip`. */
  writes: Write[];
  skip: SkipReason | null;
  /** The record with this observation applied; persist it whatever the outcome. */
  record: ConsentRecord;
  /** Why the writes go where they go, when the report alone does not say (a tie). */
  note?: DecisionNote;
}

const ms = (d: Date | null) => (d === null ? Number.NEGATIVE_INFINITY : d.getTime());

/** A real change (state, at) replaces the truth when it is newer; on a tie, an unsubscribe wins. */
function beatsTruth(record: ConsentRecord, state: EdroneState, at: Date | null): boolean {
  if (record.truthState === null) return true;
  if (ms(at) !== ms(record.truthAt)) return ms(at) > ms(record.truthAt);
  return state === 'unsubscribed' && record.truthState === 'subscribed';
}

function withTruth(record: ConsentRecord, state: EdroneState, at: Date | null, source: 'shopify' | 'edrone'): ConsentRecord {
  return beatsTruth(record, state, at) ? { ...record, truthState: state, truthAt: at, truthSource: source } : record;
}

/** Why a write to a side is not allowed by the settings, or null when it is. */
function blockedBySettings(target: 'edrone' | 'shopify', value: EdroneState, channel: Channel, s: SyncSettings): SkipReason | null {
  if (s.direction === 'paused') return 'paused';
  if (!s.channels[channel]) return 'channel_off';
  if (target === 'edrone' && s.direction === 'edrone_to_shopify') return 'direction';
  if (target === 'shopify') {
    if (s.direction === 'shopify_to_edrone') return 'direction';
    if (s.edroneStatuses === 'unsubscribes' && value === 'subscribed') return 'status_filter';
    if (s.edroneStatuses === 'subscribes' && value === 'unsubscribed') return 'status_filter';
  }
  return null;
}

/** The writes that bring each side to the truth, and why there are none. */
export function writesNeeded(
  record: ConsentRecord,
  channel: Channel,
  settings: SyncSettings,
): { writes: Write[]; blocked: SkipReason | null } {
  const truth = record.truthState;
  if (truth === null) return { writes: [], blocked: null };
  const writes: Write[] = [];
  let blocked: SkipReason | null = null;
  const lagging = (state: EdroneState | null, at: Date | null) => state !== truth && ms(at) <= ms(record.truthAt);

  if (lagging(record.shopifyState ? shopifyToEdrone(record.shopifyState) : null, record.shopifyAt) && record.truthAt) {
    const why = blockedBySettings('shopify', truth, channel, settings);
    if (why) blocked = why;
    else writes.push({ target: 'shopify', value: truth, at: record.truthAt });
  }
  if (lagging(record.edroneState, record.edroneAt)) {
    const why = blockedBySettings('edrone', truth, channel, settings);
    if (why) blocked ??= why;
    else writes.push({ target: 'edrone', value: truth, at: record.truthAt });
  }
  return { writes, blocked };
}

function decision(record: ConsentRecord, channel: Channel, settings: SyncSettings, fallback: SkipReason, note?: DecisionNote): Decision {
  const { writes, blocked } = writesNeeded(record, channel, settings);
  if (writes.length > 0) return note ? { writes, skip: null, record, note } : { writes, skip: null, record };
  const agrees = (state: EdroneState | null) => state === record.truthState;
  const bothAgree = agrees(record.shopifyState ? shopifyToEdrone(record.shopifyState) : null) && agrees(record.edroneState);
  // "in_sync" only when it is true; otherwise a side holds a newer state of its own.
  return { writes, skip: blocked ?? (fallback === 'in_sync' && !bothAgree ? 'other_side_newer' : fallback), record };
}


/**
 * The believed state after a report of the same time as the believed one but
 * another state (two changes within one second: both platforms count in whole
 * seconds). Kept only when the belief is the app's own write (or read-back) and
 * the app sent it after that whole second was over, give or take the clock skew:
 * then the reported change came first and the app's write replaced it. Otherwise
 * the side may hold either: unknown, so the truth is written there (for Shopify,
 * apply-writes reads the customer first and sends no mutation when it already
 * holds the truth).
 */
function sameTimeBelief<S>(believed: S | null, ownWrite: boolean, wroteWallAt: Date | null, at: Date | null): S | null {
  const after = wroteWallAt !== null && at !== null && wroteWallAt.getTime() >= secondOf(at.getTime()) + SECOND_MS + CLOCK_SKEW_MS;
  return ownWrite && after ? believed : null;
}

/** A real change of `state` at `at` and the truth cannot be ordered: same second, other state. */
function isTie(record: ConsentRecord, state: EdroneState, at: Date | null): boolean {
  return record.truthState !== null && state !== record.truthState && ms(at) === ms(record.truthAt);
}

/** Shopify -> edrone: a consent state observed on Shopify (webhook, backfill or reconciliation). */
export function decideShopifyEvent(
  record: ConsentRecord,
  event: ShopifyConsentEvent,
  settings: SyncSettings,
  _now: Date,
): Decision {
  if (!event.identity) return { writes: [], skip: 'no_identity', record };
  const isOwnWrite =
    record.wroteShopifyState === event.state && event.at !== null && Math.abs(ms(event.at) - ms(record.wroteShopifyAt)) < CLOCK_SKEW_MS;
  // Shopify keeps the newest consent record itself: an older report no longer describes
  // what it holds, but as a real change it may still be the newest one (before a pending, say).
  let next: ConsentRecord = record;
  // Reconciliation reads the customer as Shopify holds it now: that replaces the belief, however
  // old its consent time (a split the webhooks left is then seen, and repaired below).
  const split = event.origin === 'reconcile' && record.shopifyState !== null && event.state !== record.shopifyState && !isOwnWrite;
  if (split) {
    next = { ...record, shopifyState: event.state, shopifyAt: event.at };
  } else if (record.shopifyAt === null || ms(event.at) > ms(record.shopifyAt)) {
    next = { ...record, shopifyState: event.state, shopifyAt: event.at ?? record.shopifyAt };
  } else if (ms(event.at) === ms(record.shopifyAt) && event.state !== record.shopifyState) {
    const believedIsOwnWrite = record.shopifyState === record.wroteShopifyState && ms(record.shopifyAt) <= ms(record.wroteShopifyAt);
    next = { ...record, shopifyState: sameTimeBelief(record.shopifyState, believedIsOwnWrite, record.wroteShopifyWallAt, event.at) };
  }
  const mapped = shopifyToEdrone(event.state);
  const tie = mapped !== null && !isOwnWrite && isTie(next, mapped, event.at);
  const newer = mapped !== null && !isOwnWrite && beatsTruth(next, mapped, event.at);
  if (mapped !== null && !isOwnWrite) next = withTruth(next, mapped, event.at, 'shopify');

  const fallback: SkipReason = isOwnWrite
    ? 'echo'
    : mapped === null
      ? 'not_mapped'
      : newer || next.truthState === mapped
        ? 'in_sync'
        : next.truthSource === 'shopify'
          ? 'stale'
          : 'other_side_newer';
  return decision(next, event.channel, settings, fallback, tie ? 'tie' : split ? 'split' : undefined);
}

/** edrone -> Shopify: a consent change reported by edrone. */
export function decideEdroneEvent(
  record: ConsentRecord,
  event: EdroneConsentEvent,
  settings: SyncSettings,
  _now: Date,
): Decision {
  if (event.status === null) return { writes: [], skip: 'unknown_status', record };
  if (!event.identity) return { writes: [], skip: 'no_identity', record };
  const status = event.status;
  const at = event.at.getTime();

  // A report that may come from a trace (TRACE_* reason, or none given) of the state the app
  // traced last, dated from that trace on (edrone counts whole seconds): its echo, early or late.
  const traceLike = event.reason === null || TRACE_REASONS.has(event.reason);
  const lastTrace = record.wroteEdroneWallAt?.getTime() ?? null;
  const lastTraceSecond = lastTrace === null ? null : secondOf(lastTrace);
  // The remembered mark of the last trace: when edrone answered it, and its latest report so far.
  const lastMark = record.recentTraces.at(-1);
  const ownMark = lastMark && lastMark.sentAt === lastTrace ? lastMark : null;
  const answered = ownMark ? (ownMark.doneAt ?? ownMark.sentAt) : (record.wroteEdroneDoneAt?.getTime() ?? lastTrace);
  // Not once edrone is known to have moved on from that trace: a real change of another state,
  // dated from the trace on, and this report dated after it (edrone reports only changes).
  const movedOn =
    lastTraceSecond !== null &&
    record.edroneState !== null &&
    record.edroneState !== record.wroteEdroneState &&
    ms(record.edroneAt) >= lastTraceSecond &&
    at > ms(record.edroneAt);
  // edrone applies traces in the order they arrive: an earlier one before the last one settles.
  const lastSettles = (record.wroteEdroneDoneAt?.getTime() ?? lastTrace ?? 0) + TRACE_APPLY_MS;
  // Dated while an earlier trace of this state, followed by one of the other state, was being
  // applied: maybe that trace's late report. It does not settle the last trace, then.
  const earlier = record.recentTraces.slice(0, -1);
  const earlierOwn =
    traceLike &&
    status === record.wroteEdroneState &&
    earlier.some((t, i) => t.state === status && appliedAround(t, at, lastSettles) && earlier.slice(i + 1).some((u) => u.state !== status));
  if (earlierOwn) {
    // Applied after a believed change of the other state: which one edrone holds is unknown.
    const overChange = record.edroneState !== null && record.edroneState !== status && at >= ms(record.edroneAt);
    return overChange ? decision({ ...record, edroneState: null }, event.channel, settings, 'echo') : { writes: [], skip: 'echo', record };
  }
  if (
    traceLike &&
    !movedOn &&
    lastTrace !== null &&
    lastTraceSecond !== null &&
    answered !== null &&
    status === record.wroteEdroneState &&
    at >= lastTraceSecond - CLOCK_SKEW_MS &&
    // event_date is when edrone applied the trace: at the latest TRACE_APPLY_MS after it answered.
    at <= answered + TRACE_APPLY_MS + CLOCK_SKEW_MS
  ) {
    const next = afterEcho(record, ownMark, answered, at);
    // edrone may have applied the trace after a change the app believed it holds: the truth is traced again.
    if (next.edroneState === null && record.edroneState !== null) return decision(next, event.channel, settings, 'echo');
    return { writes: [], skip: 'echo', record: next };
  }
  // A TRACE_* report of the other state than the last trace can be the report of one of the
  // app's earlier traces of that state only when the app sent one in its current series of
  // traces: dated from the series' start until edrone must have applied the app's last trace. Otherwise it is a real change, whatever its reason:
  // edrone's storefront forms subscribe through traces too.
  const otherState = lastTraceSecond !== null && status !== record.wroteEdroneState;
  const other = record.wroteEdroneOtherWallAt?.getTime() ?? null;
  const series = record.wroteEdroneSeriesAt?.getTime() ?? other;
  // One of the app's remembered traces of this state was being applied then: its report, however late.
  const remembered = traceLike && record.recentTraces.some((t) => t.state === status && appliedAround(t, at, lastSettles));
  // When every trace the app sent around that date is remembered, that is the whole answer.
  const complete = record.tracesCompleteFrom !== null && at >= record.tracesCompleteFrom;
  const maybeEarlierTrace =
    traceLike &&
    otherState &&
    (remembered ||
      (!complete &&
        other !== null &&
        series !== null &&
        at >= secondOf(Math.min(series, other)) - CLOCK_SKEW_MS &&
        // ... and within a call's timeout plus TRACE_APPLY_MS of being sent.
        at <= Math.min(lastSettles, other + 2 * TRACE_APPLY_MS) + CLOCK_SKEW_MS));
  // Dated before the second the last trace was sent: edrone applied the last trace after it,
  // whichever it was, and holds the last trace's state.
  if (maybeEarlierTrace && at < (lastTraceSecond ?? 0)) return { writes: [], skip: 'stale', record };
  // From that second on: most likely that earlier report (edrone applied it as the app sent
  // its last trace), else a real change right around the last trace. Not taken as a real
  // change; edrone's state is unknown, so it gets the truth again (a no-op for edrone when
  // it was the earlier report).
  if (maybeEarlierTrace) {
    return decision({ ...record, edroneState: null }, event.channel, settings, 'stale', 'trace_ambiguous');
  }
  // edrone applied the app's last trace after this change: it holds that trace's state still.
  const supersededByOwnTrace = lastTraceSecond !== null && at < lastTraceSecond - CLOCK_SKEW_MS;
  // A trace-like report of the last trace's state, dated before it: an earlier trace of the
  // same state (or, when the app remembers every trace then and none matches, a real change
  // that its last trace repeated). edrone holds that state either way.
  if (traceLike && !otherState && supersededByOwnTrace && (remembered || !complete)) return { writes: [], skip: 'stale', record };

  // A change of another state made while the app's last trace was on its way (sent, not yet
  // confirmed): edrone may have applied the trace after it. Which one it holds is unknown.
  // edrone may answer a trace before it applies it: its answer does not settle it.
  const traceSettled = lastTrace === null ? null : (record.wroteEdroneDoneAt?.getTime() ?? lastTrace) + TRACE_APPLY_MS;
  const duringLastTrace =
    traceSettled !== null && status !== record.wroteEdroneState && at <= traceSettled + CLOCK_SKEW_MS;
  let next = record;
  if (!supersededByOwnTrace) {
    if (ms(event.at) > ms(record.edroneAt)) {
      next = { ...next, edroneState: duringLastTrace ? null : status, edroneAt: event.at };
    } else if (ms(event.at) === ms(record.edroneAt) && status !== record.edroneState) {
      const believedIsOwnWrite = record.edroneState === record.wroteEdroneState && ms(record.edroneAt) === ms(record.wroteEdroneAt);
      next = { ...next, edroneState: sameTimeBelief(record.edroneState, believedIsOwnWrite, record.wroteEdroneWallAt, event.at) };
    }
  }
  const tie = isTie(next, status, event.at);
  const newer = beatsTruth(next, status, event.at);
  next = withTruth(next, status, event.at, 'edrone');
  const fallback: SkipReason =
    newer || next.truthState === status ? 'in_sync' : next.truthSource === 'edrone' ? 'stale' : 'other_side_newer';
  return decision(next, event.channel, settings, fallback, tie ? 'tie' : undefined);
}

/**
 * The record after the report (dated `at`) of the app's last trace. The trace was applied by
 * the latest such report's date: it settles then, so a later real change is what edrone holds.
 * The latest, because an earlier one of the same state may be a real change made just before
 * the trace, which edrone then applied later. And a report dated from a believed change of the
 * other state on means the trace may have been applied after that change: edrone is unknown.
 */
function afterEcho(record: ConsentRecord, mark: TraceMark | null, answered: number, at: number): ConsentRecord {
  const reported = Math.max(mark?.reportedAt ?? at, at);
  const settled = Math.min(answered, reported - TRACE_APPLY_MS);
  const overChange = record.edroneState !== null && record.edroneState !== record.wroteEdroneState && at >= ms(record.edroneAt);
  const marks = mark ? [...record.recentTraces.slice(0, -1), { ...mark, reportedAt: reported }] : record.recentTraces;
  if (!overChange && settled === record.wroteEdroneDoneAt?.getTime() && marks === record.recentTraces) return record;
  return {
    ...record,
    wroteEdroneDoneAt: new Date(settled),
    recentTraces: marks,
    ...(overChange ? { edroneState: null } : {}),
  };
}

/** The record after the app's trace of `value` (the truth as of `at`), sent at `sentAt` and confirmed by edrone at `doneAt`. */
export function afterEdroneWrite(
  record: ConsentRecord,
  value: EdroneState,
  at: Date | null,
  sentAt: Date,
  doneAt: Date | null = null,
): ConsentRecord {
  return {
    ...record,
    edroneState: value,
    edroneAt: at,
    wroteEdroneState: value,
    wroteEdroneAt: at,
    wroteEdroneWallAt: sentAt,
    wroteEdroneDoneAt: doneAt,
    // The last trace of the other state: the one before this, when it was of the other state.
    wroteEdroneOtherWallAt:
      record.wroteEdroneState === null ? null : record.wroteEdroneState === value ? record.wroteEdroneOtherWallAt : record.wroteEdroneWallAt,
    wroteEdroneSeriesAt:
      record.wroteEdroneWallAt !== null && record.wroteEdroneSeriesAt !== null && sentAt.getTime() - record.wroteEdroneWallAt.getTime() <= ECHO_WINDOW_MS
        ? record.wroteEdroneSeriesAt
        : sentAt,
    ...rememberTrace(record, { state: value, sentAt: sentAt.getTime(), doneAt: doneAt?.getTime() ?? null, reportedAt: null }),
  };
}

/**
 * The record after the app wrote `value` to Shopify with consentUpdatedAt = at.
 * `shopifyNow` is the consent the mutation returned: Shopify keeps the newest
 * record, so it may hold a newer state of its own, which is then what it holds.
 */
export function afterShopifyWrite(
  record: ConsentRecord,
  value: EdroneState,
  at: Date,
  now: Date,
  shopifyNow?: { state: ShopifyState; at: Date | null },
): ConsentRecord {
  const written: ConsentRecord = {
    ...record,
    shopifyState: value,
    shopifyAt: at,
    wroteShopifyState: value,
    wroteShopifyAt: at,
    wroteShopifyWallAt: now,
  };
  if (!shopifyNow || (shopifyNow.state === value && shopifyNow.at !== null && Math.abs(ms(shopifyNow.at) - at.getTime()) < CLOCK_SKEW_MS)) {
    return written;
  }
  const kept: ConsentRecord = { ...written, shopifyState: shopifyNow.state, shopifyAt: shopifyNow.at };
  const mapped = shopifyToEdrone(shopifyNow.state);
  return mapped === null ? kept : withTruth(kept, mapped, shopifyNow.at, 'shopify');
}
