// Property tests of the consent rules (issue "Consent correctness") against a
// simulation of Shopify, edrone and the app (test/helpers/consent-simulation.ts):
// real changes on both sides, reports delivered late, out of order and twice,
// the app's own writes reaching the other side after a delay.
//
// Reproduce: FC_SEED=<n> (default: a fixed seed), FC_SEED=random for a fresh
// one, FC_NUM_RUNS=<n> for more or fewer runs. A failure prints the shrunk
// scenario and its whole timeline.
//
// KNOWN RULE VIOLATIONS: app/core/decide.ts breaks properties (a) to (d) today.
// Each is pinned by a minimal scenario in "known rule violations" below and fed
// to the properties as an explicit example, so they fail whatever the seed.
// Those tests are marked it.fails: when decide.ts is fixed they start
// "unexpectedly passing"; then turn them back into plain `it`.
// SHOW_KNOWN_VIOLATIONS=1 runs them as plain tests, to print each failure and
// its timeline.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shopifyToEdrone } from '../../app/core/consent-mapping.js';
import {
  afterEdroneWrite,
  afterShopifyWrite,
  decideEdroneEvent,
  decideShopifyEvent,
  SKIP_REASONS,
  type Decision,
} from '../../app/core/decide.js';
import {
  CHANNELS,
  DIRECTIONS,
  EDRONE_STATUS_FILTERS,
  SHOPIFY_STATES,
  type Channel,
  type ConsentRecord,
  type EdroneConsentEvent,
  type EdroneState,
  type ShopifyConsentEvent,
  type ShopifyState,
  type SyncSettings,
} from '../../app/core/types.js';
import {
  BOTH,
  channelArb,
  checkFinal,
  finalOf,
  formatTrace,
  scenarioArb,
  SECOND,
  simulate,
  START,
  type Outcome,
  type Scenario,
  type Step,
} from '../helpers/consent-simulation.js';

const seed =
  process.env.FC_SEED === 'random' ? undefined : process.env.FC_SEED ? Number(process.env.FC_SEED) : 20_260_115;
const numRuns = process.env.FC_NUM_RUNS ? Number(process.env.FC_NUM_RUNS) : 500;
const params = { seed, numRuns };
/** it.fails for what decide.ts violates today; SHOW_KNOWN_VIOLATIONS=1 runs them as plain tests to see each failure. */
const knownViolation = process.env.SHOW_KNOWN_VIOLATIONS ? it : it.fails;

// ---- minimal scenarios ------------------------------------------------------------

const MINUTE = 60 * SECOND;
const shopifyChange = (state: ShopifyState, dt = SECOND, channel: Channel = 'email'): Step => ({ kind: 'shopify', dt, channel, state });
const edroneChange = (status: EdroneState, dt = SECOND, channel: Channel = 'email'): Step => ({
  kind: 'edrone',
  dt,
  channel,
  status,
  reason: status === 'subscribed' ? 'AGENT_SUBSCRIBED' : 'CUSTOMER_UNSUBSCRIBED',
});
/** Deliver the pool's report number `pick` (0 = oldest pending). */
const deliver = (pick = 0, dt = SECOND): Step => ({ kind: 'deliver', dt, pick, keep: false, latency: SECOND });
const scenario = (...steps: Step[]): Scenario => ({ steps, drainGap: SECOND, settings: BOTH });

/**
 * Minimal counterexamples found by the properties below, each a violation of a
 * rule of the issue by app/core/decide.ts (all on the email channel).
 */
