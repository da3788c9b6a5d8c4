// A small deterministic simulation of Shopify, edrone and the app's consent
// rules, for property tests of app/core/decide.ts. One customer, both channels.
//
// Platform models (ARCHITECTURE.md; shared/reference/shopify.md, edrone.md):
// - Shopify keeps one state and consent time per channel. A user change happens
//   "now". A consent mutation from the app carries consentUpdatedAt and is applied
//   only if that time is not older than the stored one; consent_updated_at only
//   moves when the state changes. Every accepted state change (the user's or the
//   app's) emits a webhook with the new state and its consent_updated_at.
// - edrone keeps one state per channel. A user change happens "now" and is
//   reported with event_date = now and the reason of what the person did: an
//   agent's or customer's reason, or a TRACE_* reason for a storefront form
//   (edrone's forms subscribe through browser traces). A trace from the app is
//   answered when it arrives and applied then or, with `edroneApplyDelay`, that
//   long after its answer (edrone may answer before it applies), in arrival order
//   whatever its age; if it changed the state it is reported with reason
//   TRACE_SUBSCRIBED / TRACE_UNSUBSCRIBED (email) or TRACE_UPDATE (SMS) and
//   event_date = the time edrone applied it. A status that does not change is not
//   reported. Every status change is reported, the traces' included.
// - Reports of both platforms sit in a pool and reach the app in any order,
//   late, and possibly more than once.
// - The app is one sequential worker. It learns of changes only through
//   delivered reports. For each it calls decide*, then performs the writes one
//   after the other: each call reaches its platform after a short latency (users
//   may change things meanwhile), and when it returns the app records it with
//   afterEdroneWrite / afterShopifyWrite (a trace with now = the moment the
//   call was sent, as apply-writes.ts takes it before calling edrone; Shopify's
//   write with now = the moment it returned, and the consent the mutation
//   returned). Before a Shopify mutation apply-writes reads the customer and
//   sends no mutation when Shopify already holds the value (a read-back, not a
//   write: WriteLog.mutated false). While a job's writes are in flight the worker takes no other
//   report. Like app/sync/apply-writes.ts, once the job's writes are recorded it
//   asks writesNeeded once more and does what it returns (leaving out a write of
//   the same target and value as one just done): one catch-up round, for what
//   the writes revealed (Shopify kept a newer state of its own).
// - Both platforms stamp times in whole seconds (consent_updated_at, event_date);
//   the app's clock (`now`, the wall time of its writes) has milliseconds.
//   scenarioArb keeps every step on whole seconds and never puts two changes in
//   the same second; sameSecondScenarioArb does; subSecondScenarioArb gives the
//   calls latencies in milliseconds, so the app's clock falls between seconds;
//   convergenceScenarioArb (issue 9) mixes all of it: real changes milliseconds
//   apart on both sides, while the app writes the other side, storefront sign-ups
//   reported as TRACE_*, and edrone answering traces before applying them.
import fc from 'fast-check';
import { shopifyToEdrone } from '../../app/core/consent-mapping.js';
import * as decide from '../../app/core/decide.js';
import { ECHO_WINDOW_MS, type Decision, type Write } from '../../app/core/decide.js';
import { catchUpWrites } from '../../app/core/plan-writes.js';
import { decideOnce } from '../../app/core/report-memory.js';
import {
  CHANNELS,
  EMPTY_RECORD,
  type Channel,
  type ConsentRecord,
  type EdroneConsentEvent,
  type EdroneState,
  type ShopifyConsentEvent,
  type ShopifyState,
  type SyncSettings,
} from '../../app/core/types.js';

export const SECOND = 1_000;
export const START = Date.UTC(2026, 0, 15, 10, 0, 0);

export type Step =
  /** A customer or merchant changes consent on Shopify, `dt` ms after the previous step. */
  | { kind: 'shopify'; dt: number; channel: Channel; state: ShopifyState }
  /** A customer or agent changes consent in edrone. */
  | { kind: 'edrone'; dt: number; channel: Channel; status: EdroneState; reason: string | null }
  /**
   * One pending report reaches the app (`pick` chooses which; nothing while the
   * worker is busy). `keep`: the sender will deliver it again later. Each write
   * the app decides reaches its platform `latency` ms after the previous one.
   */
  | { kind: 'deliver'; dt: number; pick: number; keep: boolean; latency: number }
  /** A report the app already got is delivered once more (a retry); nothing while the worker is busy. */
  | { kind: 'redeliver'; dt: number; pick: number; latency: number }
  /** Time passes. */
  | { kind: 'idle'; dt: number };

