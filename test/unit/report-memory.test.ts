// Issue 9, property (d): a report decided twice (its job ran again after the worker died
// between saving the record and marking the job done) writes nothing more, while a run
// that was interrupted before its writes still finishes them on the second try.
import { describe, expect, it } from 'vitest';
import { afterEdroneWrite, afterShopifyWrite, decideEdroneEvent, type Decision } from '../../app/core/decide.js';
import { decideOnce, REPORT_MEMORY_COUNT, rememberReport } from '../../app/core/report-memory.js';
import { EMPTY_RECORD, type ConsentRecord, type EdroneConsentEvent, type SyncSettings } from '../../app/core/types.js';

const BASE = Date.UTC(2026, 0, 15, 10, 8, 17);
const at = (ms: number) => new Date(BASE + ms);
const settings: SyncSettings = { direction: 'both', edroneStatuses: 'all', channels: { email: true, sms: true }, createMissingCustomers: false };
const report = (status: 'subscribed' | 'unsubscribed', reason: string): EdroneConsentEvent => ({
  channel: 'email',
  identity: 'ann@example.com',
  status,
  at: at(0),
  reason,
  reasonCode: null,
});

/** Carries out a decision's writes the way the stand-ins answer (both sides take them). */
function carriedOut(d: Decision, now: Date): ConsentRecord {
  let r = d.record;
  for (const w of d.writes) {
    r = w.target === 'edrone' ? afterEdroneWrite(r, w.value, w.at, now, now) : afterShopifyWrite(r, w.value, w.at, now, { state: w.value, at: w.at });
  }
  return r;
}

/**
 * The property suite's counterexample (seed -1219834193): in one second an edrone unsubscribe
 * is written to Shopify, then a storefront sign-up reported as TRACE_SUBSCRIBED ties with it
 * and the app traces the unsubscribe (an unsubscribe wins a tie).
 */
function afterTie(decide: typeof decideOnce) {
  let r: ConsentRecord = { ...EMPTY_RECORD };
  r = carriedOut(decide(decideEdroneEvent, r, report('unsubscribed', 'CUSTOMER_UNSUBSCRIBED'), settings, at(100), 'r1'), at(100));
  const signUp = report('subscribed', 'TRACE_SUBSCRIBED');
  const first = decide(decideEdroneEvent, r, signUp, settings, at(200), 'r3');
  expect(first.writes).toEqual([{ target: 'edrone', value: 'unsubscribed', at: expect.any(Date) }]);
  return { record: carriedOut(first, at(250)), signUp };
}

describe('a report decided once', () => {
  it('the same report decided again (a retried job) writes nothing, where the rules alone would trace again', () => {
    const { record, signUp } = afterTie(decideOnce);
    // The rules alone cannot tell this report from a new same-second change: they trace again.
    expect(decideEdroneEvent(record, signUp, settings, at(1200)).writes).toHaveLength(1);
    const again = decideOnce(decideEdroneEvent, record, signUp, settings, at(1200), 'r3');
    expect(again).toMatchObject({ writes: [], skip: 'duplicate' });
    expect(again.record).toBe(record);
  });

  it('a run that saved the record but did not finish its write finishes it on the second try', () => {
    let r: ConsentRecord = { ...EMPTY_RECORD };
    const d = decideOnce(decideEdroneEvent, r, report('unsubscribed', 'CUSTOMER_UNSUBSCRIBED'), settings, at(100), 'r1');
    expect(d.writes).toEqual([{ target: 'shopify', value: 'unsubscribed', at: at(0) }]);
    // The worker saved d.record, then died (or Shopify failed) before the write.
    r = d.record;
    const retry = decideOnce(decideEdroneEvent, r, report('unsubscribed', 'CUSTOMER_UNSUBSCRIBED'), settings, at(5000), 'r1');
    expect(retry.writes).toEqual(d.writes);
  });

  it('another report, or a read without an id (a bulk run), is decided by the rules', () => {
    const { record, signUp } = afterTie(decideOnce);
    expect(decideOnce(decideEdroneEvent, record, signUp, settings, at(1200), 'r9').writes).toHaveLength(1);
    expect(decideOnce(decideEdroneEvent, record, signUp, settings, at(1200), null).writes).toHaveLength(1);
  });

  it(`remembers the latest ${REPORT_MEMORY_COUNT} reports per record, oldest forgotten first`, () => {
    let r: ConsentRecord = { ...EMPTY_RECORD };
    for (let i = 0; i < REPORT_MEMORY_COUNT + 3; i++) r = rememberReport(r, `r${i}`);
    expect(r.decidedReports).toHaveLength(REPORT_MEMORY_COUNT);
    expect(r.decidedReports?.[0]).toBe('r3');
    expect(r.decidedReports?.at(-1)).toBe(`r${REPORT_MEMORY_COUNT + 2}`);
    // Remembering one again moves it to the end instead of keeping two.
    r = rememberReport(r, 'r5');
    expect(r.decidedReports?.filter((id) => id === 'r5')).toHaveLength(1);
    expect(r.decidedReports?.at(-1)).toBe('r5');
  });
});