const VIOLATIONS = {
  /** Two Shopify changes processed before the first trace's report comes back: endless flip-flop. */
  loop: scenario(shopifyChange('subscribed'), shopifyChange('unsubscribed')),
  /** Near-simultaneous changes on both sides: the repair trace, then the first trace's report: endless flip-flop. */
  repairLoop: scenario(shopifyChange('subscribed'), edroneChange('unsubscribed')),
  /** A real edrone unsubscribe within 10 min of the app's own unsubscribe trace is taken for its echo. */
  windowEchoEdrone: scenario(
    shopifyChange('unsubscribed'), deliver(), deliver(), // app traces unsubscribed, echo skipped
    edroneChange('subscribed', MINUTE), deliver(), deliver(), // agent subscribes: written to Shopify
    edroneChange('unsubscribed', MINUTE), deliver(), // customer unsubscribes: "echo"
  ),
  /** Same on Shopify: a real re-subscribe within 10 min of the app's own subscribe write is taken for its echo. */
  windowEchoShopify: scenario(
    edroneChange('subscribed'), deliver(), deliver(),
    shopifyChange('unsubscribed', MINUTE), deliver(), deliver(),
    shopifyChange('subscribed', MINUTE), deliver(),
  ),
  /** The echo of a trace moves edroneAt to edrone's clock, so a Shopify change made before it is "older". */
  echoTimeHidesShopifyChange: scenario(
    shopifyChange('subscribed'), shopifyChange('unsubscribed'),
    deliver(0), deliver(1), deliver(0), // subscribe, its echo, then the unsubscribe
  ),
  /** Shopify ignored an older mutation, the record believes it applied: a later edrone unsubscribe is "in sync". */
  ignoredShopifyWrite: scenario(
    edroneChange('unsubscribed'), shopifyChange('subscribed'), edroneChange('subscribed'), edroneChange('unsubscribed'),
    deliver(0), deliver(2), // edrone's first unsubscribe (ignored by Shopify), then its last one
  ),
  /** A newer Shopify change skipped as in_sync on a stale belief; the older edrone change then is "other_side_newer". */
  staleInSync: scenario(
    shopifyChange('unsubscribed'), deliver(0), // app traces unsubscribed
    edroneChange('subscribed'), shopifyChange('subscribed'), shopifyChange('unsubscribed'),
    deliver(3), // the Shopify unsubscribe first: "in_sync"
  ),
  /** A pending webhook delivered before an older unsubscribe makes the unsubscribe stale: edrone stays subscribed. */
  pendingHidesUnsubscribe: scenario(
    edroneChange('subscribed'), shopifyChange('unsubscribed'), shopifyChange('pending'),
    deliver(0), deliver(1),
  ),
} satisfies Record<string, Scenario>;
/**
 * ignoredShopifyWrite, then the rest delivered and edrone's last unsubscribe
 * delivered again: the copy writes to Shopify where the original did not.
 */
const DUPLICATE_WRITES: Scenario = scenario(
  ...VIOLATIONS.ignoredShopifyWrite.steps,
  deliver(0), deliver(0), // Shopify's subscribe, edrone's subscribe
  { kind: 'redeliver', dt: SECOND, pick: 1, latency: SECOND }, // edrone's last unsubscribe again
);
const ALL_VIOLATIONS: [Scenario][] = Object.values(VIOLATIONS).map((s) => [s]);

/** Runs the scenario and throws with the whole timeline when `check` finds a violation. */
function checkScenario(check: (o: Outcome) => string | null) {
  return (sc: Scenario) => {
    const outcome = simulate(sc);
    const problem = check(outcome);
    if (problem) throw new Error(`${problem}\n--- timeline ---\n${formatTrace(outcome)}`);
  };
}

const checks = {
  a: (o: Outcome) => checkFinal(o, 'email') ?? checkFinal(o, 'sms'),
  b: (o: Outcome) => {
    if (o.looped) return 'the drain never settled: a write loop';
    if (o.writes.length > 2 * o.realChanges.length) return `${o.writes.length} writes for ${o.realChanges.length} real changes`;
    return null;
  },
  c: (o: Outcome) => {
    for (const channel of CHANNELS) {
      const newestMapped = o.realChanges.filter((c) => c.channel === channel && c.mapped !== null).at(-1);
      if (newestMapped?.mapped !== 'unsubscribed') continue;
      if (o.shopify[channel].state === 'subscribed') return `${channel}: an unsubscribed customer is subscribed in Shopify`;
      if (o.edrone[channel].state === 'subscribed') return `${channel}: an unsubscribed customer is subscribed in edrone`;
    }
    return null;
  },
  d: (o: Outcome) => {
    const extra = o.writes.filter((w) => w.redelivery);
    return extra.length ? `${extra.length} write(s) caused by redelivering #${extra.map((w) => w.cause).join(', #')}` : null;
  },
};

// ---- the simulation itself ------------------------------------------------------