export interface Scenario {
  steps: Step[];
  /** Time between the last step and the final drain. */
  drainGap: number;
  settings: SyncSettings;
  /** edrone answers each trace at once and applies it this many ms later (default 0: before answering). */
  edroneApplyDelay?: number;
}

/** The rules under test; replaceable to try a candidate fix against the same scenarios. */
export interface Rules {
  decideShopifyEvent: typeof decide.decideShopifyEvent;
  decideEdroneEvent: typeof decide.decideEdroneEvent;
  afterEdroneWrite: typeof decide.afterEdroneWrite;
  /** Called with `shopifyNow`: Shopify's consent after the mutation, as its response returns it. */
  afterShopifyWrite: typeof decide.afterShopifyWrite;
  /** The job's catch-up round after its writes (app/sync/apply-writes.ts). */
  writesNeeded: typeof decide.writesNeeded;
}

export const APP_RULES: Rules = {
  decideShopifyEvent: decide.decideShopifyEvent,
  decideEdroneEvent: decide.decideEdroneEvent,
  afterEdroneWrite: decide.afterEdroneWrite,
  afterShopifyWrite: decide.afterShopifyWrite,
  writesNeeded: decide.writesNeeded,
};

export interface RealChange {
  side: 'shopify' | 'edrone';
  channel: Channel;
  at: number;
  /** The state in Shopify terms (edrone's two states are the same words). */
  state: ShopifyState;
  /** What it means for the other side; null for pending / not_subscribed. */
  mapped: EdroneState | null;
  /** edrone's reason for a change in edrone (a storefront form's is TRACE_*). */
  reason?: string | null;
}

type Message =
  | { id: number; side: 'shopify'; event: ShopifyConsentEvent; echo: boolean }
  | { id: number; side: 'edrone'; event: EdroneConsentEvent; echo: boolean };

export interface WriteLog {
  channel: Channel;
  write: Write;
  decidedAt: number;
  /** When the call was sent (the app's clock) and when it reached the platform. */
  sentAt: number;
  landedAt: number;
  /** Id of the report that caused it, and whether that delivery was a redelivery. */
  cause: number;
  redelivery: boolean;
  /** 0: decided for the report; 1: the job's catch-up round (writesNeeded after its writes). */
  round: 0 | 1;
  /** Did the platform accept it (Shopify: consentUpdatedAt not older), did it change the state? */
  accepted: boolean;
  changed: boolean;
  /** A call that could change something: every trace; a Shopify mutation (not a read-back that found the value there). */
  mutated: boolean;
}

export interface Outcome {
  shopify: Record<Channel, { state: ShopifyState; at: number | null }>;
  edrone: Record<Channel, { state: EdroneState | null; at: number | null }>;
  records: Record<Channel, ConsentRecord>;
  realChanges: RealChange[];
  writes: WriteLog[];
  deliveries: number;
  redeliveries: number;
  /** The drain did not settle within its bound: a write loop. */
  looped: boolean;
  trace: { t: number; what: string }[];
}

const IDENTITY: Record<Channel, string> = { email: 'ann@example.com', sms: '+48500100200' };

/** The reason edrone gives a person's change: on SMS every trace reason is TRACE_UPDATE. */
function userReason(channel: Channel, reason: string | null): string | null {
  return channel === 'sms' && reason?.startsWith('TRACE_') ? 'TRACE_UPDATE' : reason;
}

function traceReason(channel: Channel, status: EdroneState): string {
  if (channel === 'sms') return 'TRACE_UPDATE';
  return status === 'subscribed' ? 'TRACE_SUBSCRIBED' : 'TRACE_UNSUBSCRIBED';
}

/** Both platforms count whole seconds; the app's own clock (its `now`) does not. */
const wholeSecond = (t: number): number => Math.floor(t / SECOND) * SECOND;
const rel = (t: number | null): string =>
  t === null ? 'null' : t % SECOND === 0 ? `+${(t - START) / SECOND}s` : `+${((t - START) / SECOND).toFixed(3)}s`;

interface InFlight {
  channel: Channel;
  write: Write;
  decidedAt: number;
  cause: number;
  redelivery: boolean;
  round: 0 | 1;
  latency: number;
  /** When the call is sent and when it reaches the platform; set once it is the head of the queue. */
  sentAt: number;
  due: number;
}

