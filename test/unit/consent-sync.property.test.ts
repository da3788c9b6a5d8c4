// Property tests of the consent rules (issue "Consent correctness") against a
// simulation of Shopify, edrone and the app (test/helpers/consent-simulation.ts):
// real changes on both sides, reports delivered late, out of order and twice,
// the app's own writes reaching the other side after a delay.
//
// Reproduce: FC_SEED=<n> (default: a fixed seed), FC_SEED=random for a fresh
// one, FC_NUM_RUNS=<n> for more or fewer runs. A failure prints the shrunk
// scenario and its whole timeline.
//
// REGRESSIONS: an earlier app/core/decide.ts broke properties (a) to (d); the
// minimal scenarios it failed on are kept in REGRESSIONS below, run on their own
// and fed to the properties as explicit examples, so they are checked whatever
// the seed. The rules were rebuilt around the newest real change (truth*) and
// all of them now pass.
//
// KNOWN VIOLATIONS of the current rules (it.fails, each with its minimal
// counterexample fed as an explicit example so the outcome does not depend on
// the seed; SHOW_KNOWN_VIOLATIONS=1 runs them as plain tests to see the failure):
// - SAME_SECOND: two real changes in the same second (both platforms give times
//   to the second) can leave the two sides in different states for good;
// - the same root cause makes a Shopify report decided twice write twice;
// - KEPT_NEWER_REDELIVERY: when Shopify kept a newer state of its own, the write
//   to edrone that it calls for waits for the next report, which may be a
//   redelivery.
// See the comments on those constants for the analysis and the proposed fixes.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shopifyToEdrone } from '../../app/core/consent-mapping.js';
import {
  afterEdroneWrite,
  afterShopifyWrite,
  CLOCK_SKEW_MS,
  decideEdroneEvent,
  decideShopifyEvent,
  ECHO_WINDOW_MS,
  SKIP_REASONS,
  TRACE_REASONS,
  writesNeeded,
  type Decision,
  type Write,
} from '../../app/core/decide.js';
import {
  CHANNELS,
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
  anySettingsArb,
  BOTH,
  channelArb,
  checkFinal,
  finalOf,
  formatTrace,
  historyArb,
  newestMapped,
  sameSecondScenarioArb,
  offsetArb,
  replayHistory,
  scenarioArb,
  SECOND,
  simulate,
  type History,
  type Outcome,
  type Scenario,
  type Step,
} from '../helpers/consent-simulation.js';

const seed =
  process.env.FC_SEED === 'random' ? undefined : process.env.FC_SEED ? Number(process.env.FC_SEED) : 20_260_115;
const numRuns = process.env.FC_NUM_RUNS ? Number(process.env.FC_NUM_RUNS) : 500;
const params = { seed, numRuns };
/** it.fails for what the rules violate today (see KNOWN VIOLATIONS above). */
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
 * Minimal counterexamples the properties below found in the earlier rules, each
 * a violation of a rule of the issue (all on the email channel). Fixed; kept as
 * regressions.
 */
