// The Status rule (app/core/sync-health.ts, README "Failures"): one refused change among many that
// go through is "some changes failed" (amber); "sync is failing" (red) only when the latest changes fail.
import { describe, expect, it } from 'vitest';
import { isSyncFailing, syncHealth, type ChangeOutcome, type SyncHealthInput } from '../../app/core/sync-health.js';

const ok = (n: number): ChangeOutcome[] => Array.from({ length: n }, () => 'ok');
const failed = (n: number): ChangeOutcome[] => Array.from({ length: n }, () => 'failed');

describe('isSyncFailing (newest first)', () => {
  it.each<[string, ChangeOutcome[], boolean]>([
    ['nothing processed yet', [], false],
    ['one failure, nothing else', failed(1), false],
    ['two failures in a row', failed(2), false],
    ['one failure among successes', [...failed(1), ...ok(10)], false],
    ['the three newest failed: nothing succeeded since the failures started', [...failed(3), ...ok(17)], true],
    ['a success after three failures', [...ok(1), ...failed(3), ...ok(16)], false],
    ['more than half of the last 20 failed', [...ok(1), ...failed(1), ...ok(1), ...failed(10), ...ok(7)], true],
    ['exactly half of the last 20 failed, not the newest', [...ok(1), ...failed(2), ...ok(1), ...failed(8), ...ok(8)], false],
    ['two of three failed: too few to call it an outage', [...failed(1), ...ok(1), ...failed(1)], false],
    ['failures older than the last 20 do not count', [...ok(20), ...failed(30)], false],
  ])('%s → %s', (_name, recent, expected) => {
    expect(isSyncFailing(recent)).toBe(expected);
  });
});

describe('syncHealth', () => {
  const base: SyncHealthInput = { configured: true, blocked: false, paused: false, deadJobs: 0, recent: ok(5) };

  it.each<[string, Partial<SyncHealthInput>, ReturnType<typeof syncHealth>]>([
    ['everything goes through', {}, 'healthy'],
    ['not set up wins over everything', { configured: false, blocked: true, deadJobs: 3, recent: failed(5) }, 'not_configured'],
    ['one permanent refusal (HTTP 400) waits under Failures', { deadJobs: 1, recent: [...failed(1), ...ok(4)] }, 'some_failed'],
    ['the only change so far failed', { deadJobs: 1, recent: failed(1) }, 'some_failed'],
    ['old failures, the latest changes go through', { deadJobs: 12, recent: ok(20) }, 'some_failed'],
    ['the latest changes fail', { deadJobs: 3, recent: [...failed(3), ...ok(5)] }, 'failing'],
    ['the shop is blocked', { blocked: true }, 'failing'],
    ['failures beat paused', { paused: true, deadJobs: 2 }, 'some_failed'],
    ['paused without failures', { paused: true }, 'paused'],
  ])('%s → %s', (_name, over, expected) => {
    expect(syncHealth({ ...base, ...over })).toBe(expected);
  });
});