export function simulate(scenario: Scenario, rules: Rules = APP_RULES, drainBound = 400): Outcome {
  const { settings } = scenario;
  const { decideShopifyEvent, decideEdroneEvent, afterEdroneWrite, afterShopifyWrite, writesNeeded } = rules;
  let clock = START;
  let nextId = 1;
  const shopify: Outcome['shopify'] = {
    email: { state: 'not_subscribed', at: null },
    sms: { state: 'not_subscribed', at: null },
  };
  const edrone: Outcome['edrone'] = { email: { state: null, at: null }, sms: { state: null, at: null } };
  const records: Record<Channel, ConsentRecord> = { email: { ...EMPTY_RECORD }, sms: { ...EMPTY_RECORD } };
  const pool: Message[] = [];
  const seen: Message[] = [];
  const delivered = new Set<number>();
  const inflight: InFlight[] = [];
  /** Traces edrone answered and has yet to apply, in arrival order. */
  const unapplied: { channel: Channel; value: EdroneState; due: number }[] = [];
  const applyDelay = scenario.edroneApplyDelay ?? 0;
  /** The writes the running job decided (its first round). */
  let jobWrites: Write[] = [];
  const realChanges: RealChange[] = [];
  const writes: WriteLog[] = [];
  const trace: Outcome['trace'] = [];
  let deliveries = 0;
  let redeliveries = 0;
  const log = (what: string) => trace.push({ t: clock, what });

  const emitShopify = (channel: Channel, echo: boolean) => {
    const id = nextId++;
    const { state, at } = shopify[channel];
    const event: ShopifyConsentEvent = {
      origin: 'webhook',
      channel,
      customerId: 'gid://shopify/Customer/1',
      identity: IDENTITY[channel],
      state,
      at: at === null ? null : new Date(at),
    };
    pool.push({ id, side: 'shopify', echo, event });
    log(`shopify emits #${id} ${channel}=${state} at=${rel(at)}${echo ? ' (app write)' : ''}`);
  };

  const emitEdrone = (channel: Channel, status: EdroneState, reason: string | null, echo: boolean) => {
    const id = nextId++;
    const event: EdroneConsentEvent = { channel, identity: IDENTITY[channel], status, at: new Date(wholeSecond(clock)), reason, reasonCode: null };
    pool.push({ id, side: 'edrone', echo, event });
    log(`edrone emits #${id} ${channel}=${status} reason=${reason} at=${rel(wholeSecond(clock))}`);
  };

  /** The worker runs one job: decide, then queue its writes. */
  const handle = (msg: Message, latency: number) => {
    const redelivery = delivered.has(msg.id);
    if (!redelivery) seen.push(msg);
    delivered.add(msg.id);
    deliveries++;
    if (redelivery) redeliveries++;
    const channel = msg.event.channel;
    const now = new Date(clock);
    // As app/sync/consent-sync.ts: the report's id (the stored delivery) makes a second decision of it a no-op.
    const reportId = `report-${msg.id}`;
    const d: Decision =
      msg.side === 'shopify'
        ? decideOnce(decideShopifyEvent, records[channel], msg.event, settings, now, reportId)
        : decideOnce(decideEdroneEvent, records[channel], msg.event, settings, now, reportId);
    records[channel] = d.record;
    const what = msg.side === 'shopify' ? msg.event.state : msg.event.status;
    const outcome = d.writes.length
      ? d.writes.map((w) => `write ${w.target}=${w.value} at=${rel(w.at?.getTime() ?? null)}`).join(', ')
      : `skip ${d.skip}`;
    log(`app gets #${msg.id}${redelivery ? ' again' : ''} (${msg.side} ${channel}=${what} at=${rel(msg.event.at?.getTime() ?? null)}) -> ${outcome}`);
    jobWrites = d.writes;
    for (const write of d.writes) {
      inflight.push({ channel, write, decidedAt: clock, cause: msg.id, redelivery, round: 0, latency, sentAt: clock, due: clock + latency });
    }
  };

  /** edrone applies a trace (arrival order, its own time) and reports a change. */
  const applyTrace = (channel: Channel, value: EdroneState): boolean => {
    const changed = edrone[channel].state !== value;
    if (changed) edrone[channel] = { state: value, at: wholeSecond(clock) };
    log(`edrone applies trace ${channel}=${value}${changed ? '' : ' (no change)'}`);
    if (changed) emitEdrone(channel, value, traceReason(channel, value), true);
    return changed;
  };

  /** The oldest in-flight write reaches its platform; the call returns; the app records it. */
  const land = () => {
    const w = inflight.shift()!;
    const { channel, write } = w;
    let accepted = true;
    let changed = false;
    let mutated = true;
    if (write.target === 'edrone') {
      if (applyDelay === 0) changed = applyTrace(channel, write.value);
      else {
        const due = Math.max(clock + applyDelay, unapplied.at(-1)?.due ?? 0);
        unapplied.push({ channel, value: write.value, due });
        log(`edrone answers trace ${channel}=${write.value}, applies it at ${rel(due)}`);
      }
    } else {
      // apply-writes reads the customer first: no mutation when Shopify holds the value already.
      mutated = shopify[channel].state !== write.value;
      // Shopify keeps the newer consent: an older consentUpdatedAt changes nothing.
      const at = write.at.getTime();
      const stored = shopify[channel].at;
      accepted = stored === null || at >= stored;
      if (accepted && shopify[channel].state !== write.value) {
        shopify[channel] = { state: write.value, at };
        changed = true;
      }
      log(`shopify ${mutated ? 'mutation' : 'read-back'} ${channel}=${write.value} at=${rel(at)} ${accepted ? (changed ? 'applied' : 'no change') : 'ignored (older)'}`);
      if (changed) emitShopify(channel, true);
    }
    records[channel] =
      write.target === 'edrone'
        ? afterEdroneWrite(records[channel], write.value, write.at, new Date(w.sentAt), new Date(clock))
        : afterShopifyWrite(records[channel], write.value, write.at, new Date(w.sentAt), {
            state: shopify[channel].state,
            at: shopify[channel].at === null ? null : new Date(shopify[channel].at!),
          });
    writes.push({ channel, write, decidedAt: w.decidedAt, sentAt: w.sentAt, landedAt: clock, cause: w.cause, redelivery: w.redelivery, round: w.round, accepted, changed, mutated });
    if (inflight[0]) {
      // The job's next write is sent now.
      inflight[0].sentAt = clock;
      inflight[0].due = clock + inflight[0].latency;
    } else if (w.round === 0) {
      // The job's writes are done: one catch-up round, as app/sync/apply-writes.ts does it (catchUpWrites).
      const more = catchUpWrites(records[channel], channel, settings, jobWrites, writesNeeded);
      if (more.length) log(`app catches up: ${more.map((m) => `write ${m.target}=${m.value} at=${rel(m.at?.getTime() ?? null)}`).join(', ')}`);
      // The first is sent now, each next one when the one before returns.
      for (const write of more) inflight.push({ ...w, write, decidedAt: clock, round: 1, sentAt: clock, due: clock + w.latency });
    }
  };

  /** Time passes; writes that are due land on the way. */
  const advance = (dt: number) => {
    const target = clock + dt;
    for (;;) {
      const write = inflight[0]?.due ?? Infinity;
      const apply = unapplied[0]?.due ?? Infinity;
      if (Math.min(write, apply) > target) break;
      clock = Math.max(clock, Math.min(write, apply));
      if (apply <= write) {
        const u = unapplied.shift()!;
        applyTrace(u.channel, u.value);
      } else land();
    }
    clock = target;
  };

  for (const step of scenario.steps) {
    advance(step.dt);
    switch (step.kind) {
      case 'shopify':
        if (shopify[step.channel].state === step.state) break; // not a change: no webhook
        shopify[step.channel] = { state: step.state, at: wholeSecond(clock) };
        realChanges.push({ side: 'shopify', channel: step.channel, at: wholeSecond(clock), state: step.state, mapped: shopifyToEdrone(step.state) });
        log(`USER shopify ${step.channel}=${step.state}`);
        emitShopify(step.channel, false);
        break;
      case 'edrone':
        if (edrone[step.channel].state === step.status) break; // not a change: no report
        edrone[step.channel] = { state: step.status, at: wholeSecond(clock) };
        realChanges.push({ side: 'edrone', channel: step.channel, at: wholeSecond(clock), state: step.status, mapped: step.status, reason: userReason(step.channel, step.reason) });
        log(`USER edrone ${step.channel}=${step.status} (${userReason(step.channel, step.reason)})`);
        emitEdrone(step.channel, step.status, userReason(step.channel, step.reason), false);
        break;
      case 'deliver':
        if (inflight.length === 0 && pool.length > 0) {
          const index = step.pick % pool.length;
          const msg = step.keep ? pool[index]! : pool.splice(index, 1)[0]!;
          handle(msg, step.latency);
        }
        break;
      case 'redeliver':
        if (inflight.length === 0 && seen.length > 0) handle(seen[step.pick % seen.length]!, step.latency);
        break;
      case 'idle':
        break;
    }
  }

  // Drain: in-flight writes land, every pending report is delivered in order, until quiet.
  advance(scenario.drainGap);
  let looped = false;
  let budget = drainBound;
  while (inflight.length > 0 || pool.length > 0 || unapplied.length > 0) {
    if (budget-- <= 0) {
      looped = true;
      break;
    }
    if (inflight[0]) advance(Math.max(0, inflight[0].due - clock));
    else if (pool.length > 0) {
      advance(SECOND);
      handle(pool.shift()!, SECOND);
    } else advance(Math.max(0, unapplied[0]!.due - clock));
  }

  return { shopify, edrone, records, realChanges, writes, deliveries, redeliveries, looped, trace };
}