const REGRESSIONS = {
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
 * delivered again: the copy wrote to Shopify where the original did not.
 */
const DUPLICATE_WRITES: Scenario = scenario(
  ...REGRESSIONS.ignoredShopifyWrite.steps,
  deliver(0), deliver(0), // Shopify's subscribe, edrone's subscribe
  { kind: 'redeliver', dt: SECOND, pick: 1, latency: SECOND }, // edrone's last unsubscribe again
);
const ALL_REGRESSIONS: [Scenario][] = Object.values(REGRESSIONS).map((s) => [s]);

/**
 * KNOWN VIOLATION (property (a), and (c) under the tie rule): two real changes
 * on one side in the same second. Both carry the same time, so for the app they
 * tie, and an unsubscribe wins (decide.ts's tie rule); but the platform holds
 * the one made last.
 *
 * Rule at fault (decideShopifyEvent's `current`, and decideEdroneEvent's
 * `ms(event.at) >= ms(record.edroneAt)`): a report as old as the believed state
 * replaces it (>=). Here the subscribe arrives first (believed subscribed, sent
 * to the other side), then the unsubscribe of the same second: believed
 * unsubscribed, truth unsubscribed (tie), so the side is taken to hold the truth
 * already and is never written, though it holds the subscribe.
 * shopifySameSecond ends Shopify=subscribed, edrone=unsubscribed (forever);
 * edroneSameSecond ends Shopify=unsubscribed, edrone=subscribed.
 *
 * Proposed fix: a report with the same time as the believed state but another
 * state does not tell which one the side holds. If the belief is the app's own
 * accepted write (shopifyState/At = wroteShopifyState/At), keep it: Shopify
 * applied that write after the report's change. Otherwise make the belief
 * unknown (state null, time kept), so writesNeeded writes the truth there.
 * (Checked against this simulation: with it, (a) (b) (c) hold on
 * sameSecondScenarioArb, and a Shopify report decided twice writes once.)
 */
const SAME_SECOND = {
  shopifySameSecond: scenario(shopifyChange('unsubscribed'), shopifyChange('subscribed', 0), deliver(1)),
  edroneSameSecond: scenario(edroneChange('unsubscribed'), edroneChange('subscribed', 0), deliver(1)),
} satisfies Record<string, Scenario>;

/**
 * KNOWN VIOLATION of property (d) "a redelivered report never causes a write".
 * edrone subscribes at +1s, the customer unsubscribes in Shopify at +2s; the app
 * gets edrone's report (kept for redelivery) and writes Shopify subscribed at
 * +1s: Shopify keeps its newer unsubscribe and returns it, afterShopifyWrite
 * makes that the truth, and edrone (subscribed) now lags. Nothing writes it
 * until the next report: here the redelivery of edrone's report, which then
 * writes edrone unsubscribed. The end state is right, and Shopify's own webhook
 * would have caused the same write; but a duplicate causes a write, and if that
 * webhook never comes, edrone stays subscribed until some report arrives.
 *
 * Not in decide.ts: in the job (app/jobs/apply-writes.ts, modelled by the
 * simulation's worker). Proposed fix: after a job's last write, call
 * writesNeeded(record, channel, settings) again and carry out what it returns
 * (at most one more write: afterShopifyWrite only moves the truth to what
 * Shopify holds, so only edrone can lag). Checked against this simulation:
 * with it, (d) holds, with and without same-second changes.
 */
const KEPT_NEWER_REDELIVERY: Scenario = scenario(
  edroneChange('subscribed'),
  shopifyChange('unsubscribed'),
  { kind: 'deliver', dt: SECOND, pick: 0, keep: true, latency: 0 },
);

/**
 * KNOWN VIOLATION of property (d) "duplicates change nothing", same root cause
 * as KEPT_NEWER_REDELIVERY. edrone subscribes (+1s), Shopify unsubscribes (+2s),
 * edrone's customer unsubscribes (+3s); the app's Shopify write for edrone's
 * subscribe is kept out by Shopify's newer unsubscribe (+5s), leaving edrone to
 * catch up; then edrone's customer subscribes again (+7s).
 * - With a duplicate of edrone's first report (+6s), the catch-up trace
 *   (unsubscribed) is sent at once, before the +7s subscribe: 3 writes.
 * - Without it, the catch-up waits for Shopify's webhook and lands after the +7s
 *   subscribe, overwriting it in edrone; the repair then restores it: 4 writes.
 * Both end right (subscribed on both sides), but the duplicate changed what was
 * written, and without it a real edrone change was overwritten for a while.
 * Fixed in the simulation by the same proposed fix (write what the record still
 * needs after a job's last write).
 */
const DUPLICATE_CHANGES_TIMING: Scenario = scenario(
  edroneChange('subscribed'),
  shopifyChange('unsubscribed'),
  edroneChange('unsubscribed'),
  { kind: 'deliver', dt: SECOND, pick: 0, keep: false, latency: 0 },
  { kind: 'redeliver', dt: SECOND, pick: 0, latency: 0 },
  edroneChange('subscribed'),
);

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
      if (newestMapped(o, channel) !== 'unsubscribed') continue;
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
  // The regression scenarios run first, so they are checked whatever the seed.
  it('(a) both sides end in the state of the newest real change, per channel', () => {
    fc.assert(fc.property(scenarioArb, checkScenario(checks.a)), { ...params, examples: ALL_REGRESSIONS });
  });

  it('(b) no loop: at most two writes per real change, and everything settles', () => {
    fc.assert(fc.property(scenarioArb, checkScenario(checks.b)), { ...params, examples: ALL_REGRESSIONS });
  });

  it('(c) no silent re-subscribe: a customer whose newest real change is an unsubscribe is subscribed nowhere', () => {
    fc.assert(fc.property(scenarioArb, checkScenario(checks.c)), { ...params, examples: ALL_REGRESSIONS });
  });

  it('(d) the regression: redelivering a report the app got before causes no write', () => {
    const o = simulate(DUPLICATE_WRITES);
    expect(checks.d(o), formatTrace(o)).toBeNull();
  });

  // KNOWN VIOLATION: see KEPT_NEWER_REDELIVERY.
  knownViolation('(d) a redelivered report never causes a write', () => {
    fc.assert(fc.property(scenarioArb, checkScenario(checks.d)), { ...params, examples: [[KEPT_NEWER_REDELIVERY], [DUPLICATE_WRITES]] });
  });

  // KNOWN VIOLATION: see DUPLICATE_CHANGES_TIMING.
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
        // Comparable only when the users did the same: a duplicate may make a write land earlier,
        // and a user step that changes nothing (same state) is then a real change in one run only.
        const changes = (o: Outcome) => JSON.stringify(o.realChanges);
        fc.pre(changes(withDuplicates) === changes(without));
        const timelines = `--- with ---\n${formatTrace(withDuplicates)}\n--- without ---\n${formatTrace(without)}`;
        expect(withDuplicates.writes.length, timelines).toBe(without.writes.length);
        for (const channel of CHANNELS) expect(finalOf(withDuplicates, channel), timelines).toEqual(finalOf(without, channel));
      }),
      { ...params, examples: [[DUPLICATE_CHANGES_TIMING], [DUPLICATE_WRITES]] },
    );
  });

  it('(d) duplicates never change how it ends', () => {
    fc.assert(
      fc.property(scenarioArb, (sc) => {
        fc.pre(sc.steps.some((st) => st.kind === 'redeliver'));
        const withDuplicates = simulate(sc);
        const without = simulate({ ...sc, steps: sc.steps.map((st): Step => (st.kind === 'redeliver' ? { kind: 'idle', dt: st.dt } : st)) });
        fc.pre(JSON.stringify(withDuplicates.realChanges) === JSON.stringify(without.realChanges));
        const timelines = `--- with ---\n${formatTrace(withDuplicates)}\n--- without ---\n${formatTrace(without)}`;
        for (const channel of CHANNELS) expect(finalOf(withDuplicates, channel), timelines).toEqual(finalOf(without, channel));
      }),
      { ...params, examples: [[DUPLICATE_CHANGES_TIMING], [DUPLICATE_WRITES]] },
    );
  });
});

