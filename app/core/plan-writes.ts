// The writes one job carries out: the decision's writes, then one catch-up
// round. A write can teach the app something (Shopify kept a newer state of
// its own), after which the other side needs that newest state too; one more
// round is enough for that, and a bound keeps a job from ever looping.
import type { Channel, ConsentRecord, SyncSettings } from './types.js';
import { writesNeeded, type Write } from './decide.js';

/** Rounds of writes per job: the decision's, then one catch-up round. */
export const WRITE_ROUNDS = 2;

/**
 * What is still needed after a round of writes, leaving out a write of the same
 * target and value as one just done (it was refused or kept; repeating it would not help).
 * `needed` is the rule that computes the writes (the property tests pass candidates).
 */
export function catchUpWrites(
  record: ConsentRecord,
  channel: Channel,
  settings: SyncSettings,
  done: readonly Write[],
  needed: typeof writesNeeded = writesNeeded,
): Write[] {
  return needed(record, channel, settings).writes.filter((w) => !done.some((d) => d.target === w.target && d.value === w.value));
}