/**
 * The state the newest real mappable change stands for, per channel (null: none).
 * Both platforms give times to the second, so changes within the same second
 * cannot be ordered by the app: among them an unsubscribe wins (decide.ts's tie
 * rule). Scenarios from scenarioArb never have two changes in the same second.
 */
export function newestMapped(outcome: Outcome, channel: Channel): EdroneState | null {
  const mapped = outcome.realChanges.filter((c) => c.channel === channel && c.mapped !== null);
  const last = mapped.at(-1);
  if (!last) return null;
  return mapped.some((c) => c.at === last.at && c.mapped === 'unsubscribed') ? 'unsubscribed' : last.mapped;
}

/**
 * What each side must hold once everything is delivered, per channel, or null
 * when the outcome is a problem. Both sides end in the state of the newest real
 * change. When that change is Shopify's own pending / not_subscribed (not sent to
 * edrone), Shopify keeps it, and edrone keeps what it had (older Shopify changes
 * may be dropped as stale once the pending is known), but is never subscribed
 * unless the newest mappable change was a subscribe. Changes in the same second:
 * see newestMapped; no rule says whether a pending beats a subscribe of the same
 * second, so then only the no-subscribe part is checked.
 */
export function checkFinal(outcome: Outcome, channel: Channel): string | null {
  const changes = outcome.realChanges.filter((c) => c.channel === channel);
  const newest = changes.at(-1);
  const mapped = newestMapped(outcome, channel);
  const actual = finalOf(outcome, channel);
  const show = (want: string) => `${channel}: expected ${want}, got Shopify=${actual.shopify} edrone=${actual.edrone}`;
  if (newest === undefined) {
    return actual.shopify === 'not_subscribed' && actual.edrone === null ? null : show('no change anywhere');
  }
  const tied = changes.filter((c) => c.at === newest.at);
  if (tied.every((c) => c.mapped !== null)) {
    return actual.shopify === mapped && actual.edrone === mapped ? null : show(`both ${mapped}`);
  }
  if (tied.length === 1 && actual.shopify !== newest.state) return show(`Shopify=${newest.state}`);
  // edrone keeps what it had: never subscribed unless the newest mappable change was a subscribe.
  if (actual.edrone === 'subscribed' && mapped !== 'subscribed') return show('edrone not subscribed');
  return null;
}