describe('consent sync properties with changes in the same second (direction both)', () => {
  it('(b) no endless loop: everything settles', () => {
    fc.assert(fc.property(sameSecondScenarioArb, checkScenario((o) => (o.looped ? 'the drain never settled: a write loop' : null))), {
      ...params,
      examples: Object.values(SAME_SECOND).map((sc) => [sc]),
    });
  });

  // KNOWN VIOLATION: see SAME_SECOND. (b)'s write bound fails too: every copy of a report of
  // the same second as the app's write causes another (no-op) write.
  knownViolation('(a) (b) (c) both sides end in the state of the newest real change (an unsubscribe wins a tie), within two writes per change', () => {
    fc.assert(fc.property(sameSecondScenarioArb, checkScenario((o) => checks.b(o) ?? checks.a(o) ?? checks.c(o))), {
      ...params,
      examples: Object.values(SAME_SECOND).map((sc) => [sc]),
    });
  });

  for (const [name, sc] of Object.entries(SAME_SECOND)) {
    knownViolation(`${name}: settles in the newest real state`, () => {
      const o = simulate(sc);
      expect(checks.b(o) ?? checks.a(o) ?? checks.c(o), formatTrace(o)).toBeNull();
    });
  }
});

/** May the settings let the app write `w` on `channel`? (The settings contract, stated independently of decide.ts.) */
function allowedBySettings(w: Write, channel: Channel, s: SyncSettings): boolean {
  if (s.direction === 'paused' || !s.channels[channel]) return false;
  if (w.target === 'edrone') return s.direction === 'both' || s.direction === 'shopify_to_edrone';
  if (s.direction !== 'both' && s.direction !== 'edrone_to_shopify') return false;
  return s.edroneStatuses === 'all' || (s.edroneStatuses === 'subscribes') === (w.value === 'subscribed');
}

