// Issue 9: the app remembers its recent traces, so edrone's late report of one of them
// (the app was down, say, and has traced since) is recognised, and a TRACE_* report
// that matches none of them (a storefront form) is a real change.
import { describe, expect, it } from 'vitest';
import {
  afterEdroneWrite,
  CLOCK_SKEW_MS,
  decideEdroneEvent,
  TRACE_APPLY_MS,
  TRACE_MEMORY_COUNT,
  TRACE_MEMORY_MS,
} from '../../app/core/decide.js';
import { EMPTY_RECORD, type ConsentRecord, type EdroneConsentEvent, type SyncSettings } from '../../app/core/types.js';

const BASE = Date.UTC(2026, 0, 15, 10, 0, 0);
const at = (seconds: number) => new Date(BASE + seconds * 1000);
const settings: SyncSettings = { direction: 'both', edroneStatuses: 'all', channels: { email: true, sms: true }, createMissingCustomers: false };
const report = (status: 'subscribed' | 'unsubscribed', seconds: number, reason = status === 'subscribed' ? 'TRACE_SUBSCRIBED' : 'TRACE_UNSUBSCRIBED'): EdroneConsentEvent => ({
  channel: 'email',
  identity: 'ann@example.com',
  status,
  at: at(seconds),
  reason,
  reasonCode: null,
});

/** Shopify's unsubscribe at 0 s was traced at 1 s; then, 20 minutes later (after an outage), a subscribe and an unsubscribe from Shopify were traced. */
function afterOutage(): ConsentRecord {
  let r: ConsentRecord = { ...EMPTY_RECORD, truthState: 'unsubscribed', truthAt: at(0), truthSource: 'shopify', shopifyState: 'unsubscribed', shopifyAt: at(0) };
  r = afterEdroneWrite(r, 'unsubscribed', at(0), at(1), at(1.2));
  r = { ...r, truthState: 'subscribed', truthAt: at(30), shopifyState: 'subscribed', shopifyAt: at(30) };
  r = afterEdroneWrite(r, 'subscribed', at(30), at(1200), at(1200.2));
  r = { ...r, truthState: 'unsubscribed', truthAt: at(31), shopifyState: 'unsubscribed', shopifyAt: at(31) };
  return afterEdroneWrite(r, 'unsubscribed', at(31), at(1202), at(1202.2));
}