/** Shopify's state in edrone terms where it has one (redacted/invalid read as unsubscribed). */
export function shopifyComparable(state: ShopifyState): ShopifyState | EdroneState {
  return shopifyToEdrone(state) ?? state;
}

export function finalOf(o: Outcome, channel: Channel): { shopify: ShopifyState | EdroneState; edrone: EdroneState | null } {
  return { shopify: shopifyComparable(o.shopify[channel].state), edrone: o.edrone[channel].state };
}

export function formatTrace(outcome: Outcome): string {
  return outcome.trace.map((e) => `${rel(e.t).padStart(7)}  ${e.what}`).join('\n');
}

// ---- generators (fast-check) ---------------------------------------------------

export const BOTH: SyncSettings = {
  direction: 'both',
  edroneStatuses: 'all',
  channels: { email: true, sms: true },
  createMissingCustomers: false,
};

export const channelArb = fc.constantFrom<Channel>(...CHANNELS);
/** From a second to twenty minutes: some gaps fall inside the echo window, some outside. */
export const dtArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 30 }).map((s) => s * SECOND) },
  { weight: 2, arbitrary: fc.integer({ min: 31, max: 20 * 60 }).map((s) => s * SECOND) },
);
/** One HTTP call: up to ten seconds. */
export const latencyArb = fc.integer({ min: 0, max: 10 }).map((s) => s * SECOND);
const shopifyStateArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant<ShopifyState>('subscribed') },
  { weight: 4, arbitrary: fc.constant<ShopifyState>('unsubscribed') },
  { weight: 1, arbitrary: fc.constantFrom<ShopifyState>('pending', 'not_subscribed') },
);
/**
 * Real edrone changes carry the reasons of people and agents, never a trace
 * reason (NATIVE_5 always sends subscription_status_reason), so a report can be
 * told from the echo of the app's own trace.
 */