describe('consent sync properties, any settings', () => {
  const anyScenarioArb = fc.record({ steps: scenarioArb.map((sc) => sc.steps), drainGap: fc.constant(SECOND), settings: anySettingsArb });

  it('(e) the app only ever writes what the settings allow, and always settles', () => {
    fc.assert(
      fc.property(anyScenarioArb, (sc) => {
        const o = simulate(sc);
        expect(o.looped, formatTrace(o)).toBe(false);
        for (const w of o.writes) expect(allowedBySettings(w.write, w.channel, sc.settings), formatTrace(o)).toBe(true);
      }),
      params,
    );
  });

  it('(c) whatever the settings, a side whose own unsubscribe is the newest real change never ends subscribed', () => {
    // One-way or paused sync may leave the other side behind; but the app never
    // re-subscribes the side where the customer unsubscribed last.
    fc.assert(
      fc.property(anyScenarioArb, (sc) => {
        const o = simulate(sc);
        for (const channel of CHANNELS) {
          const newest = o.realChanges.filter((c) => c.channel === channel && c.mapped !== null).at(-1);
          if (newest?.mapped !== 'unsubscribed') continue;
          const now = newest.side === 'shopify' ? o.shopify[channel].state : o.edrone[channel].state;
          expect(now, `${channel}: ${newest.side} re-subscribed\n${formatTrace(o)}`).not.toBe('subscribed');
        }
      }),
      params,
    );
  });
});

describe('regressions: the minimal counterexamples of the earlier rules', () => {
  // The rule each scenario broke (see the comments on REGRESSIONS): both sides end in
  // the newest real state, nobody who unsubscribed last is subscribed anywhere, and
  // the app settles.
  for (const [name, sc] of Object.entries(REGRESSIONS)) {
    it(`${name}: settles in the newest real state`, () => {
      const o = simulate(sc);
      const problem = checks.b(o) ?? checks.a(o) ?? checks.c(o);
      expect(problem, formatTrace(o)).toBeNull();
    });
  }

  it('duplicate: redelivering a report the app got before causes no write', () => {
    const o = simulate(DUPLICATE_WRITES);
    expect(checks.d(o), formatTrace(o)).toBeNull();
  });
});

// ---- decide, one call at a time, for reachable records, any event and settings -----
// Records come from replaying a random history through decide* and after*Write from
// EMPTY_RECORD (historyArb): every record the app can hold, and only those.

// node:assert rather than expect in these hot loops: the same checks, several times faster.
const ms = (d: Date | null) => (d === null ? Number.NEGATIVE_INFINITY : d.getTime());
const sameTime = (a: Date | null, b: Date | null) => ms(a) === ms(b);

/** The new truth is the old one, or beats it: newer, or as new and an unsubscribe over a subscribe. */
function truthMovesForward(before: ConsentRecord, after: ConsentRecord): void {
  if (after.truthState === before.truthState && sameTime(after.truthAt, before.truthAt) && after.truthSource === before.truthSource) return;
  assert.notEqual(after.truthState, null);
  if (before.truthState === null) return;
  if (sameTime(after.truthAt, before.truthAt)) {
    assert.deepEqual([before.truthState, after.truthState], ['subscribed', 'unsubscribed']);
  } else {
    assert.ok(ms(after.truthAt) > ms(before.truthAt), 'the truth moved back in time');
  }
}

