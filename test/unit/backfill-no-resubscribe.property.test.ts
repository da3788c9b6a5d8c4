// Property: a backfill or a reconciliation (the app reading Shopify itself) never
// re-subscribes someone whose newest real change is an unsubscribe newer than
// what was read. For random consent records, random observations (origin
// backfill / reconcile, every Shopify state, times before the unsubscribe or
// none at all) and random settings, decideShopifyEvent never decides a write of
// 'subscribed' to edrone (nor to Shopify).
//
// Reproduce: FC_SEED=<n> (default: a fixed seed), FC_SEED=random, FC_NUM_RUNS=<n>.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { afterEdroneWrite, afterShopifyWrite, decideShopifyEvent, writesNeeded, type Decision, type Write } from '../../app/core/decide.js';
import {
  CHANNELS,
  DIRECTIONS,
  EDRONE_STATUS_FILTERS,
  EMPTY_RECORD,
  SHOPIFY_STATES,
  type ConsentRecord,
  type ShopifyConsentEvent,
  type SyncSettings,
} from '../../app/core/types.js';

const seed = process.env.FC_SEED === 'random' ? undefined : process.env.FC_SEED ? Number(process.env.FC_SEED) : 20_261_121;
const numRuns = process.env.FC_NUM_RUNS ? Number(process.env.FC_NUM_RUNS) : 2_000;
const params = { seed, numRuns };

const T0 = Date.parse('2026-01-01T00:00:00Z');
const YEAR = 365 * 24 * 3600 * 1000;

/** Times in one year, at second precision (as Shopify gives them). */
const timeArb = fc.integer({ min: 0, max: YEAR / 1000 }).map((s) => new Date(T0 + s * 1000));
const maybeTime = fc.option(timeArb, { nil: null, freq: 4 });
const shopifyState = fc.constantFrom(...SHOPIFY_STATES);
const edroneState = fc.constantFrom('subscribed' as const, 'unsubscribed' as const);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 3 });

const settingsArb: fc.Arbitrary<SyncSettings> = fc.record({
  direction: fc.constantFrom(...DIRECTIONS),
  edroneStatuses: fc.constantFrom(...EDRONE_STATUS_FILTERS),
  channels: fc.record({ email: fc.boolean(), sms: fc.boolean() }),
  createMissingCustomers: fc.boolean(),
});

/**
 * Any record whose newest real change is an unsubscribe at `truthAt`, everything else random.
 * Built from EMPTY_RECORD's fields, so it follows the record as the rules evolve.
 */
function fieldArb(field: string): fc.Arbitrary<unknown> {
  if (field === 'truthState') return fc.constant('unsubscribed');
  if (field === 'truthAt') return timeArb;
  if (field === 'truthSource') return fc.constantFrom('shopify', 'edrone');
  if (field === 'shopifyState' || field === 'wroteShopifyState') return maybe(shopifyState);
  if (field.endsWith('State')) return maybe(edroneState);
  if (field.endsWith('At')) return maybeTime;
  // The app's remembered traces, and from when that memory is complete (null: a row from before it).
  if (field === 'recentTraces') {
    const ms = timeArb.map((d) => d.getTime());
    return fc.array(fc.record({ state: edroneState, sentAt: ms, doneAt: fc.option(ms, { nil: null }), reportedAt: fc.option(ms, { nil: null }) }), { maxLength: 4 }).map((ts) => ts.sort((a, b) => a.sentAt - b.sentAt));
  }
  if (field === 'tracesCompleteFrom') return fc.option(timeArb.map((d) => d.getTime()), { nil: null });
  // The reports decided before: a bulk run's read has no report id, so they never matter here.
  if (field === 'decidedReports') return fc.array(fc.constantFrom('r1', 'r2', 'r3'), { maxLength: 3 });
  throw new Error(`no generator for ConsentRecord.${field}: extend fieldArb`);
}
const unsubscribedRecordArb = fc.record(
  Object.fromEntries(Object.keys(EMPTY_RECORD).map((field) => [field, fieldArb(field)])) as Record<keyof ConsentRecord, fc.Arbitrary<unknown>>,
) as unknown as fc.Arbitrary<ConsentRecord & { truthAt: Date }>;