const edroneChangeArb = fc.oneof(
  fc.record({
    status: fc.constant<EdroneState>('subscribed'),
    reason: fc.constantFrom('AGENT_SUBSCRIBED', 'SUBSCRIPTION_CHANGED_EVENT_SUBSCRIBED', 'DATA_IMPORT_SUBSCRIBED'),
  }),
  fc.record({
    status: fc.constant<EdroneState>('unsubscribed'),
    reason: fc.constantFrom('CUSTOMER_UNSUBSCRIBED', 'AGENT_UNSUBSCRIBED', 'HARD_BOUNCED_UNSUBSCRIBED'),
  }),
);

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('shopify' as const), dt: dtArb, channel: channelArb, state: shopifyStateArb }),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ dt: dtArb, channel: channelArb, change: edroneChangeArb })
      .map(({ dt, channel, change }): Step => ({ kind: 'edrone', dt, channel, ...change })),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('deliver' as const),
      dt: dtArb,
      pick: fc.nat({ max: 20 }),
      keep: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      latency: latencyArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('redeliver' as const), dt: dtArb, pick: fc.nat({ max: 20 }), latency: latencyArb }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('idle' as const), dt: dtArb }) },
);

export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  steps: fc.array(stepArb, { minLength: 1, maxLength: 24 }),
  drainGap: fc.oneof(fc.constant(SECOND), dtArb, fc.constant(2 * ECHO_WINDOW_MS)),
  settings: fc.constant(BOTH),
});

/**
 * Like scenarioArb, but each HTTP call takes up to ten seconds to the millisecond:
 * the app's clock (the wall time it records for its writes) falls between the
 * whole seconds the platforms give. Real changes still fall in different seconds.
 */
const msLatencyArb = fc.integer({ min: 0, max: 10 * SECOND });
export const subSecondScenarioArb: fc.Arbitrary<Scenario> = fc.record({
  steps: fc.array(
    fc.tuple(stepArb, msLatencyArb).map(([st, latency]): Step => (st.kind === 'deliver' || st.kind === 'redeliver' ? { ...st, latency } : st)),
    { minLength: 1, maxLength: 24 },
  ),
  drainGap: fc.oneof(fc.constant(SECOND), dtArb, fc.constant(2 * ECHO_WINDOW_MS)),
  settings: fc.constant(BOTH),
});

/**
 * Like scenarioArb, but some real changes happen in the same second as the step
 * before (dt 0): Shopify's consent_updated_at and edrone's event_date have
 * one-second precision, so such changes carry the same time.
 */
export const sameSecondScenarioArb: fc.Arbitrary<Scenario> = fc.record({
  steps: fc.array(
    fc
      .tuple(stepArb, fc.boolean())
      .map(([st, same]): Step => (same && (st.kind === 'shopify' || st.kind === 'edrone') ? { ...st, dt: 0 } : st)),
    { minLength: 1, maxLength: 24 },
  ),
  drainGap: fc.oneof(fc.constant(SECOND), dtArb, fc.constant(2 * ECHO_WINDOW_MS)),
  settings: fc.constant(BOTH),
});

// ---- reachable records (for properties of one decide call) -----------------------

/** What became of the writes the app decided for one report. */
export type WriteFate =
  | { kind: 'done' }
  /** The call failed for good: nothing recorded. */
  | { kind: 'lost' }
  /** Shopify kept a newer state of its own (atOffset >= 0 after the written time) and returned it. */
  | { kind: 'shopifyKept'; state: ShopifyState; atOffset: number }
  /** Shopify already held the written state, since an older time (atOffset <= 0), and returned it. */
  | { kind: 'shopifyHad'; atOffset: number | null };

/**
 * One report the app handled, `dt` ms after the previous one, with the settings in force then.
 * `catchUp` false: the worker stopped after the job's writes, before its catch-up round.
 */
export type HistoryOp = (
  | { kind: 'shopify'; dt: number; state: ShopifyState; atOffset: number | null; settings: SyncSettings; fate: WriteFate }
  /** `fromLastTrace`: event_date is relative to the app's last trace (before it: a change the trace overwrote). */
  | { kind: 'edrone'; dt: number; status: EdroneState; atOffset: number; fromLastTrace: boolean; reason: string | null; settings: SyncSettings; fate: WriteFate }
  /** The report of the app's own last write to `side` comes back (`skew`: ms off the written / traced time). */
  | { kind: 'echo'; dt: number; side: 'shopify' | 'edrone'; skew: number; settings: SyncSettings; fate: WriteFate }
) & { catchUp?: boolean };

export interface History {
  ops: HistoryOp[];
}