/** Every write brings a side that lags behind the truth to it, within the settings. */
function writesAreLegal(d: Decision, channel: Channel, s: SyncSettings): void {
  assert.equal(d.skip === null, d.writes.length > 0);
  if (d.skip !== null) assert.ok(d.skip in SKIP_REASONS);
  if (d.writes.length === 2) assert.deepEqual(d.writes.map((w) => w.target), ['shopify', 'edrone']);
  assert.ok(d.writes.length <= 2);
  const r = d.record;
  for (const w of d.writes) {
    assert.ok(allowedBySettings(w, channel, s), 'a write the settings forbid');
    // Only the newest real change is ever written, with its own time.
    assert.equal(w.value, r.truthState);
    assert.equal(ms(w.at), ms(r.truthAt));
    // ... and only to a side that holds something else, as of a change no newer (no silent overwrite).
    const held = w.target === 'edrone' ? r.edroneState : r.shopifyState && shopifyToEdrone(r.shopifyState);
    const heldAt = w.target === 'edrone' ? r.edroneAt : r.shopifyAt;
    assert.notEqual(held, w.value);
    assert.ok(ms(heldAt) <= ms(r.truthAt), 'a side newer than the truth is overwritten');
    if (w.target === 'shopify') assert.notEqual(w.at, null);
  }
  // The decision writes exactly what the record needs.
  assert.deepStrictEqual(d.writes, writesNeeded(r, channel, s).writes);
}

const SHOPIFY_FIELDS = ['shopifyState', 'shopifyAt', 'wroteShopifyState', 'wroteShopifyAt', 'wroteShopifyWallAt'] as const;
const EDRONE_FIELDS = [
  'edroneState',
  'edroneAt',
  'wroteEdroneState',
  'wroteEdroneAt',
  'wroteEdroneWallAt',
  'tracedSubscribedWallAt',
  'tracedUnsubscribedWallAt',
] as const;
const TRUTH = ['truthState', 'truthAt', 'truthSource'] as const;
const pick = (r: ConsentRecord, keys: readonly (keyof ConsentRecord)[]) => Object.fromEntries(keys.map((k) => [k, r[k]]));

/** A decision's writes recorded as done and accepted, at `now`. */
const applyWrites = (d: Decision, now: Date): ConsentRecord =>
  d.writes.reduce(
    (r, w) => (w.target === 'edrone' ? afterEdroneWrite(r, w.value, w.at, now) : afterShopifyWrite(r, w.value, w.at, now, { state: w.value, at: w.at })),
    d.record,
  );

const settingsArb = anySettingsArb;
/** A report's time relative to the end of the history; sometimes a little ahead (clock skew). */
const reportOffsetArb = fc.oneof(offsetArb, fc.integer({ min: 1, max: 2 }).map((s) => s * SECOND));
/** How long after the end of the history (and the report) the app handles it: up to well past the echo window. */
const delayArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 }).map((m) => m * 60 * SECOND));

const shopifyReportArb = fc.record({
  origin: fc.constantFrom('webhook' as const, 'backfill' as const, 'reconcile' as const),
  channel: channelArb,
  hasIdentity: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  state: fc.constantFrom(...SHOPIFY_STATES),
  /** 'clock': a time near the end of the history; 'wrote': near what the app last wrote to Shopify (its echo). */
  base: fc.constantFrom('clock' as const, 'wrote' as const),
  offset: fc.option(reportOffsetArb, { nil: null, freq: 8 }),
});
const edroneReportArb = fc.record({
  channel: channelArb,
  hasIdentity: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  status: fc.option(fc.constantFrom<EdroneState>('subscribed', 'unsubscribed'), { nil: null, freq: 8 }),
  /** 'clock', or near the app's last trace of the reported state (its echo, early or late). */
  base: fc.constantFrom('clock' as const, 'traced' as const),
  offset: fc.oneof(reportOffsetArb, fc.integer({ min: 0, max: 12 }).map((m) => m * 60 * SECOND)),
  reason: fc.constantFrom('TRACE_SUBSCRIBED', 'TRACE_UNSUBSCRIBED', 'TRACE_UPDATE', 'TRACE_UNKNOWN', 'CUSTOMER_UNSUBSCRIBED', 'AGENT_SUBSCRIBED', null),
});
type ShopifyReport = typeof shopifyReportArb extends fc.Arbitrary<infer R> ? R : never;
type EdroneReport = typeof edroneReportArb extends fc.Arbitrary<infer R> ? R : never;

