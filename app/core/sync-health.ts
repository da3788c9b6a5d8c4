// The sync health rule behind the Status screen: one failed change among many
// that go through is not "sync is failing". Pure: the outcomes come in as data.

/** How one processed change ended, newest first (Activity: failed vs. sent / skipped / no customer). */
export type ChangeOutcome = 'ok' | 'failed';

export type SyncHealthState = 'healthy' | 'paused' | 'some_failed' | 'failing' | 'not_configured';

/** How many of the newest outcomes the rule looks at. */
export const RECENT_WINDOW = 20;
/** Fewer failures than this never make sync "failing" (one refused address is not an outage). */
export const MIN_FAILURES_FOR_FAILING = 3;

export interface SyncHealthInput {
  configured: boolean;
  /** The shop is blocked (access revoked, edrone credentials refused): nothing can go through. */
  blocked: boolean;
  paused: boolean;
  /** Changes that ran out of tries and wait under Failures. */
  deadJobs: number;
  /** Outcomes of the newest processed changes, newest first; only the first RECENT_WINDOW count. */
  recent: readonly ChangeOutcome[];
}

/**
 * Sync is failing when the most recent changes fail:
 * - the newest MIN_FAILURES_FOR_FAILING (3) outcomes all failed (nothing succeeded since the failures started), or
 * - more than half of the last RECENT_WINDOW (20) outcomes failed, and at least 3 did.
 */
export function isSyncFailing(recent: readonly ChangeOutcome[]): boolean {
  const window = recent.slice(0, RECENT_WINDOW);
  const newest = window.slice(0, MIN_FAILURES_FOR_FAILING);
  if (newest.length === MIN_FAILURES_FOR_FAILING && newest.every((o) => o === 'failed')) return true;
  const failed = window.filter((o) => o === 'failed').length;
  return failed >= MIN_FAILURES_FOR_FAILING && failed * 2 > window.length;
}

/**
 * The shop's state, first match wins: not set up; failing (blocked, or isSyncFailing); some changes
 * failed (dead jobs wait under Failures while the rest go through); paused; healthy.
 */
export function syncHealth(input: SyncHealthInput): SyncHealthState {
  if (!input.configured) return 'not_configured';
  if (input.blocked || isSyncFailing(input.recent)) return 'failing';
  if (input.deadJobs > 0) return 'some_failed';
  if (input.paused) return 'paused';
  return 'healthy';
}