/** Replays a history from EMPTY_RECORD; returns the record and the clock after it. */
export function replayHistory(history: History, rules: Rules = APP_RULES): { record: ConsentRecord; now: Date } {
  let clock = START;
  let r: ConsentRecord = { ...EMPTY_RECORD };
  const identity = IDENTITY.email;
  for (const op of history.ops) {
    clock += op.dt;
    const now = new Date(clock);
    let d: Decision | null = null;
    if (op.kind === 'shopify') {
      const event: ShopifyConsentEvent = {
        origin: 'webhook',
        channel: 'email',
        customerId: 'gid://shopify/Customer/1',
        identity,
        state: op.state,
        at: op.atOffset === null ? null : new Date(clock + op.atOffset),
      };
      d = rules.decideShopifyEvent(r, event, op.settings, now);
    } else if (op.kind === 'edrone') {
      const base = op.fromLastTrace && r.wroteEdroneWallAt ? r.wroteEdroneWallAt.getTime() : clock;
      const event: EdroneConsentEvent = { channel: 'email', identity, status: op.status, at: new Date(base + op.atOffset), reason: op.reason, reasonCode: null };
      d = rules.decideEdroneEvent(r, event, op.settings, now);
    } else if (op.side === 'shopify' && r.wroteShopifyState && r.wroteShopifyAt) {
      const event: ShopifyConsentEvent = {
        origin: 'webhook',
        channel: 'email',
        customerId: 'gid://shopify/Customer/1',
        identity,
        state: r.wroteShopifyState,
        at: new Date(r.wroteShopifyAt.getTime() + op.skew),
      };
      d = rules.decideShopifyEvent(r, event, op.settings, now);
    } else if (op.side === 'edrone' && r.wroteEdroneState && r.wroteEdroneWallAt) {
      const status = r.wroteEdroneState;
      const event: EdroneConsentEvent = {
        channel: 'email',
        identity,
        status,
        at: new Date(r.wroteEdroneWallAt.getTime() + op.skew),
        reason: traceReason('email', status),
        reasonCode: null,
      };
      d = rules.decideEdroneEvent(r, event, op.settings, now);
    }
    if (!d) continue;
    r = d.record;
    if (op.fate.kind === 'lost') continue;
    for (const w of d.writes) {
      if (w.target === 'edrone') r = rules.afterEdroneWrite(r, w.value, w.at, now);
      else {
        const fate = op.fate;
        const shopifyNow =
          fate.kind === 'shopifyKept'
            ? { state: fate.state, at: new Date(w.at.getTime() + fate.atOffset) }
            : fate.kind === 'shopifyHad'
              ? { state: w.value as ShopifyState, at: fate.atOffset === null ? null : new Date(w.at.getTime() + fate.atOffset) }
              : { state: w.value as ShopifyState, at: w.at };
        r = rules.afterShopifyWrite(r, w.value, w.at, now, shopifyNow);
      }
    }
    // The job's catch-up round (catchUpWrites, as app/sync/apply-writes.ts), unless the worker stopped before it.
    if (d.writes.length === 0 || op.catchUp === false) continue;
    for (const w of catchUpWrites(r, 'email', op.settings, d.writes, rules.writesNeeded)) {
      r = w.target === 'edrone' ? rules.afterEdroneWrite(r, w.value, w.at, now) : rules.afterShopifyWrite(r, w.value, w.at, now, { state: w.value, at: w.at });
    }
  }
  return { record: r, now: new Date(clock) };
}

export const anySettingsArb: fc.Arbitrary<SyncSettings> = fc.record({
  direction: fc.constantFrom(...(['both', 'shopify_to_edrone', 'edrone_to_shopify', 'paused'] as const)),
  edroneStatuses: fc.constantFrom(...(['all', 'unsubscribes', 'subscribes'] as const)),
  channels: fc.record({ email: fc.boolean(), sms: fc.boolean() }),
  createMissingCustomers: fc.boolean(),
});
/** Mostly both ways (so writes happen), sometimes paused or anything (so sides lag behind the truth). */
const historySettingsArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(BOTH) },
  { weight: 1, arbitrary: fc.constant<SyncSettings>({ ...BOTH, direction: 'paused' }) },
  { weight: 1, arbitrary: anySettingsArb },
);
/** Event times relative to the clock: whole minutes (many ties) or seconds (the one-second tolerance). */
export const offsetArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -8, max: 0 }).map((m) => m * 60 * SECOND) },
  { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }).map((s) => s * SECOND) },
);
const fateArb: fc.Arbitrary<WriteFate> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<WriteFate>({ kind: 'done' }) },
  { weight: 1, arbitrary: fc.constant<WriteFate>({ kind: 'lost' }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('shopifyKept' as const),
      state: fc.constantFrom(...(['subscribed', 'unsubscribed', 'pending', 'not_subscribed', 'redacted', 'invalid'] as const)),
      atOffset: fc.oneof(fc.integer({ min: 0, max: 4 }).map((m) => m * 60 * SECOND), fc.integer({ min: 0, max: 2 }).map((s) => s * SECOND)),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('shopifyHad' as const),
      atOffset: fc.option(fc.integer({ min: -4, max: 0 }).map((m) => m * 60 * SECOND), { nil: null, freq: 4 }),
    }),
  },
);
const historyDtArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 }).map((m) => m * 60 * SECOND), fc.integer({ min: 1, max: 30 }).map((s) => s * SECOND));
const anyReasonArb = fc.constantFrom('TRACE_SUBSCRIBED', 'TRACE_UNSUBSCRIBED', 'TRACE_UPDATE', 'CUSTOMER_UNSUBSCRIBED', 'AGENT_SUBSCRIBED', null);
const catchUpArb = fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });

