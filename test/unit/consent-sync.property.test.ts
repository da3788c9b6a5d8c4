// Property tests of the consent rules (issue "Consent correctness") against a
// simulation of Shopify, edrone and the app (test/helpers/consent-simulation.ts).
//
// Reproduce a run: FC_SEED=<n> (default: a fixed seed), FC_SEED=random for a
// fresh one, FC_NUM_RUNS=<n> to change the number of runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shopifyToEdrone } from '../../app/core/consent-mapping.js';
import {
  afterEdroneWrite,
  afterShopifyWrite,
  decideEdroneEvent,
  decideShopifyEvent,
  ECHO_WINDOW_MS,
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
  expectedFinal,
  formatTrace,
  scenarioArb,
  SECOND,
  shopifyComparable,
  simulate,
  START,
  type Outcome,
  type Scenario,
  type Step,
} from '../helpers/consent-simulation.js';

const seed =
  process.env.FC_SEED === 'random' ? undefined : process.env.FC_SEED ? Number(process.env.FC_SEED) : 20_260_115;
const numRuns = process.env.FC_NUM_RUNS ? Number(process.env.FC_NUM_RUNS) : 600;
const params = { seed, numRuns };

// ---- generators -------------------------------------------------------------

/** Runs the scenario and throws with the whole timeline when `check` finds a violation. */
function checkScenario(check: (o: Outcome) => string | null) {
  return (scenario: Scenario) => {
    const outcome = simulate(scenario);
    const problem = check(outcome);
    if (problem) throw new Error(`${problem}\n--- timeline ---\n${formatTrace(outcome)}`);
  };
}

const finalOf = (o: Outcome, channel: Channel) => ({
  shopify: shopifyComparable(o.shopify[channel].state),
  edrone: o.edrone[channel].state,
});

// ---- the simulation -----------------------------------------------------------

describe('simulation sanity (the model itself)', () => {
  it('without any app write, a lone Shopify change ends on both sides', () => {
    const o = simulate({
      steps: [
        { kind: 'shopify', dt: SECOND, channel: 'email', state: 'subscribed' },
        { kind: 'deliver', dt: SECOND, pick: 0, keep: false },
      ],
      drainGap: SECOND,
      settings: BOTH,
    });
    expect(finalOf(o, 'email')).toEqual({ shopify: 'subscribed', edrone: 'subscribed' });
    expect(o.writes).toHaveLength(1);
    expect(o.looped).toBe(false);
  });

  it('Shopify ignores a mutation older than its consent time; edrone applies a trace whatever its age', () => {
    const o = simulate({
      steps: [
        { kind: 'edrone', dt: SECOND, channel: 'email', status: 'subscribed', reason: null },
        { kind: 'shopify', dt: SECOND, channel: 'email', state: 'unsubscribed' },
      ],
      drainGap: SECOND,
      settings: BOTH,
    });
    // edrone's subscribe (older) is delivered first and written to Shopify with its old time: ignored.
    expect(o.writes[0]).toMatchObject({ write: { target: 'shopify', value: 'subscribed' }, accepted: false });
    expect(finalOf(o, 'email')).toEqual({ shopify: 'unsubscribed', edrone: 'unsubscribed' });
  });
});

describe('consent sync properties (direction both, all statuses, both channels)', () => {
  it('(a) both sides end in the state of the newest real change, per channel', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        checkScenario((o) => {
          for (const channel of CHANNELS) {
            const expected = expectedFinal(o, channel);
            const actual = finalOf(o, channel);
            if (actual.shopify !== expected.shopify || actual.edrone !== expected.edrone) {
              return `${channel}: expected Shopify=${expected.shopify} edrone=${expected.edrone}, got Shopify=${actual.shopify} edrone=${actual.edrone}`;
            }
          }
          return null;
        }),
      ),
      params,
    );
  });

  it('(b) no loop: writes are bounded by twice the real changes, and everything settles', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        checkScenario((o) => {
          if (o.looped) return 'the drain never settled: a write loop';
          if (o.writes.length > 2 * o.realChanges.length) {
            return `${o.writes.length} writes for ${o.realChanges.length} real changes`;
          }
          return null;
        }),
      ),
      params,
    );
  });

  it('(c) no silent re-subscribe: a customer whose newest real change is an unsubscribe ends subscribed nowhere', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        checkScenario((o) => {
          for (const channel of CHANNELS) {
            const newestMapped = o.realChanges.filter((c) => c.channel === channel && c.mapped !== null).at(-1);
            if (newestMapped?.mapped !== 'unsubscribed') continue;
            if (o.shopify[channel].state === 'subscribed') return `${channel}: unsubscribed customer is subscribed in Shopify`;
            if (o.edrone[channel].state === 'subscribed') return `${channel}: unsubscribed customer is subscribed in edrone`;
          }
          return null;
        }),
      ),
      params,
    );
  });

  it('(d) a redelivered event never causes a write', () => {
    fc.assert(
      fc.property(
        scenarioArb,
        checkScenario((o) => {
          const extra = o.writes.filter((w) => w.redelivery);
          return extra.length ? `${extra.length} write(s) caused by redelivering #${extra.map((w) => w.cause).join(', #')}` : null;
        }),
      ),
      params,
    );
  });

  it('(d) duplicates add no writes: the same schedule without the redeliveries writes the same and ends the same', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        fc.pre(scenario.steps.some((s) => s.kind === 'redeliver'));
        const withDuplicates = simulate(scenario);
        const without = simulate({
          ...scenario,
          steps: scenario.steps.map((s): Step => (s.kind === 'redeliver' ? { kind: 'idle', dt: s.dt } : s)),
        });
        const timelines = `--- with ---\n${formatTrace(withDuplicates)}\n--- without ---\n${formatTrace(without)}`;
        expect(withDuplicates.writes.length, timelines).toBe(without.writes.length);
        for (const channel of CHANNELS) expect(finalOf(withDuplicates, channel), timelines).toEqual(finalOf(without, channel));
      }),
      params,
    );
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