function shopifyEventOf(rep: ShopifyReport, r: ConsentRecord, clock: Date): ShopifyConsentEvent {
  const base = rep.base === 'wrote' && r.wroteShopifyAt ? r.wroteShopifyAt : clock;
  const state = rep.base === 'wrote' && r.wroteShopifyState ? r.wroteShopifyState : rep.state;
  return {
    origin: rep.origin,
    channel: rep.channel,
    customerId: 'gid://shopify/Customer/1',
    identity: rep.hasIdentity ? (rep.channel === 'email' ? 'ann@example.com' : '+48500100200') : null,
    state,
    at: rep.offset === null ? null : new Date(base.getTime() + rep.offset),
  };
}

function edroneEventOf(rep: EdroneReport, r: ConsentRecord, clock: Date): EdroneConsentEvent {
  const traced = rep.status === 'subscribed' ? r.tracedSubscribedWallAt : rep.status === 'unsubscribed' ? r.tracedUnsubscribedWallAt : null;
  const base = rep.base === 'traced' && traced ? traced : clock;
  return {
    channel: rep.channel,
    identity: rep.hasIdentity ? (rep.channel === 'email' ? 'ann@example.com' : '+48500100200') : null,
    status: rep.status,
    at: new Date(base.getTime() + rep.offset),
    reason: rep.reason,
    reasonCode: null,
  };
}

const isTraceLike = (reason: string | null) => reason === null || TRACE_REASONS.has(reason);