export const historyOpArb: fc.Arbitrary<HistoryOp> = fc.oneof(
  fc.record({
    kind: fc.constant('shopify' as const),
    dt: historyDtArb,
    state: fc.constantFrom(...(['subscribed', 'unsubscribed', 'pending', 'not_subscribed', 'redacted', 'invalid'] as const)),
    atOffset: fc.option(offsetArb, { nil: null, freq: 8 }),
    settings: historySettingsArb,
    fate: fateArb,
    catchUp: catchUpArb,
  }),
  fc.record({
    kind: fc.constant('edrone' as const),
    dt: historyDtArb,
    status: fc.constantFrom<EdroneState>('subscribed', 'unsubscribed'),
    atOffset: offsetArb,
    fromLastTrace: fc.boolean(),
    reason: anyReasonArb,
    settings: historySettingsArb,
    fate: fateArb,
    catchUp: catchUpArb,
  }),
  fc.record({
    kind: fc.constant('echo' as const),
    dt: historyDtArb,
    side: fc.constantFrom('shopify' as const, 'edrone' as const),
    skew: fc.oneof(fc.integer({ min: -1, max: 1 }).map((s) => s * SECOND), fc.integer({ min: 0, max: 12 }).map((m) => m * 60 * SECOND)),
    settings: historySettingsArb,
    fate: fateArb,
    catchUp: catchUpArb,
  }),
);

/** A record the app can reach through decide* and after*Write from EMPTY_RECORD, and the clock after it. */
export const historyArb: fc.Arbitrary<History> = fc.record({ ops: fc.array(historyOpArb, { maxLength: 8 }) });

// ---- issue 9: convergence under every interleaving ---------------------------------

/**
 * edrone changes by people, and storefront sign-ups / opt-outs, which edrone reports
 * with a TRACE_* reason (its forms subscribe through browser traces): only the app's
 * memory of its own traces can tell those from the reports of its traces.
 */
const edroneChangeWithTracesArb = fc.oneof(
  { weight: 2, arbitrary: edroneChangeArb },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.record({ status: fc.constant<EdroneState>('subscribed'), reason: fc.constant('TRACE_SUBSCRIBED') }),
      fc.record({ status: fc.constant<EdroneState>('unsubscribed'), reason: fc.constant('TRACE_UNSUBSCRIBED') }),
    ),
  },
);
/** Real changes milliseconds to seconds apart: several in one second, on both sides, while the app writes. */
const fineDtArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 1_500 }) },
  { weight: 1, arbitrary: dtArb },
);
const convergenceStepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('shopify' as const), dt: fineDtArb, channel: channelArb, state: shopifyStateArb }),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ dt: fineDtArb, channel: channelArb, change: edroneChangeWithTracesArb })
      .map(({ dt, channel, change }): Step => ({ kind: 'edrone', dt, channel, ...change })),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('deliver' as const),
      dt: fineDtArb,
      pick: fc.nat({ max: 20 }),
      keep: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      latency: msLatencyArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('redeliver' as const), dt: fineDtArb, pick: fc.nat({ max: 20 }), latency: msLatencyArb }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('idle' as const), dt: fineDtArb }) },
);

/** How long after answering a trace edrone applies it: mostly at once, sometimes up to 5 s later. */
export const edroneApplyDelayArb = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5 * SECOND }) },
);

/**
 * Issue 9: everything at once. Real changes on both sides milliseconds apart (same-second
 * conflicts, changes made while the app writes the other side), storefront sign-ups
 * reported as TRACE_*, calls of any length, duplicates, edrone answering before applying.
 */
export const convergenceScenarioArb: fc.Arbitrary<Scenario> = fc.record({
  steps: fc.array(convergenceStepArb, { minLength: 1, maxLength: 24 }),
  drainGap: fc.oneof(fc.constant(SECOND), dtArb, fc.constant(2 * ECHO_WINDOW_MS)),
  settings: fc.constant(BOTH),
  edroneApplyDelay: edroneApplyDelayArb,
});
