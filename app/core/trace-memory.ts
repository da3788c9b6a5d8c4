// The app's memory of its own recent traces (ConsentRecord.recentTraces): edrone reports every
// change a trace makes, possibly long after, with a date to the second. Which trace a report
// can be, and how long that memory lasts. Pure.
import type { ConsentRecord, TraceMark } from './types.js';

/** Tolerance between edrone's clock and ours, and Shopify's second-precision times. */
export const CLOCK_SKEW_MS = 1_000;
/** How long after the app sends a trace (or edrone answers it: edrone may answer before it applies) edrone may still apply it. */
export const TRACE_APPLY_MS = 10_000;

export const SECOND_MS = 1_000;
export const secondOf = (t: number) => Math.floor(t / SECOND_MS) * SECOND_MS;

/** A report dated `at` can be trace `t`'s: from the second it was sent until it must have been applied. */
export function appliedAround(t: TraceMark, at: number, lastSettles: number): boolean {
  return at >= secondOf(t.sentAt) - CLOCK_SKEW_MS && at <= Math.min(lastSettles, t.sentAt + 2 * TRACE_APPLY_MS) + CLOCK_SKEW_MS;
}

/** How long, and how many, of the app's traces are remembered to recognise their late reports. */
export const TRACE_MEMORY_MS = 7 * 24 * 60 * 60 * 1000;
export const TRACE_MEMORY_COUNT = 16;

/** The remembered traces with `trace` added, the oldest forgotten beyond the bounds (and from when the list is complete). */
export function rememberTrace(record: ConsentRecord, trace: TraceMark): Pick<ConsentRecord, 'recentTraces' | 'tracesCompleteFrom'> {
  const all = [...record.recentTraces, trace];
  const keep = all.filter((t, i) => t.sentAt >= trace.sentAt - TRACE_MEMORY_MS && i >= all.length - TRACE_MEMORY_COUNT);
  const forgotten = all.filter((t) => !keep.includes(t));
  // A forgotten trace (or one sent before the list existed) may still be reported until it must have been applied.
  const reportedUntil = (sentAt: number) => sentAt + 2 * TRACE_APPLY_MS + CLOCK_SKEW_MS;
  let from = record.tracesCompleteFrom ?? reportedUntil(trace.sentAt);
  for (const t of forgotten) from = Math.max(from, reportedUntil(t.sentAt));
  return { recentTraces: keep, tracesCompleteFrom: from };
}