describe('decide, for any reachable record, any report and any settings', () => {
  it('the replayed histories reach every kind of record', () => {
    const records = fc.sample(historyArb, { numRuns: 500, seed: 1 }).map((h) => replayHistory(h).record);
    const some = (f: (r: ConsentRecord) => boolean) => records.some(f);
    expect(some((r) => r.truthState === 'subscribed' && r.truthSource === 'shopify')).toBe(true);
    expect(some((r) => r.truthState === 'unsubscribed' && r.truthSource === 'edrone')).toBe(true);
    expect(some((r) => r.shopifyState === 'pending')).toBe(true);
    expect(some((r) => r.tracedSubscribedWallAt !== null && r.tracedUnsubscribedWallAt !== null)).toBe(true);
    expect(some((r) => r.wroteShopifyState !== null && r.shopifyState !== r.wroteShopifyState)).toBe(true);
    expect(some((r) => writesNeeded(r, 'email', BOTH).writes.length > 0)).toBe(true);
  });

  it('decideShopifyEvent honours the settings and the rules', () => {
    fc.assert(
      fc.property(historyArb, shopifyReportArb, settingsArb, delayArb, (history, rep, s, delay) => {
        const { record, now: clock } = replayHistory(history);
        const event = shopifyEventOf(rep, record, clock);
        const now = new Date(Math.max(clock.getTime(), ms(event.at)) + delay);
        const d = decideShopifyEvent(record, event, s, now);
        if (!event.identity) {
          assert.deepStrictEqual(d, { writes: [], skip: 'no_identity', record });
          return;
        }
        writesAreLegal(d, event.channel, s);
        truthMovesForward(record, d.record);
        const mapped = shopifyToEdrone(event.state);
        const ownWrite =
          record.wroteShopifyState === event.state && event.at !== null && Math.abs(ms(event.at) - ms(record.wroteShopifyAt)) <= CLOCK_SKEW_MS;
        // The truth only ever becomes this report, and only when it is a real, mapped change.
        if (d.record.truthState !== record.truthState || !sameTime(d.record.truthAt, record.truthAt)) {
          assert.equal(ownWrite, false);
          assert.deepStrictEqual(pick(d.record, TRUTH), { truthState: mapped, truthAt: event.at, truthSource: 'shopify' });
        }
        // The webhook of the app's own write is reported as its echo (unless a lagging side is blocked by the settings).
        if (ownWrite && d.writes.length === 0) assert.ok(['echo', 'paused', 'channel_off', 'direction', 'status_filter'].includes(d.skip!), d.skip!);
        // Shopify holds the newest: an older report does not change what Shopify is believed to hold.
        if (record.shopifyAt !== null && ms(event.at) < ms(record.shopifyAt)) {
          assert.deepStrictEqual(pick(d.record, ['shopifyState', 'shopifyAt']), pick(record, ['shopifyState', 'shopifyAt']));
        } else {
          assert.equal(d.record.shopifyState, event.state);
        }
        // A Shopify report says nothing about edrone, nor about what the app wrote.
        assert.deepStrictEqual(pick(d.record, EDRONE_FIELDS), pick(record, EDRONE_FIELDS));
        assert.deepStrictEqual(pick(d.record, SHOPIFY_FIELDS.slice(2)), pick(record, SHOPIFY_FIELDS.slice(2)));
      }),
      params,
    );
  });

  it('decideEdroneEvent honours the settings and the rules', () => {
    fc.assert(
      fc.property(historyArb, edroneReportArb, settingsArb, delayArb, (history, rep, s, delay) => {
        const { record, now: clock } = replayHistory(history);
        const event = edroneEventOf(rep, record, clock);
        const now = new Date(Math.max(clock.getTime(), event.at.getTime()) + delay);
        const d = decideEdroneEvent(record, event, s, now);
        if (event.status === null || !event.identity) {
          assert.deepStrictEqual(d, { writes: [], skip: event.status === null ? 'unknown_status' : 'no_identity', record });
          return;
        }
        const at = event.at.getTime();
        const traced = event.status === 'subscribed' ? record.tracedSubscribedWallAt : record.tracedUnsubscribedWallAt;
        const traceLike = isTraceLike(event.reason);
        const echo = traceLike && traced !== null && at >= traced.getTime() - CLOCK_SKEW_MS && at <= traced.getTime() + ECHO_WINDOW_MS;
        const supersededByOwnTrace = record.wroteEdroneWallAt !== null && at < record.wroteEdroneWallAt.getTime();
        if (echo) {
          assert.deepStrictEqual(d, { writes: [], skip: 'echo', record });
          return;
        }
        if (traceLike && supersededByOwnTrace) {
          assert.deepStrictEqual(d, { writes: [], skip: 'stale', record });
          return;
        }
        writesAreLegal(d, event.channel, s);
        truthMovesForward(record, d.record);
        if (d.record.truthState !== record.truthState || !sameTime(d.record.truthAt, record.truthAt)) {
          assert.deepStrictEqual(pick(d.record, TRUTH), { truthState: event.status, truthAt: event.at, truthSource: 'edrone' });
        }
        // edrone processed the app's later trace after this change: it holds the trace's state still.
        if (supersededByOwnTrace || ms(event.at) < ms(record.edroneAt)) {
          assert.deepStrictEqual(pick(d.record, ['edroneState', 'edroneAt']), pick(record, ['edroneState', 'edroneAt']));
        } else {
          assert.deepStrictEqual(pick(d.record, ['edroneState', 'edroneAt']), { edroneState: event.status, edroneAt: event.at });
        }
        // An edrone report says nothing about Shopify, nor about what the app wrote or traced.
        assert.deepStrictEqual(pick(d.record, SHOPIFY_FIELDS), pick(record, SHOPIFY_FIELDS));
        assert.deepStrictEqual(pick(d.record, EDRONE_FIELDS.slice(2)), pick(record, EDRONE_FIELDS.slice(2)));
      }),
      params,
    );
  });

  it('once the writes a decision made are recorded, nothing lags any more (one round settles)', () => {
    fc.assert(
      fc.property(historyArb, fc.oneof(shopifyReportArb.map((rep) => ({ side: 'shopify' as const, rep })), edroneReportArb.map((rep) => ({ side: 'edrone' as const, rep }))), settingsArb, delayArb, (history, report, s, delay) => {
        const { record, now: clock } = replayHistory(history);
        const decision =
          report.side === 'shopify'
            ? (() => {
                const e = shopifyEventOf(report.rep, record, clock);
                return { d: decideShopifyEvent(record, e, s, new Date(Math.max(clock.getTime(), ms(e.at)) + delay)), channel: e.channel };
              })()
            : (() => {
                const e = edroneEventOf(report.rep, record, clock);
                return { d: decideEdroneEvent(record, e, s, new Date(Math.max(clock.getTime(), e.at.getTime()) + delay)), channel: e.channel };
              })();
        if (decision.d.writes.length === 0) return;
        const after = applyWrites(decision.d, new Date(clock.getTime() + delay + 60 * SECOND));
        const again = writesNeeded(after, decision.channel, s);
        assert.deepStrictEqual(again.writes, []);
      }),
      params,
    );
  });

  type Report = { side: 'shopify'; rep: ShopifyReport } | { side: 'edrone'; rep: EdroneReport };
  const reportArb: fc.Arbitrary<Report> = fc.oneof(
    shopifyReportArb.map((rep) => ({ side: 'shopify' as const, rep })),
    edroneReportArb.map((rep) => ({ side: 'edrone' as const, rep })),
  );
  /**
   * Decides the report, records its writes as done, decides it again: returns both decisions.
   * `delay`: when the app handles it after it happened; `redeliveredAfter`: when the copy comes.
   */
  function twice(history: History, report: Report, s: SyncSettings, delay: number, redeliveredAfter: number) {
    const { record, now: clock } = replayHistory(history);
    if (report.side === 'shopify') {
      const e = shopifyEventOf(report.rep, record, clock);
      const now = new Date(Math.max(clock.getTime(), ms(e.at)) + delay);
      const first = decideShopifyEvent(record, e, s, now);
      const again = decideShopifyEvent(applyWrites(first, now), e, s, new Date(now.getTime() + redeliveredAfter));
      return { first, again, at: e.at, state: shopifyToEdrone(e.state) };
    }
    const e = edroneEventOf(report.rep, record, clock);
    const now = new Date(Math.max(clock.getTime(), e.at.getTime()) + delay);
    const first = decideEdroneEvent(record, e, s, now);
    const again = decideEdroneEvent(applyWrites(first, now), e, s, new Date(now.getTime() + redeliveredAfter));
    return { first, again, at: e.at, state: e.status };
  }

  /**
   * KNOWN VIOLATIONS (same root cause as SAME_SECOND): a report with the same time as the
   * newest real change, but another state, replaces the belief about its side (>=), so the
   * side is written again, for every copy of that report.
   * - Shopify: edrone's customer unsubscribed at T, written to Shopify (consentUpdatedAt T);
   *   Shopify's report of a subscribe at T comes (twice).
   * - edrone: Shopify redacted at T (paused, nothing written); edrone reports a subscribe at T
   *   and the app traces the unsubscribe at once: edrone's report is not older than the trace
   *   (possible when edrone's clock is ahead of ours), so its copy is not "stale".
   */
  const SAME_TIME_REPORTS: [History, Report, SyncSettings, number, number][] = [
    [
      {
        ops: [
          { kind: 'edrone', dt: SECOND, status: 'unsubscribed', atOffset: 0, fromLastTrace: false, reason: 'CUSTOMER_UNSUBSCRIBED', settings: BOTH, fate: { kind: 'done' } },
        ],
      },
      { side: 'shopify', rep: { origin: 'webhook', channel: 'email', hasIdentity: true, state: 'subscribed', base: 'clock', offset: 0 } },
      BOTH,
      0,
      0,
    ],
    [
      { ops: [{ kind: 'shopify', dt: SECOND, state: 'redacted', atOffset: 0, settings: { ...BOTH, direction: 'paused' }, fate: { kind: 'done' } }] },
      { side: 'edrone', rep: { channel: 'email', hasIdentity: true, status: 'subscribed', base: 'clock', offset: 0, reason: 'TRACE_SUBSCRIBED' } },
      BOTH,
      0,
      60 * SECOND,
    ],
  ];

  knownViolation('the same report decided again, after its writes were recorded, writes nothing (idempotent)', () => {
    fc.assert(
      fc.property(historyArb, reportArb, settingsArb, delayArb, delayArb, (history, report, s, delay, redeliveredAfter) => {
        assert.deepStrictEqual(twice(history, report, s, delay, redeliveredAfter).again.writes, []);
      }),
      { ...params, examples: SAME_TIME_REPORTS },
    );
  });

  it('... and so it is, for every report that does not tie with the newest real change', () => {
    fc.assert(
      fc.property(historyArb, reportArb, settingsArb, delayArb, delayArb, (history, report, s, delay, redeliveredAfter) => {
        const { first, again, at, state } = twice(history, report, s, delay, redeliveredAfter);
        fc.pre(!(at !== null && ms(at) === ms(first.record.truthAt) && state !== first.record.truthState));
        assert.deepStrictEqual(again.writes, []);
      }),
      params,
    );
  });
});