/** An observation read from Shopify, strictly older than `before` or without a time. */
function observationArb(before: Date): fc.Arbitrary<ShopifyConsentEvent> {
  return fc.record({
    origin: fc.constantFrom('backfill' as const, 'reconcile' as const),
    channel: fc.constantFrom(...CHANNELS),
    customerId: fc.constant('7064055069303700001'),
    identity: fc.constantFrom('ann@example.com', '+48500100200'),
    state: shopifyState,
    at: fc.option(
      fc.integer({ min: 1, max: YEAR / 1000 }).map((s) => new Date(before.getTime() - s * 1000)),
      { nil: null, freq: 4 },
    ),
  });
}

const subscribes = (d: Decision) => d.writes.filter((w) => w.value === 'subscribed');

const NOW = new Date(T0 + 2 * YEAR);

describe('backfill and reconciliation never re-subscribe a newer unsubscribe', () => {
  it('one observation older than the unsubscribe (or without a time) decides no subscribe, whatever the state and settings', () => {
    fc.assert(
      fc.property(
        unsubscribedRecordArb.chain((record) => fc.tuple(fc.constant(record), observationArb(record.truthAt), settingsArb)),
        ([record, event, settings]) => {
          const decision = decideShopifyEvent(record, event, settings, NOW);
          expect(decision.writes.filter((w) => w.target === 'edrone' && w.value === 'subscribed')).toEqual([]);
          expect(subscribes(decision)).toEqual([]);
          // The newest real change stays the unsubscribe.
          expect(decision.record.truthState).toBe('unsubscribed');
          expect(decision.record.truthAt).toEqual(record.truthAt);
        },
      ),
      params,
    );
  });

  it('an observation at the same second as the unsubscribe does not win either (an unsubscribe wins a tie)', () => {
    fc.assert(
      fc.property(unsubscribedRecordArb, fc.constantFrom('backfill' as const, 'reconcile' as const), settingsArb, (record, origin, settings) => {
        const event: ShopifyConsentEvent = {
          origin,
          channel: 'email',
          customerId: '1',
          identity: 'ann@example.com',
          state: 'subscribed',
          at: record.truthAt,
        };
        expect(subscribes(decideShopifyEvent(record, event, settings, NOW))).toEqual([]);
      }),
      params,
    );
  });

  it('repeated runs (backfill, then reconciliations, each write carried out) never send a subscribe', () => {
    fc.assert(
      fc.property(
        unsubscribedRecordArb.chain((record) =>
          fc.tuple(fc.constant(record), fc.array(observationArb(record.truthAt), { minLength: 1, maxLength: 8 }), settingsArb),
        ),
        ([initial, events, settings]) => {
          let record: ConsentRecord = initial;
          const carryOut = (writes: Write[], wallAt: Date) => {
            for (const w of writes) {
              record =
                w.target === 'edrone' ? afterEdroneWrite(record, w.value, w.at, wallAt) : afterShopifyWrite(record, w.value, w.at, wallAt);
            }
          };
          for (const [i, event] of events.entries()) {
            const decision = decideShopifyEvent(record, event, settings, NOW);
            expect(subscribes(decision), `observation ${i}`).toEqual([]);
            record = decision.record;
            // The writes succeed, as the worker records them; then the job's catch-up round
            // (app/sync/apply-writes.ts: catchUpWrites, one more round) sends no subscribe either.
            const wallAt = new Date(NOW.getTime() + i * 1000);
            carryOut(decision.writes, wallAt);
            if (decision.writes.length === 0) continue;
            const catchUp = writesNeeded(record, event.channel, settings).writes.filter(
              (w) => !decision.writes.some((d) => d.target === w.target && d.value === w.value),
            );
            expect(catchUp.filter((w) => w.value === 'subscribed'), `catch-up after observation ${i}`).toEqual([]);
            carryOut(catchUp, wallAt);
          }
        },
      ),
      params,
    );
  });
});