describe('simulation sanity (the model, not the rules)', () => {
  it('a lone Shopify subscribe reaches edrone, its echo is not sent back', () => {
    const o = simulate(scenario(shopifyChange('subscribed'), deliver()));
    expect(finalOf(o, 'email')).toEqual({ shopify: 'subscribed', edrone: 'subscribed' });
    expect(o.writes).toHaveLength(1);
    expect(o.looped).toBe(false);
    expect(o.trace.map((e) => e.what)).toContainEqual(expect.stringMatching(/TRACE_SUBSCRIBED/));
  });

  it('Shopify ignores a mutation older than its consent time; edrone applies a trace whatever its age', () => {
    const o = simulate(scenario(edroneChange('subscribed'), shopifyChange('unsubscribed')));
    expect(o.writes[0]).toMatchObject({ write: { target: 'shopify', value: 'subscribed' }, accepted: false });
    expect(finalOf(o, 'email')).toEqual({ shopify: 'unsubscribed', edrone: 'unsubscribed' });
  });

  it('SMS traces are reported as TRACE_UPDATE, unchanged states are not reported, channels are separate', () => {
    const o = simulate(scenario(shopifyChange('subscribed', SECOND, 'sms'), deliver(), edroneChange('unsubscribed', SECOND, 'email'), deliver()));
    expect(o.trace.map((e) => e.what)).toContainEqual(expect.stringMatching(/sms=subscribed reason=TRACE_UPDATE/));
    expect(finalOf(o, 'sms')).toEqual({ shopify: 'subscribed', edrone: 'subscribed' });
    expect(finalOf(o, 'email')).toEqual({ shopify: 'unsubscribed', edrone: 'unsubscribed' });
  });

  it('the worker takes no report while its writes are in flight, and the drain delivers everything', () => {
    const o = simulate({ ...scenario(shopifyChange('subscribed'), edroneChange('unsubscribed', 31 * SECOND)), drainGap: 20 * MINUTE });
    expect(o.deliveries).toBeGreaterThanOrEqual(2);
    for (const w of o.writes) expect(w.landedAt).toBeGreaterThanOrEqual(w.decidedAt);
  });

  it('the scenario generator makes real changes on both sides, duplicates and reorderings', () => {
    const samples = fc.sample(scenarioArb, { numRuns: 200, seed: 1 });
    const kinds = new Set(samples.flatMap((sc) => sc.steps.map((st) => st.kind)));
    expect([...kinds].sort()).toEqual(['deliver', 'edrone', 'idle', 'redeliver', 'shopify']);
    expect(samples.some((sc) => sc.steps.some((st) => st.kind === 'deliver' && st.keep))).toBe(true);
  });
});

// ---- properties ------------------------------------------------------------------

describe('consent sync properties (direction both, all statuses, both channels)', () => {
  // it.fails: app/core/decide.ts violates these today (see VIOLATIONS); the known
  // counterexamples run first, so the outcome does not depend on the seed.
  knownViolation('(a) both sides end in the state of the newest real change, per channel', () => {
    fc.assert(fc.property(scenarioArb, checkScenario(checks.a)), { ...params, examples: ALL_VIOLATIONS });
  });

  knownViolation('(b) no loop: at most two writes per real change, and everything settles', () => {
    fc.assert(fc.property(scenarioArb, checkScenario(checks.b)), { ...params, examples: [[VIOLATIONS.loop]] });
  });

  knownViolation('(c) no silent re-subscribe: a customer whose newest real change is an unsubscribe is subscribed nowhere', () => {
    fc.assert(fc.property(scenarioArb, checkScenario(checks.c)), { ...params, examples: ALL_VIOLATIONS });
  });

  knownViolation('(d) a redelivered report never causes a write', () => {
    fc.assert(fc.property(scenarioArb, checkScenario(checks.d)), { ...params, examples: [[DUPLICATE_WRITES]] });
  });

  knownViolation('(d) duplicates change nothing: the same schedule without the redeliveries writes as much and ends the same', () => {
    fc.assert(
      fc.property(scenarioArb, (sc) => {
        fc.pre(sc.steps.some((st) => st.kind === 'redeliver'));
        const withDuplicates = simulate(sc);
        fc.pre(!withDuplicates.looped); // loops are property (b)
        const without = simulate({
          ...sc,
          steps: sc.steps.map((st): Step => (st.kind === 'redeliver' ? { kind: 'idle', dt: st.dt } : st)),
        });
        const timelines = `--- with ---\n${formatTrace(withDuplicates)}\n--- without ---\n${formatTrace(without)}`;
        expect(withDuplicates.writes.length, timelines).toBe(without.writes.length);
        for (const channel of CHANNELS) expect(finalOf(withDuplicates, channel), timelines).toEqual(finalOf(without, channel));
      }),
      { ...params, examples: [[DUPLICATE_WRITES]] },
    );
  });
});

