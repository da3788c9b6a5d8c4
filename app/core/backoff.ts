// Retry timing for failed jobs: exponential with full jitter, capped.

export const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_CAP_MS = 60 * 60 * 1000;

/** Delay before attempt n+1 after n failed attempts (n >= 1). random is in [0, 1). */
export function retryDelayMs(attempts: number, random: number = Math.random()): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  // Half fixed, half jitter: never immediate, and retries of a burst spread out.
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}