describe('the remembered traces', () => {
  it('a late report of a trace sent before an outage is that trace\'s report, not a real change', () => {
    const r = afterOutage();
    // The report of the trace sent at 1 s arrives after the app traced twice since.
    const d = decideEdroneEvent(r, report('unsubscribed', 2), settings, at(1300));
    expect(d.writes).toEqual([]);
    expect(d.record.truthState).toBe('unsubscribed');
    expect(d.record.truthAt).toEqual(at(31));
    // Likewise the subscribe trace sent at 1200 s, reported late after the last trace.
    const d2 = decideEdroneEvent(r, report('subscribed', 1201), settings, at(1300));
    expect(d2.writes).toEqual([]);
    expect(d2.record.truthState).toBe('unsubscribed');
  });

  it('a TRACE_* report dated where the app sent no trace is a real change (a storefront form), and the newest wins', () => {
    const r = afterOutage();
    // A storefront sign-up at 600 s, reported late: newer than the truth (31 s), so both sides get it.
    const d = decideEdroneEvent(r, report('subscribed', 600), settings, at(1300));
    expect(d.record).toMatchObject({ truthState: 'subscribed', truthAt: at(600), truthSource: 'edrone' });
    expect(d.writes.map((w) => w.target).sort()).toEqual(['edrone', 'shopify']);
  });

  it('a real TRACE_* change of the last trace\'s state, dated before it and matching no trace, still counts as the newest real change', () => {
    let r: ConsentRecord = { ...EMPTY_RECORD, truthState: 'unsubscribed', truthAt: at(1), truthSource: 'shopify', shopifyState: 'unsubscribed', shopifyAt: at(1) };
    r = afterEdroneWrite(r, 'unsubscribed', at(1), at(5), at(5.1));
    // A storefront unsubscribe at 2 s (reported as TRACE_UNSUBSCRIBED), late: it is the truth now.
    const d = decideEdroneEvent(r, report('unsubscribed', 2), settings, at(10));
    expect(d.record).toMatchObject({ truthState: 'unsubscribed', truthAt: at(2), truthSource: 'edrone' });
    // So a Shopify subscribe in that same second ties, and the unsubscribe wins it.
  });

  it('keeps at most TRACE_MEMORY_COUNT traces of the last TRACE_MEMORY_MS, and knows from when its list is complete', () => {
    let r: ConsentRecord = { ...EMPTY_RECORD };
    expect(r.tracesCompleteFrom).toBe(0);
    for (let i = 0; i < TRACE_MEMORY_COUNT + 4; i++) r = afterEdroneWrite(r, i % 2 ? 'subscribed' : 'unsubscribed', at(i * 60), at(i * 60 + 1), null);
    expect(r.recentTraces).toHaveLength(TRACE_MEMORY_COUNT);
    expect(r.recentTraces.at(-1)).toEqual({ state: 'subscribed', sentAt: at((TRACE_MEMORY_COUNT + 3) * 60 + 1).getTime(), doneAt: null, reportedAt: null });
    // The newest forgotten trace (the 4th, sent at 181 s) may be reported until it must have been applied.
    expect(r.tracesCompleteFrom).toBe(at(181).getTime() + 2 * TRACE_APPLY_MS + CLOCK_SKEW_MS);
    // A week later every earlier trace is forgotten.
    const later = afterEdroneWrite(r, 'unsubscribed', at(0), new Date(at(2000).getTime() + TRACE_MEMORY_MS), null);
    expect(later.recentTraces).toHaveLength(1);
  });

  it('a row from before the list (completeness unknown) is complete from shortly after its first remembered trace', () => {
    const migrated: ConsentRecord = { ...EMPTY_RECORD, recentTraces: [], tracesCompleteFrom: null };
    const r = afterEdroneWrite(migrated, 'subscribed', at(0), at(100), at(100.5));
    expect(r.tracesCompleteFrom).toBe(at(100).getTime() + 2 * TRACE_APPLY_MS + CLOCK_SKEW_MS);
  });

  it('a late report of an earlier trace, made in the second of a later trace of its state, does not settle that later trace', () => {
    // Shopify: unsubscribe at 0 s, subscribe and unsubscribe again at 1 s; the app traces them at
    // 4 s, 6 s and 9 s; edrone answers each at once and applies it 4 s later, in order.
    let r: ConsentRecord = { ...EMPTY_RECORD, truthState: 'unsubscribed', truthAt: at(1), truthSource: 'shopify', shopifyState: 'unsubscribed', shopifyAt: at(1) };
    r = afterEdroneWrite(r, 'unsubscribed', at(0), at(4), at(5));
    r = afterEdroneWrite(r, 'subscribed', at(1), at(6), at(7));
    r = afterEdroneWrite(r, 'unsubscribed', at(1), at(9), at(10));
    // edrone applies the first (unsubscribe) at 9 s: its report is dated in the second of the last trace.
    const first = decideEdroneEvent(r, report('unsubscribed', 9), settings, at(15));
    expect(first).toMatchObject({ writes: [], skip: 'echo' });
    expect(first.record.wroteEdroneDoneAt).toEqual(r.wroteEdroneDoneAt);
    // Then the subscribe trace, applied at 11 s: its report, not a customer's sign-up.
    const second = decideEdroneEvent(first.record, report('subscribed', 11), settings, at(16));
    expect(second.writes.filter((w) => w.target === 'shopify')).toEqual([]);
    expect(second.record.truthState).toBe('unsubscribed');
  });
});