describe('known rule violations in app/core/decide.ts (minimal counterexamples)', () => {
  // The rule each scenario breaks today (see the comments on VIOLATIONS): both
  // sides end in the newest real state, nobody who unsubscribed last is
  // subscribed anywhere, and the app settles. it.fails until decide.ts is fixed.
  for (const [name, sc] of Object.entries(VIOLATIONS)) {
    knownViolation(`${name}: settles in the newest real state`, () => {
      const o = simulate(sc);
      const problem = checks.b(o) ?? checks.a(o) ?? checks.c(o);
      expect(problem, formatTrace(o)).toBeNull();
    });
  }

  knownViolation('duplicate: redelivering a report the app got before causes a write', () => {
    const o = simulate(DUPLICATE_WRITES);
    expect(checks.d(o), formatTrace(o)).toBeNull();
  });
});

// ---- decide, one call at a time, for random records, events and settings -----------

const dateArb = fc.option(fc.integer({ min: 0, max: 6 }).map((m) => new Date(START + m * 60_000)), { nil: null, freq: 5 });
const edroneStateArb = fc.option(fc.constantFrom<EdroneState>('subscribed', 'unsubscribed'), { nil: null, freq: 4 });
const recordArb: fc.Arbitrary<ConsentRecord> = fc.record({
  shopifyState: fc.option(fc.constantFrom(...SHOPIFY_STATES), { nil: null, freq: 4 }),
  shopifyAt: dateArb,
  edroneState: edroneStateArb,
  edroneAt: dateArb,
  wroteShopifyState: fc.option(fc.constantFrom<ShopifyState>('subscribed', 'unsubscribed'), { nil: null, freq: 3 }),
  wroteShopifyAt: dateArb,
  wroteShopifyWallAt: dateArb,
  wroteEdroneState: edroneStateArb,
  wroteEdroneAt: dateArb,
  wroteEdroneWallAt: dateArb,
});
const settingsArb: fc.Arbitrary<SyncSettings> = fc.record({
  direction: fc.constantFrom(...DIRECTIONS),
  edroneStatuses: fc.constantFrom(...EDRONE_STATUS_FILTERS),
  channels: fc.record({ email: fc.boolean(), sms: fc.boolean() }),
  createMissingCustomers: fc.boolean(),
});
const shopifyEventArb: fc.Arbitrary<ShopifyConsentEvent> = fc.record({
  origin: fc.constantFrom('webhook' as const, 'backfill' as const, 'reconcile' as const),
  channel: channelArb,
  customerId: fc.constant('gid://shopify/Customer/1'),
  identity: fc.option(fc.constant('ann@example.com'), { nil: null, freq: 8 }),
  state: fc.constantFrom(...SHOPIFY_STATES),
  at: dateArb,
});
const edroneEventArb: fc.Arbitrary<EdroneConsentEvent> = fc.record({
  channel: channelArb,
  identity: fc.option(fc.constant('ann@example.com'), { nil: null, freq: 8 }),
  status: fc.option(fc.constantFrom<EdroneState>('subscribed', 'unsubscribed'), { nil: null, freq: 8 }),
  at: fc.integer({ min: 0, max: 6 }).map((m) => new Date(START + m * 60_000)),
  reason: fc.constantFrom('TRACE_SUBSCRIBED', 'TRACE_UNSUBSCRIBED', 'TRACE_UPDATE', 'CUSTOMER_UNSUBSCRIBED', 'AGENT_SUBSCRIBED', null),
  reasonCode: fc.constant(null),
});
/** "now": from the earliest time to well after the echo window. */
const nowArb = fc.integer({ min: 0, max: 40 }).map((m) => new Date(START + m * 60_000));

const older = (a: Date | null, b: Date | null) => b !== null && (a === null || a.getTime() < b.getTime());

function consistent(d: Decision): void {
  expect(d.skip === null).toBe(d.writes.length > 0);
  if (d.skip !== null) expect(SKIP_REASONS).toHaveProperty(d.skip);
}

