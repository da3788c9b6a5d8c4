// Property tests of the consent rules (issue "Consent correctness") against a
// simulation of Shopify, edrone and the app (test/helpers/consent-simulation.ts):
// real changes on both sides, reports delivered late, out of order and twice,
// the app's own writes reaching the other side after a delay.
//
// Reproduce: FC_SEED=<n> (default: a fixed seed), FC_SEED=random for a fresh
// one, FC_NUM_RUNS=<n> for more or fewer runs. A failure prints the shrunk
// scenario and its whole timeline.
//
// The simulated worker is app/sync/apply-writes.ts: it records a trace with the
// wall time it was sent, and after a job's writes it asks writesNeeded once more
// and does what it returns (one catch-up round).
//
// REGRESSIONS: earlier versions of app/core/decide.ts broke properties (a) to (d);
// the minimal scenarios they failed on are kept below (REGRESSIONS, SAME_SECOND,
// KEPT_NEWER_REDELIVERY, DUPLICATE_CHANGES_TIMING), run on their own and fed to
// the properties as explicit examples, so they are checked whatever the seed.
//
// FORMER KNOWN VIOLATIONS (TRACE_BOUNDARY, SAME_SECOND_ECHO, SAME_SECOND_REDELIVERY,
// TIE_REDELIVERY): the rules now satisfy them; their tests (`knownViolation`, now plain
// `it`) and minimal scenarios stay as regressions, with the analysis in the comments on
// those constants. A redelivered report is decided once (app/core/report-memory.ts):
// the simulated worker passes each report's id as the real one passes its stored delivery's.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shopifyToEdrone } from '../../app/core/consent-mapping.js';
import {
  afterEdroneWrite,
  afterShopifyWrite,
  CLOCK_SKEW_MS,
  TRACE_APPLY_MS,
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
  convergenceScenarioArb,
  finalOf,
  formatTrace,
  historyArb,
  newestMapped,
  sameSecondScenarioArb,
  subSecondScenarioArb,
  offsetArb,
  replayHistory,
  scenarioArb,
  SECOND,
  simulate,
  START,
  type History,
  type Outcome,
  type Scenario,
  type Step,
} from '../helpers/consent-simulation.js';

const seed =
  process.env.FC_SEED === 'random' ? undefined : process.env.FC_SEED ? Number(process.env.FC_SEED) : 20_260_115;
