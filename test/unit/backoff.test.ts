// Retry timing: exponential with jitter, capped, never immediate.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, retryDelayMs } from '../../app/core/backoff.js';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const ALMOST_ONE = 1 - Number.EPSILON;

describe('retryDelayMs', () => {
  it.each<[number, number, number]>([
    // attempts, lowest (random 0), highest (random -> 1)
    [1, BACKOFF_BASE_MS / 2, BACKOFF_BASE_MS],
    [2, BACKOFF_BASE_MS, BACKOFF_BASE_MS * 2],
    [3, BACKOFF_BASE_MS * 2, BACKOFF_BASE_MS * 4],
    [5, BACKOFF_BASE_MS * 8, BACKOFF_BASE_MS * 16],
  ])('after %i failed attempt(s) the delay is between %i and %i ms', (attempts, low, high) => {
    expect(retryDelayMs(attempts, 0)).toBe(low);
    expect(retryDelayMs(attempts, ALMOST_ONE)).toBe(high);
    expect(retryDelayMs(attempts, 0.5)).toBe(Math.round((low + high) / 2));
  });

  it('grows with the number of attempts until the cap', () => {
    let previous = 0;
    for (let attempts = 1; attempts <= 30; attempts++) {
      const delay = retryDelayMs(attempts, 0);
      expect(delay).toBeGreaterThanOrEqual(previous);
      if (delay < BACKOFF_CAP_MS / 2) expect(delay).toBeGreaterThan(previous);
      previous = delay;
    }
  });

  it.each([20, 30, 100, 1_000, 1_000_000, Number.MAX_SAFE_INTEGER])('is capped after %i attempts', (attempts) => {
    expect(retryDelayMs(attempts, ALMOST_ONE)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    expect(retryDelayMs(attempts, 0)).toBe(BACKOFF_CAP_MS / 2);
  });

  it.each([0, -1, -100])('is never immediate, even for a nonsensical attempt count %i', (attempts) => {
    expect(retryDelayMs(attempts, 0)).toBe(BACKOFF_BASE_MS / 2);
  });

  it('uses Math.random by default and stays within bounds', () => {
    for (let i = 0; i < 100; i++) {
      const d = retryDelayMs(3);
      expect(d).toBeGreaterThanOrEqual(BACKOFF_BASE_MS * 2);
      expect(d).toBeLessThanOrEqual(BACKOFF_BASE_MS * 4);
    }
  });

  it('property: an integer in [ceiling/2, ceiling], never 0, never above the cap, monotone in attempts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempts, random) => {
          const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
          const d = retryDelayMs(attempts, random);
          expect(Number.isInteger(d)).toBe(true);
          expect(d).toBeGreaterThan(0);
          expect(d).toBeGreaterThanOrEqual(ceiling / 2);
          expect(d).toBeLessThanOrEqual(ceiling);
          expect(d).toBeLessThanOrEqual(BACKOFF_CAP_MS);
          // Same jitter, one more attempt: never shorter.
          expect(retryDelayMs(attempts + 1, random)).toBeGreaterThanOrEqual(d);
        },
      ),
      { seed, numRuns: 500 },
    );
  });

  it('spreads a burst: different random values give different delays', () => {
    const delays = new Set([0, 0.25, 0.5, 0.75, 0.99].map((r) => retryDelayMs(4, r)));
    expect(delays.size).toBe(5);
  });
});