describe('decide, for any record, event and settings', () => {
  it('decideShopifyEvent honours the settings and the rules', () => {
    fc.assert(
      fc.property(recordArb, shopifyEventArb, settingsArb, nowArb, (record, event, settings, now) => {
        const d = decideShopifyEvent(record, event, settings, now);
        consistent(d);
        expect(d.writes.length).toBeLessThanOrEqual(1);
        if (settings.direction === 'paused' || settings.direction === 'edrone_to_shopify') expect(d.writes).toEqual([]);
        if (!settings.channels[event.channel]) expect(d.writes).toEqual([]);
        if (!event.identity) expect(d.writes).toEqual([]);
        for (const w of d.writes) {
          expect(w.target).toBe('edrone');
          // Mapping: only what the table says; pending / not_subscribed are never sent.
          expect(w.value).toBe(shopifyToEdrone(event.state));
          expect(w.at).toBe(event.at);
          // No silent re-subscribe, newer wins.
          expect(older(event.at, record.edroneAt) && record.edroneState !== w.value).toBe(false);
          expect(record.edroneState).not.toBe(w.value);
        }
        // Newer wins: an older event changes nothing at all.
        if (older(event.at, record.shopifyAt)) {
          expect(d.writes).toEqual([]);
          expect(d.record).toEqual(record);
        }
        // The edrone half of the record is never touched by a Shopify observation.
        expect(d.record.edroneState).toBe(record.edroneState);
        expect(d.record.wroteEdroneState).toBe(record.wroteEdroneState);
      }),
      params,
    );
  });

  it('decideEdroneEvent honours the settings and the rules', () => {
    fc.assert(
      fc.property(recordArb, edroneEventArb, settingsArb, nowArb, (record, event, settings, now) => {
        const d = decideEdroneEvent(record, event, settings, now);
        consistent(d);
        if (settings.direction === 'paused') expect(d.writes).toEqual([]);
        if (event.status === null || !event.identity) expect(d.writes).toEqual([]);
        const toShopify = d.writes.filter((w) => w.target === 'shopify');
        const toEdrone = d.writes.filter((w) => w.target === 'edrone');
        expect(toShopify.length).toBeLessThanOrEqual(1);
        expect(toEdrone.length).toBeLessThanOrEqual(1);
        if (toShopify.length > 0) {
          expect(settings.direction === 'both' || settings.direction === 'edrone_to_shopify').toBe(true);
          expect(settings.channels[event.channel]).toBe(true);
          const w = toShopify[0]!;
          expect(w.value).toBe(event.status);
          expect(w.at).toBe(event.at);
          if (settings.edroneStatuses === 'unsubscribes') expect(w.value).toBe('unsubscribed');
          if (settings.edroneStatuses === 'subscribes') expect(w.value).toBe('subscribed');
          // No silent re-subscribe: a newer Shopify state is never overwritten.
          expect(older(event.at, record.shopifyAt)).toBe(false);
        }
        // Only a repair ever goes back to edrone: edrone's own reported state, over a trace the app wrote.
        for (const w of toEdrone) {
          expect(w.value).toBe(event.status);
          expect(record.wroteEdroneState).not.toBeNull();
          expect(record.wroteEdroneState).not.toBe(event.status);
          expect(record.wroteEdroneWallAt!.getTime()).toBeGreaterThan(event.at.getTime());
        }
        if (older(event.at, record.edroneAt)) {
          expect(d.writes).toEqual([]);
          expect(d.record).toEqual(record);
        }
        expect(d.record.shopifyState).toBe(record.shopifyState);
        expect(d.record.wroteShopifyState).toBe(record.wroteShopifyState);
      }),
      params,
    );
  });

  // Delivered again at once (a duplicate delivery racing the first). Later duplicates are
  // covered by the simulation, where only reachable records occur.
  it('the same event decided again, after its writes were recorded, writes nothing (idempotent)', () => {
    const applyWrites = (d: Decision, now: Date): ConsentRecord =>
      d.writes.reduce(
        (r, w) => (w.target === 'edrone' ? afterEdroneWrite(r, w.value, w.at, now) : afterShopifyWrite(r, w.value, w.at, now)),
        d.record,
      );
    fc.assert(
      fc.property(
        recordArb,
        fc.oneof(
          shopifyEventArb.map((e) => ({ side: 'shopify' as const, e })),
          edroneEventArb.map((e) => ({ side: 'edrone' as const, e })),
        ),
        settingsArb,
        nowArb,
        (record, { side, e }, settings, now) => {
          const decide = (r: ConsentRecord, at: Date) =>
            side === 'shopify'
              ? decideShopifyEvent(r, e as ShopifyConsentEvent, settings, at)
              : decideEdroneEvent(r, e as EdroneConsentEvent, settings, at);
          const first = decide(record, now);
          const again = decide(applyWrites(first, now), now);
          expect(again.writes).toEqual([]);
        },
      ),
      params,
    );
  });
});