/** PROPERTY_RUNS (or FC_NUM_RUNS): runs per property; short by default, 3000 for the issue 9 acceptance run. */
const runsFromEnv = process.env.PROPERTY_RUNS ?? process.env.FC_NUM_RUNS;
const numRuns = runsFromEnv ? Number(runsFromEnv) : 200;
const params = { seed, numRuns };
// Were violations of earlier rules; decide.ts now satisfies them: plain regression tests.
const knownViolation = it;

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
 * Fixed (same-time reports): two real changes on one side in the same second.
 * Both carry the same time, so for the app they tie and an unsubscribe wins;
 * but the platform holds the one made last. A report as old as the believed
 * state used to replace it, so the side was taken to hold the truth already
 * and never written (shopifySameSecond ended Shopify=subscribed,
 * edrone=unsubscribed, for good). Now such a report leaves the belief unknown
 * (unless it is the app's own accepted write), and the truth is written there.
 */
const SAME_SECOND = {
  shopifySameSecond: scenario(shopifyChange('unsubscribed'), shopifyChange('subscribed', 0), deliver(1)),
  edroneSameSecond: scenario(edroneChange('unsubscribed'), edroneChange('subscribed', 0), deliver(1)),
} satisfies Record<string, Scenario>;

/**
 * Fixed (the job's catch-up round), property (d) "a redelivered report never
 * causes a write". edrone subscribes at +1s, the customer unsubscribes in
 * Shopify at +2s; the app gets edrone's report (kept for redelivery) and writes
 * Shopify subscribed at +1s: Shopify keeps its newer unsubscribe and returns it,
 * afterShopifyWrite makes that the truth, and edrone (subscribed) now lags. It
 * used to wait for the next report (here the redelivery, which then wrote
 * edrone); now the job's catch-up round writes it at once.
 */
const KEPT_NEWER_REDELIVERY: Scenario = scenario(
  edroneChange('subscribed'),
  shopifyChange('unsubscribed'),
  { kind: 'deliver', dt: SECOND, pick: 0, keep: true, latency: 0 },
);

/**
 * Fixed (the job's catch-up round), property (d) "duplicates change nothing", same
 * root cause as KEPT_NEWER_REDELIVERY. edrone subscribes (+1s), Shopify
 * unsubscribes (+2s), edrone's customer unsubscribes (+3s); the app's Shopify
 * write for edrone's subscribe is kept out by Shopify's newer unsubscribe,
 * leaving edrone to catch up; then edrone's customer subscribes again (+7s).
 * Without the catch-up round, the duplicate of edrone's first report made the
 * catch-up trace go out before the +7s subscribe (3 writes), while without the
 * duplicate it went out after it and overwrote it for a while (4 writes).
 */
const DUPLICATE_CHANGES_TIMING: Scenario = scenario(
  edroneChange('subscribed'),
  shopifyChange('unsubscribed'),
  edroneChange('unsubscribed'),
  { kind: 'deliver', dt: SECOND, pick: 0, keep: false, latency: 0 },
  { kind: 'redeliver', dt: SECOND, pick: 0, latency: 0 },
  edroneChange('subscribed'),
);

/**
 * KNOWN VIOLATION of (a) and (c): edrone reports dated near the app's last trace
 * (app/core/decide.ts, decideEdroneEvent). Echo detection keys on the last trace
 * only; a report dated from floor(last trace) - CLOCK_SKEW_MS on is taken to be
 * newer than that trace, whatever it is.
 * - earlierTraceReport (= REGRESSIONS.loop): Shopify subscribed at +1s, then
 *   unsubscribed at +2s. The app traces the subscribe (sent +4s; edrone applies
 *   it and reports TRACE_SUBSCRIBED at +5s), then the unsubscribe (sent +6s).
 *   The report of the first trace, dated +5s, is neither the echo (another state
 *   than the last trace) nor stale (not before +6s - 1s): a "real" edrone
 *   subscribe, newer than everything, written to Shopify. Ends
 *   Shopify=subscribed, edrone=unsubscribed, for good: (a), and (c) (the
 *   customer unsubscribed last).
 * - changeBeforeTrace: Shopify subscribed at +1s; the customer unsubscribes in
 *   edrone at +2s; the app traces the subscribe at +3s and edrone applies it
 *   (+4s) over the unsubscribe. edrone's report of the unsubscribe (+2s) is not
 *   "before the trace" (+3s - 1s), so the app believes edrone holds it and only
 *   writes Shopify: edrone stays subscribed, a silent re-subscribe (c).
 * - changeDuringTrace: the same with the change made while the trace is on its
 *   way (sent +2s, applied +5s, the change at +3s).
 * Proposed fix (decideEdroneEvent), both parts needed (checked with a copy of
 * decide.ts changed so: every property here holds on every arbitrary, 3000 runs,
 * many seeds):
 * 1. a trace-like report of another state than the last trace, dated up to
 *    floor(last trace) + CLOCK_SKEW_MS, is 'stale': it is the report of an
 *    earlier trace, which edrone applied before the last one was sent (the
 *    worker sends one trace at a time and waits for it);
 * 2. a report of another state than the last trace, not stale, dated up to as
 *    late as edrone may apply that trace (wroteEdroneWallAt + ECHO_WINDOW_MS +
 *    CLOCK_SKEW_MS; + the trace call's 10 s timeout suffices when edrone applies
 *    a trace before answering) leaves edrone's belief unknown (null): edrone may
 *    have applied the trace after it. The truth moves as before, and
 *    writesNeeded writes the truth to edrone (a no-op there if it held it).
 */
const TRACE_BOUNDARY = {
  earlierTraceReport: REGRESSIONS.loop,
  changeBeforeTrace: scenario(shopifyChange('subscribed'), edroneChange('unsubscribed'), deliver()),
  changeDuringTrace: scenario(shopifyChange('subscribed'), { kind: 'deliver', dt: SECOND, pick: 0, keep: false, latency: 3 * SECOND }, edroneChange('unsubscribed')),
} satisfies Record<string, Scenario>;

/**
 * KNOWN VIOLATION of (a) and (c) under the tie rule (same-second changes). edrone
 * unsubscribes at +1s; Shopify unsubscribes at +2s and, in that same second, an
 * agent subscribes in edrone (a tie: the unsubscribe wins). The app writes
 * edrone's unsubscribe to Shopify (consentUpdatedAt +1s); Shopify, holding its
 * own unsubscribe of +2s, returns it, and afterShopifyWrite takes it for the
 * write (the same state, times within CLOCK_SKEW_MS); Shopify's webhook of +2s is
 * then taken for the echo of the write (decideShopifyEvent's isOwnWrite, same
 * tolerance). So the Shopify unsubscribe never becomes the truth, and the edrone
 * subscribe of +2s wins: both sides end subscribed.
 * Proposed fix: both platforms give whole seconds, so the echo of a write of T
 * carries T (or T rounded, when T had milliseconds): compare with
 * `< CLOCK_SKEW_MS`, not `<=` (isOwnWrite and afterShopifyWrite). (The unit test
 * "when the consent time differs by at most a second ... it is still the echo"
 * asserts the `<=` tolerance for a whole second and would change with it.)
 */
const SAME_SECOND_ECHO: Scenario = scenario(edroneChange('unsubscribed'), shopifyChange('unsubscribed'), edroneChange('subscribed', 0));

/**
 * KNOWN VIOLATION of (d) with same-second changes. Shopify subscribes and
 * unsubscribes within +1s (it holds the unsubscribe); the app gets the subscribe
 * (+1s) and traces it; edrone's customer unsubscribes (+121s), written to Shopify:
 * Shopify holds the unsubscribe already, since +1s, and the mutation returns that.
 * The subscribe of +1s, delivered again, is as old as that belief but another
 * state: the belief becomes unknown (it is not "the app's own accepted write",
 * whose time is +121s), and Shopify is written again (a no-op).
 * Proposed fix: the belief is the app's own write also when Shopify returned the
 * written state with an older time: in decideShopifyEvent, believedIsOwnWrite =
 * shopifyState === wroteShopifyState && shopifyAt <= wroteShopifyAt.
 */
const SAME_SECOND_REDELIVERY: Scenario = scenario(
  shopifyChange('subscribed'),
  shopifyChange('unsubscribed', 0),
  deliver(0, MINUTE), // the subscribe: traced
  edroneChange('unsubscribed', MINUTE),
  deliver(2), // edrone's unsubscribe: Shopify had it
  { kind: 'redeliver', dt: SECOND, pick: 0, latency: SECOND }, // the subscribe again
);

const wholeSecond = (t: number) => Math.floor(t / SECOND) * SECOND;

/**
 * Which known violation, if any, a run comes near (so the narrowed properties
 * check every other run). Generous: it also matches runs that end well.
 */
function knownViolationIn(o: Outcome): string | null {
  for (const channel of CHANNELS) {
    const traces = o.writes.filter((w) => w.channel === channel && w.write.target === 'edrone');
    for (const [i, w] of traces.entries()) {
      const sent = wholeSecond(w.sentAt);
      // TRACE_BOUNDARY: an earlier trace of another state, applied (and reported) within the skew of this one's second...
      if (traces.slice(0, i).some((e) => e.changed && e.write.value !== w.write.value && wholeSecond(e.landedAt) >= sent - CLOCK_SKEW_MS)) {
        return 'TRACE_BOUNDARY (earlier trace)';
      }
      // ... or a real edrone change of another state, from a second before the trace was sent to when edrone applied it.
      const near = (c: Outcome['realChanges'][number]) =>
        c.side === 'edrone' && c.channel === channel && c.mapped !== w.write.value && c.at >= sent - CLOCK_SKEW_MS && c.at < w.landedAt;
      if (o.realChanges.some(near)) return 'TRACE_BOUNDARY (change around a trace)';
    }
    const shopifyChanges = o.realChanges.filter((c) => c.side === 'shopify' && c.channel === channel);
    const shopifyWrites = o.writes.filter((w) => w.channel === channel && w.write.target === 'shopify');
    const oneSecondOff = (c: Outcome['realChanges'][number]) =>
      shopifyWrites.some((w) => w.write.value === c.mapped && Math.abs(c.at - ms(w.write.at)) === CLOCK_SKEW_MS);
    if (shopifyChanges.some(oneSecondOff)) return 'SAME_SECOND_ECHO';
    if (new Set(shopifyChanges.map((c) => c.at)).size < shopifyChanges.length) return 'SAME_SECOND_REDELIVERY (two Shopify changes in one second)';
  }
  return null;
}

/** Like checkScenario, for runs that do not touch a known violation. */
function checkScenarioAwayFromKnownViolations(check: (o: Outcome) => string | null) {
  return (sc: Scenario) => {
    const outcome = simulated(sc);
    fc.pre(knownViolationIn(outcome) === null);
    const problem = check(outcome);
    if (problem) throw new Error(`${problem}\n--- timeline ---\n${formatTrace(outcome)}`);
  };
}

/**
 * simulate, remembered: with the same seed the properties below see the same
 * scenarios, so each is simulated once (simulate is deterministic and its outcome
 * is only read).
 */
const outcomes = new Map<string, Outcome>();
function simulated(sc: Scenario): Outcome {
  const key = JSON.stringify(sc);
  let o = outcomes.get(key);
  if (!o) {
    if (outcomes.size > 20_000) outcomes.clear();
    o = simulate(sc);
    outcomes.set(key, o);
  }
  return o;
}

/** Runs the scenario and throws with the whole timeline when `check` finds a violation. */
function checkScenario(check: (o: Outcome) => string | null) {
  return (sc: Scenario) => {
    const outcome = simulated(sc);
    const problem = check(outcome);
    if (problem) throw new Error(`${problem}\n--- timeline ---\n${formatTrace(outcome)}`);
  };
}

const checks = {
  a: (o: Outcome) => checkFinal(o, 'email') ?? checkFinal(o, 'sms'),
  b: (o: Outcome) => {
    if (o.looped) return 'the drain never settled: a write loop';
    const calls = o.writes.filter((w) => w.mutated).length;
    if (calls > 2 * o.realChanges.length) return `${calls} writes for ${o.realChanges.length} real changes`;
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
    // A read-back that found the value in Shopify is not a write.
    const extra = o.writes.filter((w) => w.redelivery && w.mutated);
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

  it('a trace is recorded with the wall time it was sent (apply-writes.ts), edrone dates it when it arrives', () => {
    const o = simulate(scenario(shopifyChange('subscribed'), { kind: 'deliver', dt: SECOND, pick: 0, keep: false, latency: 3 * SECOND }));
    const [trace] = o.writes;
    expect(trace).toMatchObject({ write: { target: 'edrone' }, sentAt: START + 2 * SECOND, landedAt: START + 5 * SECOND });
    expect(o.records.email.wroteEdroneWallAt).toEqual(new Date(START + 2 * SECOND));
    expect(o.trace.map((e) => e.what)).toContainEqual(expect.stringMatching(/TRACE_SUBSCRIBED at=\+5s/));
  });

  it("after a job's writes the worker asks writesNeeded once more and does what it returns, in the same job", () => {
    // Shopify keeps its newer unsubscribe against the app's write: edrone gets it in the catch-up round.
    const o = simulate(KEPT_NEWER_REDELIVERY);
    expect(o.writes.map((w) => [w.round, w.write.target, w.write.value, w.cause])).toEqual([
      [0, 'shopify', 'subscribed', 1],
      [1, 'edrone', 'unsubscribed', 1],
    ]);
    expect(finalOf(o, 'email')).toEqual({ shopify: 'unsubscribed', edrone: 'unsubscribed' });
  });

  it('platform times are whole seconds, the app clock is not', () => {
    const o = simulate(scenario(shopifyChange('subscribed'), { kind: 'deliver', dt: SECOND, pick: 0, keep: false, latency: 1_500 }));
    expect(o.writes[0]).toMatchObject({ sentAt: START + 2 * SECOND, landedAt: START + 3_500 });
    expect(o.edrone.email.at).toBe(START + 3 * SECOND);
  });

  it('the scenario generator makes real changes on both sides, duplicates and reorderings', () => {
    const samples = fc.sample(scenarioArb, { numRuns: 200, seed: 1 });
    const kinds = new Set(samples.flatMap((sc) => sc.steps.map((st) => st.kind)));
    expect([...kinds].sort()).toEqual(['deliver', 'edrone', 'idle', 'redeliver', 'shopify']);
    expect(samples.some((sc) => sc.steps.some((st) => st.kind === 'deliver' && st.keep))).toBe(true);
  });
});

// ---- properties ------------------------------------------------------------------

const TRACE_BOUNDARY_EXAMPLES: [Scenario][] = Object.values(TRACE_BOUNDARY).map((sc) => [sc]);
const SAME_SECOND_EXAMPLES: [Scenario][] = Object.values(SAME_SECOND).map((sc) => [sc]);

describe('consent sync properties (direction both, all statuses, both channels)', () => {
  // The regression scenarios run first, so they are checked whatever the seed.
  // KNOWN VIOLATION: see TRACE_BOUNDARY.
  knownViolation('(a) both sides end in the state of the newest real change, per channel', () => {
    fc.assert(fc.property(scenarioArb, checkScenario(checks.a)), { ...params, examples: [...TRACE_BOUNDARY_EXAMPLES, ...ALL_REGRESSIONS] });
  });

  it('(a) ... and so they do, in every run away from the known violations', () => {
    fc.assert(fc.property(scenarioArb, checkScenarioAwayFromKnownViolations(checks.a)), { ...params, examples: ALL_REGRESSIONS });
  });

  it('(b) no loop: at most two writes per real change, and everything settles', () => {
    fc.assert(fc.property(scenarioArb, checkScenario(checks.b)), { ...params, examples: [...ALL_REGRESSIONS, ...TRACE_BOUNDARY_EXAMPLES] });
  });

  // KNOWN VIOLATION: see TRACE_BOUNDARY.
  knownViolation('(c) no silent re-subscribe: a customer whose newest real change is an unsubscribe is subscribed nowhere', () => {
    fc.assert(fc.property(scenarioArb, checkScenario(checks.c)), { ...params, examples: [...TRACE_BOUNDARY_EXAMPLES, ...ALL_REGRESSIONS] });
  });

  it('(c) ... and so it is, in every run away from the known violations', () => {
    fc.assert(fc.property(scenarioArb, checkScenarioAwayFromKnownViolations(checks.c)), { ...params, examples: ALL_REGRESSIONS });
  });

  it('(d) the regression: redelivering a report the app got before causes no write', () => {
    const o = simulate(DUPLICATE_WRITES);
    expect(checks.d(o), formatTrace(o)).toBeNull();
  });

  it('(d) a redelivered report never causes a write', () => {
    fc.assert(fc.property(scenarioArb, checkScenario(checks.d)), { ...params, examples: [[KEPT_NEWER_REDELIVERY], [DUPLICATE_WRITES]] });
  });

  it('(d) duplicates change nothing: the same schedule without the redeliveries writes as much and ends the same', () => {
    fc.assert(fc.property(scenarioArb, duplicatesChangeNothing), { ...params, examples: [[DUPLICATE_CHANGES_TIMING], [DUPLICATE_WRITES]] });
  });
});

/** Property (d) in full: without the redeliveries, the same writes and the same end. */
function duplicatesChangeNothing(sc: Scenario): void {
  fc.pre(sc.steps.some((st) => st.kind === 'redeliver'));
  const withDuplicates = simulated(sc);
  fc.pre(!withDuplicates.looped); // loops are property (b)
  const without = simulate({ ...sc, steps: sc.steps.map((st): Step => (st.kind === 'redeliver' ? { kind: 'idle', dt: st.dt } : st)) });
  // Comparable only when the users did the same: a duplicate may make a write land earlier,
  // and a user step that changes nothing (same state) is then a real change in one run only.
  const changes = (o: Outcome) => JSON.stringify(o.realChanges);
  fc.pre(changes(withDuplicates) === changes(without));
  const timelines = `--- with ---\n${formatTrace(withDuplicates)}\n--- without ---\n${formatTrace(without)}`;
  expect(withDuplicates.writes.length, timelines).toBe(without.writes.length);
  for (const channel of CHANNELS) expect(finalOf(withDuplicates, channel), timelines).toEqual(finalOf(without, channel));
}

describe('consent sync properties with changes in the same second (direction both)', () => {
  const abc = (o: Outcome) => checks.b(o) ?? checks.a(o) ?? checks.c(o);

  it('(b) no endless loop: everything settles', () => {
    fc.assert(fc.property(sameSecondScenarioArb, checkScenario((o) => (o.looped ? 'the drain never settled: a write loop' : null))), {
      ...params,
      examples: [...SAME_SECOND_EXAMPLES, [SAME_SECOND_ECHO], [SAME_SECOND_REDELIVERY]],
    });
  });

  // KNOWN VIOLATION: see TRACE_BOUNDARY and SAME_SECOND_ECHO.
  knownViolation('(a) (b) (c) both sides end in the state of the newest real change (an unsubscribe wins a tie), within two writes per change', () => {
    fc.assert(fc.property(sameSecondScenarioArb, checkScenario(abc)), {
      ...params,
      examples: [[SAME_SECOND_ECHO], ...TRACE_BOUNDARY_EXAMPLES, ...SAME_SECOND_EXAMPLES],
    });
  });

  it('(a) (b) (c) ... and so they do, in every run away from the known violations', () => {
    fc.assert(fc.property(sameSecondScenarioArb, checkScenarioAwayFromKnownViolations(abc)), { ...params, examples: SAME_SECOND_EXAMPLES });
  });

  for (const [name, sc] of Object.entries(SAME_SECOND)) {
    it(`${name}: settles in the newest real state`, () => {
      const o = simulate(sc);
      expect(abc(o), formatTrace(o)).toBeNull();
    });
  }

  knownViolation('SAME_SECOND_ECHO: settles in the newest real state', () => {
    const o = simulate(SAME_SECOND_ECHO);
    expect(abc(o), formatTrace(o)).toBeNull();
  });

  // KNOWN VIOLATION: see SAME_SECOND_REDELIVERY.
  knownViolation('(d) a redelivered report never causes a write', () => {
    fc.assert(fc.property(sameSecondScenarioArb, checkScenario(checks.d)), { ...params, examples: [[SAME_SECOND_REDELIVERY]] });
  });

  it('(d) ... and so it is, in every run away from the known violations', () => {
    fc.assert(fc.property(sameSecondScenarioArb, checkScenarioAwayFromKnownViolations(checks.d)), params);
  });

  it('(d) duplicates never change how it ends', () => {
    fc.assert(
      fc.property(sameSecondScenarioArb, (sc) => {
        fc.pre(sc.steps.some((st) => st.kind === 'redeliver'));
        const withDuplicates = simulated(sc);
        fc.pre(!withDuplicates.looped);
        const without = simulate({ ...sc, steps: sc.steps.map((st): Step => (st.kind === 'redeliver' ? { kind: 'idle', dt: st.dt } : st)) });
        fc.pre(JSON.stringify(withDuplicates.realChanges) === JSON.stringify(without.realChanges));
        const timelines = `--- with ---\n${formatTrace(withDuplicates)}\n--- without ---\n${formatTrace(without)}`;
        for (const channel of CHANNELS) expect(finalOf(withDuplicates, channel), timelines).toEqual(finalOf(without, channel));
      }),
      { ...params, examples: [[SAME_SECOND_REDELIVERY]] },
    );
  });
});

describe("consent sync properties with the app's clock between seconds (calls of any length, to the millisecond)", () => {
  const abc = (o: Outcome) => checks.b(o) ?? checks.a(o) ?? checks.c(o);

  // KNOWN VIOLATION: see TRACE_BOUNDARY.
  knownViolation('(a) (b) (c) both sides end in the state of the newest real change, within two writes per change', () => {
    fc.assert(fc.property(subSecondScenarioArb, checkScenario(abc)), { ...params, examples: TRACE_BOUNDARY_EXAMPLES });
  });

  it('(a) (b) (c) ... and so they do, in every run away from the known violations', () => {
    fc.assert(fc.property(subSecondScenarioArb, checkScenarioAwayFromKnownViolations(abc)), params);
  });

  it('(b) no endless loop, and (d) a redelivered report never causes a write', () => {
    fc.assert(fc.property(subSecondScenarioArb, checkScenario((o) => (o.looped ? 'a write loop' : checks.d(o)))), params);
  });

  it('(d) duplicates change nothing', () => {
    fc.assert(fc.property(subSecondScenarioArb, duplicatesChangeNothing), params);
  });
});

// ---- issue 9: convergence --------------------------------------------------------

/** ms after START. */
const at = (ms: number): number => ms;
/**
 * The three timelines of issue 9 as simulation scenarios (email, both sides subscribed first).
 * 1: edrone unsubscribe at +1s; the app writes Shopify; 60 ms after that write lands, in the
 *    same second, a checkout subscribe in Shopify. 2: the mirror: a Shopify unsubscribe; the
 *    app traces it; an agent re-subscribes 60 ms after edrone applied it. 3: a Shopify
 *    unsubscribe; the app traces it; 1.2 s later a storefront form subscribes (TRACE_SUBSCRIBED).
 */
const subscribedBoth: Step[] = [shopifyChange('subscribed', SECOND), deliver(0, SECOND), deliver(0, 30 * SECOND)];
const ISSUE_9_TIMELINES = {
  shopifySameSecond: scenario(
    ...subscribedBoth,
    edroneChange('unsubscribed', 60 * SECOND),
    { kind: 'deliver', dt: at(100), pick: 0, keep: false, latency: 200 }, // write lands 300 ms into the second
    shopifyChange('subscribed', 260), // 60 ms after it, same second
  ),
  edroneSameSecond: scenario(
    ...subscribedBoth,
    shopifyChange('unsubscribed', 60 * SECOND),
    { kind: 'deliver', dt: at(100), pick: 0, keep: false, latency: 200 },
    edroneChange('subscribed', 260), // AGENT_SUBSCRIBED
  ),
  storefrontSignUp: scenario(
    ...subscribedBoth,
    shopifyChange('unsubscribed', 60 * SECOND),
    { kind: 'deliver', dt: at(100), pick: 0, keep: false, latency: 200 },
    { kind: 'edrone', dt: 1_400, channel: 'email', status: 'subscribed', reason: 'TRACE_SUBSCRIBED' },
  ),
} satisfies Record<string, Scenario>;
/**
 * Seed -1219834193 at 3,000 runs, before the app remembered the reports it decided
 * (app/core/report-memory.ts): in one second edrone's unsubscribe is written to Shopify, a
 * storefront sign-up (TRACE_SUBSCRIBED) ties with it and the app traces the unsubscribe; the
 * sign-up's report delivered again could not be told from a new same-second change, so it
 * was traced once more.
 */
const TIE_REDELIVERY: Scenario = {
  steps: [
    { kind: 'edrone', dt: 0, channel: 'email', status: 'unsubscribed', reason: 'CUSTOMER_UNSUBSCRIBED' },
    { kind: 'shopify', dt: 0, channel: 'email', state: 'subscribed' },
    { kind: 'edrone', dt: 0, channel: 'email', status: 'subscribed', reason: 'TRACE_SUBSCRIBED' },
    { kind: 'deliver', dt: 0, pick: 0, keep: true, latency: 0 },
    { kind: 'deliver', dt: 0, pick: 14, keep: false, latency: 0 },
    { kind: 'redeliver', dt: 1000, pick: 3, latency: 0 },
    { kind: 'redeliver', dt: 0, pick: 0, latency: 0 },
  ],
  drainGap: 31000,
  settings: { direction: 'both', edroneStatuses: 'all', channels: { email: true, sms: true }, createMissingCustomers: false },
  edroneApplyDelay: 0,
};
/**
 * Seed 369959404 at 3,000 runs: the app traces unsubscribe, subscribe, unsubscribe within
 * seconds and edrone applies each 3-4 s after answering it. The first trace's report, dated in
 * the second of the last one, was taken for the last one's and settled it; the subscribe
 * trace's report then looked like a customer's sign-up and overwrote Shopify's newer pending.
 */
const LATE_EARLIER_REPORT: Scenario = {
  steps: [
    { kind: 'shopify', dt: 0, channel: 'email', state: 'unsubscribed' },
    { kind: 'shopify', dt: 1000, channel: 'email', state: 'subscribed' },
    { kind: 'shopify', dt: 0, channel: 'email', state: 'unsubscribed' },
    { kind: 'edrone', dt: 505, channel: 'email', status: 'subscribed', reason: 'TRACE_SUBSCRIBED' },
    { kind: 'shopify', dt: 495, channel: 'email', state: 'pending' },
    { kind: 'shopify', dt: 0, channel: 'sms', state: 'subscribed' },
  ],
  drainGap: 1000,
  settings: { direction: 'both', edroneStatuses: 'all', channels: { email: true, sms: true }, createMissingCustomers: false },
  edroneApplyDelay: 4000,
};
const ISSUE_9_EXAMPLES: [Scenario][] = [...Object.values(ISSUE_9_TIMELINES), LATE_EARLIER_REPORT, { ...LATE_EARLIER_REPORT, edroneApplyDelay: 3000 }].map((sc) => [sc]);

/** A real edrone change with a TRACE_* reason (a storefront form) within two seconds of one of the app's traces of the same channel. */
function ambiguousTraceReport(o: Outcome): boolean {
  return o.writes.some(
    (w) =>
      w.write.target === 'edrone' &&
      o.realChanges.some(
        (c) =>
          c.side === 'edrone' &&
          c.channel === w.channel &&
          (c.reason ?? '').startsWith('TRACE_') &&
          // From the trace's second until edrone must have applied it, as far as the app can know:
          // edrone does not say whether a trace changed anything, and may apply it a while after
          // answering (a slow call: up to its timeout plus TRACE_APPLY_MS), give or take the skew.
          c.at >= wholeSecond(w.sentAt) - 2 * SECOND &&
          c.at <= Math.max(w.landedAt, w.sentAt + 2 * TRACE_APPLY_MS) + 2 * SECOND,
      ),
  );
}

describe('issue 9: convergence with same-second changes on both sides, storefront TRACE_* sign-ups, edrone answering before applying', () => {
  const abc = (o: Outcome) => checks.b(o) ?? checks.a(o) ?? checks.c(o);

  for (const [name, sc] of Object.entries(ISSUE_9_TIMELINES)) {
    it(`timeline ${name}: both sides end in the newest real state (an unsubscribe wins a same-second tie)`, () => {
      const o = simulate(sc);
      expect(abc(o), formatTrace(o)).toBeNull();
    });
  }

  it('the timelines are what the issue describes: a real change in the second of the app\'s write, a TRACE_* sign-up', () => {
    const one = simulate(ISSUE_9_TIMELINES.shopifySameSecond);
    const mutation = one.writes.find((w) => w.write.target === 'shopify')!;
    const checkout = one.realChanges.at(-1)!;
    expect(Math.floor(mutation.landedAt / SECOND)).toBe(Math.floor((checkout.at + 999) / SECOND));
    expect(checkout).toMatchObject({ side: 'shopify', mapped: 'subscribed' });
    expect(formatTrace(simulate(ISSUE_9_TIMELINES.storefrontSignUp))).toMatch(/USER edrone email=subscribed \(TRACE_SUBSCRIBED\)/);
  });

  it('the generator makes same-second changes on both sides, TRACE_* sign-ups and late-applied traces', () => {
    const samples = fc.sample(convergenceScenarioArb, { numRuns: 300, seed: 1 });
    expect(samples.some((sc) => (sc.edroneApplyDelay ?? 0) > 0)).toBe(true);
    expect(samples.some((sc) => sc.steps.some((st) => st.kind === 'edrone' && st.reason?.startsWith('TRACE_')))).toBe(true);
    const sameSecondBothSides = samples.some((sc) => {
      const o = simulated(sc);
      return o.realChanges.some((a, i) => o.realChanges.some((b, j) => j > i && a.side !== b.side && a.channel === b.channel && a.at === b.at));
    });
    expect(sameSecondBothSides).toBe(true);
  });

  /** Agreement: once the events stop, both sides hold the same state per channel (Shopify's pending / not_subscribed are never sent). */
  const agreement = (o: Outcome): string | null => {
    if (o.looped) return 'the drain never settled: a write loop';
    for (const channel of CHANNELS) {
      const { shopify, edrone } = finalOf(o, channel);
      if ((shopify === 'subscribed' || shopify === 'unsubscribed') && edrone !== null && shopify !== edrone) {
        return `${channel}: split, Shopify=${shopify} edrone=${edrone}`;
      }
    }
    return null;
  };

  it('(agreement) (b) both sides always end in the same state, within two writes per real change, and nothing loops', () => {
    fc.assert(fc.property(convergenceScenarioArb, checkScenario((o) => checks.b(o) ?? agreement(o))), { ...params, examples: ISSUE_9_EXAMPLES });
  });

  // KNOWN LIMIT (see the README, "How splits are avoided"): a storefront change that edrone reports
  // with a TRACE_* reason while one of the app's own traces of that state may be on its way (from a
  // second or two before it is sent until edrone must have applied it: 2 x TRACE_APPLY_MS) cannot be told
  // from that trace's report (both platforms count whole seconds). The app then keeps its own
  // trace's state on both sides: they agree, but on the older state. Runs with such a report are
  // left out here; the strict form is measured with PROPERTY_RUNS=3000 (README).
  it('(a) (c) ... in the state of the newest real change (an unsubscribe wins a tie), in every run without such an ambiguous report', () => {
    fc.assert(
      fc.property(convergenceScenarioArb, (sc) => {
        const o = simulated(sc);
        fc.pre(!ambiguousTraceReport(o));
        const problem = checks.a(o) ?? checks.c(o);
        if (problem) throw new Error(`${problem}\n--- timeline ---\n${formatTrace(o)}`);
      }),
      { ...params, examples: ISSUE_9_EXAMPLES },
    );
  });

  it('(b) no loop, and (d) a redelivered report never causes a write (a Shopify read-back is not one)', () => {
    fc.assert(fc.property(convergenceScenarioArb, checkScenario((o) => (o.looped ? 'a write loop' : checks.d(o)))), {
      ...params,
      examples: [[TIE_REDELIVERY]],
    });
  });

  it('(d) the regression: a report redelivered after the app traced the winner of a same-second tie traces nothing more', () => {
    const o = simulate(TIE_REDELIVERY);
    expect(checks.d(o), formatTrace(o)).toBeNull();
    expect(o.writes.filter((w) => w.redelivery)).toEqual([]);
  });

  it('(d) duplicates never change how it ends', () => {
    fc.assert(
      fc.property(convergenceScenarioArb, (sc) => {
        fc.pre(sc.steps.some((st) => st.kind === 'redeliver'));
        const withDuplicates = simulated(sc);
        fc.pre(!withDuplicates.looped);
        const without = simulate({ ...sc, steps: sc.steps.map((st): Step => (st.kind === 'redeliver' ? { kind: 'idle', dt: st.dt } : st)) });
        fc.pre(JSON.stringify(withDuplicates.realChanges) === JSON.stringify(without.realChanges));
        const timelines = `--- with ---\n${formatTrace(withDuplicates)}\n--- without ---\n${formatTrace(without)}`;
        for (const channel of CHANNELS) expect(finalOf(withDuplicates, channel), timelines).toEqual(finalOf(without, channel));
      }),
      params,
    );
  });

  it('pending (double opt-in) never reaches edrone as subscribed', () => {
    fc.assert(
      fc.property(convergenceScenarioArb, checkScenario((o) => {
        for (const channel of CHANNELS) {
          const changes = o.realChanges.filter((c) => c.channel === channel);
          // edrone is subscribed only if some real change (either side) was a subscribe.
          if (o.edrone[channel].state === 'subscribed' && !changes.some((c) => c.mapped === 'subscribed')) return `${channel}: edrone subscribed without any real subscribe`;
        }
        return null;
      })),
      params,
    );
  });
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

  // One-way or paused sync may leave the other side behind; but the app never
  // re-subscribes the side where the customer unsubscribed last.
  const ownUnsubscribeStands = (o: Outcome): string | null => {
    for (const channel of CHANNELS) {
      const newest = o.realChanges.filter((c) => c.channel === channel && c.mapped !== null).at(-1);
      if (newest?.mapped !== 'unsubscribed') continue;
      const now = newest.side === 'shopify' ? o.shopify[channel].state : o.edrone[channel].state;
      if (now === 'subscribed') return `${channel}: ${newest.side} re-subscribed`;
    }
    return null;
  };

  // KNOWN VIOLATION: see TRACE_BOUNDARY (changeBeforeTrace: edrone's own unsubscribe is overwritten).
  knownViolation('(c) whatever the settings, a side whose own unsubscribe is the newest real change never ends subscribed', () => {
    fc.assert(fc.property(anyScenarioArb, checkScenario(ownUnsubscribeStands)), { ...params, examples: TRACE_BOUNDARY_EXAMPLES });
  });

  it('(c) ... and so it does, in every run away from the known violations', () => {
    fc.assert(fc.property(anyScenarioArb, checkScenarioAwayFromKnownViolations(ownUnsubscribeStands)), params);
  });
});

describe('regressions: the minimal counterexamples of the earlier rules', () => {
  // The rule each scenario broke (see the comments on REGRESSIONS): both sides end in
  // the newest real state, nobody who unsubscribed last is subscribed anywhere, and
  // the app settles.
  for (const [name, sc] of Object.entries(REGRESSIONS)) {
    // KNOWN VIOLATION: `loop` is back, see TRACE_BOUNDARY.earlierTraceReport.
    (name === 'loop' ? knownViolation : it)(`${name}: settles in the newest real state`, () => {
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

/** 'in_sync' only when it is true: both sides are believed to hold the truth. */
function skipLabelTellsTheTruth(d: Decision): void {
  if (d.skip !== 'in_sync') return;
  const r = d.record;
  assert.equal(r.shopifyState && shopifyToEdrone(r.shopifyState), r.truthState, "'in_sync' while Shopify is believed to hold another state");
  assert.equal(r.edroneState, r.truthState, "'in_sync' while edrone is believed to hold another state");
}

const SHOPIFY_FIELDS = ['shopifyState', 'shopifyAt', 'wroteShopifyState', 'wroteShopifyAt', 'wroteShopifyWallAt'] as const;
const EDRONE_FIELDS = ['edroneState', 'edroneAt', 'wroteEdroneState', 'wroteEdroneAt', 'wroteEdroneWallAt', 'wroteEdroneOtherWallAt', 'wroteEdroneSeriesAt'] as const;
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
  // Echo detection keys on the app's last trace.
  const traced = r.wroteEdroneWallAt;
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
    expect(some((r) => r.wroteEdroneWallAt !== null && r.edroneState !== r.wroteEdroneState)).toBe(true);
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
          record.wroteShopifyState === event.state && event.at !== null && Math.abs(ms(event.at) - ms(record.wroteShopifyAt)) < CLOCK_SKEW_MS;
        // The truth only ever becomes this report, and only when it is a real, mapped change.
        if (d.record.truthState !== record.truthState || !sameTime(d.record.truthAt, record.truthAt)) {
          assert.equal(ownWrite, false);
          assert.deepStrictEqual(pick(d.record, TRUTH), { truthState: mapped, truthAt: event.at, truthSource: 'shopify' });
        }
        // The webhook of the app's own write is reported as its echo (unless a lagging side is blocked by the settings).
        if (ownWrite && d.writes.length === 0) assert.ok(['echo', 'paused', 'channel_off', 'direction', 'status_filter'].includes(d.skip!), d.skip!);
        // Shopify holds the newest: an older report does not change what Shopify is believed to hold,
        // a newer one does. A report as old as the belief but of another state (two changes in one
        // second) leaves it unknown, unless the belief is the app's own accepted write.
        // Issue 9: a reconciliation read of another state than believed is what Shopify holds now.
        const split = event.origin === 'reconcile' && record.shopifyState !== null && event.state !== record.shopifyState && !ownWrite;
        if (split) {
          assert.deepStrictEqual(pick(d.record, ['shopifyState', 'shopifyAt']), { shopifyState: event.state, shopifyAt: event.at });
        } else if (record.shopifyAt !== null && ms(event.at) < ms(record.shopifyAt)) {
          assert.deepStrictEqual(pick(d.record, ['shopifyState', 'shopifyAt']), pick(record, ['shopifyState', 'shopifyAt']));
        } else if (record.shopifyAt === null || ms(event.at) > ms(record.shopifyAt) || event.state === record.shopifyState) {
          assert.equal(d.record.shopifyState, event.state);
        } else {
          // ... and sent after that whole second was over (issue 9: else the side may hold either).
          const believedOwnWrite =
            record.shopifyState === record.wroteShopifyState &&
            ms(record.shopifyAt) <= ms(record.wroteShopifyAt) &&
            ms(record.wroteShopifyWallAt) >= wholeSecond(ms(event.at)) + SECOND + CLOCK_SKEW_MS;
          assert.deepStrictEqual(pick(d.record, ['shopifyState', 'shopifyAt']), {
            shopifyState: believedOwnWrite ? record.shopifyState : null,
            shopifyAt: record.shopifyAt,
          });
        }
        skipLabelTellsTheTruth(d);
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
        // Echoes key on the app's last trace: its state, dated from its second (edrone counts whole
        // seconds, give or take the clock skew) to the end of the echo window.
        const lastTrace = record.wroteEdroneWallAt;
        const lastTraceSecond = lastTrace === null ? null : Math.floor(lastTrace.getTime() / SECOND) * SECOND;
        const traceLike = isTraceLike(event.reason);
        // Issue 9: dated until edrone must have applied the trace, and not once edrone is known to have moved on.
        const movedOn =
          lastTraceSecond !== null &&
          record.edroneState !== null &&
          record.edroneState !== record.wroteEdroneState &&
          ms(record.edroneAt) >= lastTraceSecond &&
          at > ms(record.edroneAt);
        // The echo window ends TRACE_APPLY_MS after edrone answered the last trace (as remembered).
        const mark = record.recentTraces.at(-1);
        const ownMark = mark && lastTrace !== null && mark.sentAt === lastTrace.getTime() ? mark : null;
        const answered = ownMark ? (ownMark.doneAt ?? ownMark.sentAt) : ms(record.wroteEdroneDoneAt ?? lastTrace);
        const echo =
          traceLike &&
          !movedOn &&
          lastTrace !== null &&
          lastTraceSecond !== null &&
          event.status === record.wroteEdroneState &&
          at >= lastTraceSecond - CLOCK_SKEW_MS &&
          at <= answered + TRACE_APPLY_MS + CLOCK_SKEW_MS;
        // Issue 9: a trace-like report of the other state than the last trace may be the report of an
        // earlier trace only when the app traced that state recently (wroteEdroneOtherWallAt).
        const otherState = lastTraceSecond !== null && event.status !== record.wroteEdroneState;
        const other = record.wroteEdroneOtherWallAt;
        const series = record.wroteEdroneSeriesAt ?? other;
        const lastSettles = ms(record.wroteEdroneDoneAt ?? lastTrace) + TRACE_APPLY_MS;
        // ... or when one of the app's remembered traces of that state was being applied at that date.
        // When every trace around that date is remembered, only those count.
        const remembered =
          traceLike &&
          record.recentTraces.some(
            (t) => t.state === event.status && at >= wholeSecond(t.sentAt) - CLOCK_SKEW_MS && at <= Math.min(lastSettles, t.sentAt + 2 * TRACE_APPLY_MS) + CLOCK_SKEW_MS,
          );
        const complete = record.tracesCompleteFrom !== null && at >= record.tracesCompleteFrom;
        const maybeEarlierTrace =
          traceLike &&
          otherState &&
          (remembered ||
            (!complete &&
              other !== null &&
              series !== null &&
              at >= wholeSecond(Math.min(series.getTime(), other.getTime())) - CLOCK_SKEW_MS &&
              at <= Math.min(lastSettles, other.getTime() + 2 * TRACE_APPLY_MS) + CLOCK_SKEW_MS));
        // Dated before the last trace: edrone applied that trace after it.
        const supersededByOwnTrace = lastTraceSecond !== null && at < lastTraceSecond - CLOCK_SKEW_MS;
        // Another state, made while the last trace was on its way (edrone may answer before applying).
        const duringLastTrace =
          lastTrace !== null &&
          event.status !== record.wroteEdroneState &&
          at <= ms(record.wroteEdroneDoneAt ?? lastTrace) + TRACE_APPLY_MS + CLOCK_SKEW_MS;
        // Maybe the late report of an earlier trace of this state that one of the other state followed:
        // it does not settle the last trace, and says nothing new unless it came after a believed change.
        const earlier = record.recentTraces.slice(0, -1);
        const appliedThen = (t: (typeof earlier)[number]) =>
          at >= wholeSecond(t.sentAt) - CLOCK_SKEW_MS && at <= Math.min(lastSettles, t.sentAt + 2 * TRACE_APPLY_MS) + CLOCK_SKEW_MS;
        const earlierOwn =
          traceLike &&
          event.status === record.wroteEdroneState &&
          earlier.some((t, i) => t.state === event.status && appliedThen(t) && earlier.slice(i + 1).some((u) => u.state !== event.status));
        if (earlierOwn) {
          const overChange = record.edroneState !== null && record.edroneState !== event.status && at >= ms(record.edroneAt);
          if (!overChange) assert.deepStrictEqual(d, { writes: [], skip: 'echo', record });
          else {
            writesAreLegal(d, event.channel, s);
            assert.deepStrictEqual(d.record, { ...record, edroneState: null });
          }
          return;
        }
        if (echo) {
          // The echo settles the trace at the latest report's date (issue 9), and a report dated from a
          // believed change of the other state on leaves edrone unknown (the trace may have been applied after it).
          assert.equal(d.skip === 'echo' || d.writes.length > 0, true);
          const reported = Math.max(ownMark?.reportedAt ?? at, at);
          assert.deepStrictEqual(d.record.wroteEdroneDoneAt, new Date(Math.min(answered, reported - TRACE_APPLY_MS)));
          const overChange = record.edroneState !== null && record.edroneState !== record.wroteEdroneState && at >= ms(record.edroneAt);
          assert.equal(d.record.edroneState, overChange ? null : record.edroneState);
          if (!overChange) assert.deepStrictEqual(d.writes, []);
          else writesAreLegal(d, event.channel, s);
          assert.deepStrictEqual(pick(d.record, TRUTH), pick(record, TRUTH));
          return;
        }
        if ((maybeEarlierTrace && at < lastTraceSecond!) || (traceLike && !otherState && supersededByOwnTrace && (remembered || !complete))) {
          assert.deepStrictEqual(d, { writes: [], skip: 'stale', record });
          return;
        }
        if (maybeEarlierTrace) {
          // In the second of the last trace: not a real change; edrone unknown, so the truth is traced again.
          writesAreLegal(d, event.channel, s);
          assert.deepStrictEqual(d.record, { ...record, edroneState: null });
          return;
        }
        writesAreLegal(d, event.channel, s);
        truthMovesForward(record, d.record);
        if (d.record.truthState !== record.truthState || !sameTime(d.record.truthAt, record.truthAt)) {
          assert.deepStrictEqual(pick(d.record, TRUTH), { truthState: event.status, truthAt: event.at, truthSource: 'edrone' });
        }
        // edrone processed the app's later trace after this change: it holds the trace's state still.
        // A report as old as the belief but of another state leaves it unknown, unless the belief is
        // the app's own trace.
        if (supersededByOwnTrace || ms(event.at) < ms(record.edroneAt)) {
          assert.deepStrictEqual(pick(d.record, ['edroneState', 'edroneAt']), pick(record, ['edroneState', 'edroneAt']));
        } else if (ms(event.at) > ms(record.edroneAt)) {
          assert.deepStrictEqual(pick(d.record, ['edroneState', 'edroneAt']), { edroneState: duringLastTrace ? null : event.status, edroneAt: event.at });
        } else if (event.status === record.edroneState) {
          assert.deepStrictEqual(pick(d.record, ['edroneState', 'edroneAt']), pick(record, ['edroneState', 'edroneAt']));
        } else {
          const believedOwnTrace =
            record.edroneState === record.wroteEdroneState &&
            sameTime(record.edroneAt, record.wroteEdroneAt) &&
            ms(record.wroteEdroneWallAt) >= wholeSecond(at) + SECOND + CLOCK_SKEW_MS;
          assert.deepStrictEqual(pick(d.record, ['edroneState', 'edroneAt']), {
            edroneState: believedOwnTrace ? record.edroneState : null,
            edroneAt: record.edroneAt,
          });
        }
        skipLabelTellsTheTruth(d);
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
      return { first, again, at: e.at, state: shopifyToEdrone(e.state), now };
    }
    const e = edroneEventOf(report.rep, record, clock);
    const now = new Date(Math.max(clock.getTime(), e.at.getTime()) + delay);
    const first = decideEdroneEvent(record, e, s, now);
    const again = decideEdroneEvent(applyWrites(first, now), e, s, new Date(now.getTime() + redeliveredAfter));
    return { first, again, at: e.at, state: e.status, now };
  }

  /**
   * Fixed (same-time reports, see SAME_SECOND): a report with the same time as the newest
   * real change but another state used to replace the belief about its side, so the side
   * was written again for every copy of that report.
   * - Shopify: edrone's customer unsubscribed at T, written to Shopify (consentUpdatedAt T);
   *   Shopify's report of a subscribe at T comes (twice).
   * - edrone: Shopify redacted at T (paused, nothing written); edrone reports a subscribe at T
   *   and the app traces the unsubscribe at once; the report comes again.
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

  // Changed with issue 9: a copy of a report of another state than what the app wrote to a side,
  // of the same second, decided before that second is over (plus the clock skew), cannot be told
  // from a real change made after the app's write: the side is written the truth again. For
  // Shopify that is a read-back (apply-writes sends no mutation when it holds the value); for
  // edrone a trace of what it holds. Bounded: only within that second.
  it('the same report decided again, after its writes were recorded, writes nothing (idempotent), unless within the second of the app\'s write', () => {
    fc.assert(
      fc.property(historyArb, reportArb, settingsArb, delayArb, delayArb, (history, report, s, delay, redeliveredAfter) => {
        // A reconciliation read is of its moment: read again after the repair, Shopify holds the truth.
        fc.pre(!(report.side === 'shopify' && report.rep.origin === 'reconcile'));
        const { first, again, at, now } = twice(history, report, s, delay, redeliveredAfter);
        if (again.writes.length === 0) return;
        // Only the sides the first decision wrote, and only when it wrote them within the report's second.
        for (const w of again.writes) assert.ok(first.writes.some((f) => f.target === w.target), 'a copy writes a side the first decision did not');
        assert.ok(at !== null && now.getTime() < wholeSecond(at.getTime()) + SECOND + CLOCK_SKEW_MS, 'a copy writes again although the first writes came after its second');
      }),
      { ...params, examples: SAME_TIME_REPORTS },
    );
  });
});
