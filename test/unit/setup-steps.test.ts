// The setup guide's steps: each ticks from what the app recorded, in any order, and the guide
// is complete only when the initial sync finished.
import { describe, expect, it } from 'vitest';
import { setupSteps, type SetupFacts } from '../../app/core/setup-steps.js';

const NOTHING: SetupFacts = {
  credentialsSaved: false,
  direction: 'both',
  lastAcceptedRequestAt: null,
  lastRejectedRequest: null,
  initialSync: null,
  initialSyncEverCompleted: false,
};
const T1 = new Date('2026-11-01T10:00:00Z');
const T2 = new Date('2026-11-01T11:00:00Z');

const states = (facts: Partial<SetupFacts>) => Object.fromEntries(setupSteps({ ...NOTHING, ...facts }).steps.map((s) => [s.id, s.state]));

describe('setupSteps', () => {
  it('a fresh install: four steps, none done, in the order the merchant does them', () => {
    const guide = setupSteps(NOTHING);
    expect(guide.steps.map((s) => s.id)).toEqual(['credentials', 'sync_url', 'first_request', 'initial_sync']);
    expect(guide).toMatchObject({ done: 0, total: 4, complete: false });
    expect(guide.steps.every((s) => s.state === 'todo' && s.detail === null)).toBe(true);
  });

  it('saved credentials tick the first step only', () => {
    expect(states({ credentialsSaved: true })).toEqual({ credentials: 'done', sync_url: 'todo', first_request: 'todo', initial_sync: 'todo' });
    expect(setupSteps({ ...NOTHING, credentialsSaved: true }).done).toBe(1);
  });

  it('a refused request proves the URL is in edrone, but the first request is not received yet; the reason is shown', () => {
    const guide = setupSteps({ ...NOTHING, credentialsSaved: true, lastRejectedRequest: { at: T1, reason: 'Signature does not match' } });
    expect(guide.steps.find((s) => s.id === 'sync_url')?.state).toBe('done');
    const first = guide.steps.find((s) => s.id === 'first_request');
    expect(first?.state).toBe('in_progress');
    expect(first?.detail).toContain('Signature does not match');
    expect(guide.done).toBe(2);
  });

  it('an accepted request ticks both the URL and the first request', () => {
    expect(states({ lastAcceptedRequestAt: T1 })).toMatchObject({ sync_url: 'done', first_request: 'done' });
  });

  it('a refusal after an accepted request keeps the step done and says so', () => {
    const guide = setupSteps({ ...NOTHING, lastAcceptedRequestAt: T1, lastRejectedRequest: { at: T2, reason: 'Unknown App ID' } });
    const first = guide.steps.find((s) => s.id === 'first_request');
    expect(first?.state).toBe('done');
    expect(first?.detail).toContain('Unknown App ID');
    // An older refusal is history and says nothing.
    const older = setupSteps({ ...NOTHING, lastAcceptedRequestAt: T2, lastRejectedRequest: { at: T1, reason: 'Unknown App ID' } });
    expect(older.steps.find((s) => s.id === 'first_request')?.detail).toBeNull();
  });

  it.each([
    [{ status: 'running' as const, error: null }, false, 'in_progress', /running/],
    [{ status: 'failed' as const, error: 'edrone refused the App ID.' }, false, 'todo', /stopped: edrone refused the App ID\./],
    [{ status: 'cancelled' as const, error: null }, false, 'todo', /cancelled/],
    [{ status: 'completed' as const, error: null }, true, 'done', null],
    // A later run that failed does not undo a finished one.
    [{ status: 'failed' as const, error: 'x' }, true, 'done', null],
  ])('initial sync %j (ever completed: %s) is %s', (run, everCompleted, state, detail) => {
    const step = setupSteps({ ...NOTHING, initialSync: run, initialSyncEverCompleted: everCompleted }).steps.find((s) => s.id === 'initial_sync');
    expect(step?.state).toBe(state);
    if (detail) expect(step?.detail).toMatch(detail);
    else expect(step?.detail).toBeNull();
  });

  it('a one-way sync needs only its own steps; the others are done and say why', () => {
    const toEdrone = setupSteps({ ...NOTHING, direction: 'shopify_to_edrone' });
    expect(toEdrone.steps.map((s) => s.state)).toEqual(['todo', 'done', 'done', 'todo']);
    expect(toEdrone.steps[1]?.detail).toMatch(/Not needed/);
    // A request that came anyway is reported as it is.
    const rejected = setupSteps({ ...NOTHING, direction: 'shopify_to_edrone', lastRejectedRequest: { at: T1, reason: 'Unknown App ID' } });
    expect(rejected.steps.find((s) => s.id === 'first_request')?.state).toBe('in_progress');

    const toShopify = setupSteps({ ...NOTHING, direction: 'edrone_to_shopify' });
    expect(toShopify.steps.map((s) => s.state)).toEqual(['todo', 'todo', 'todo', 'done']);
    expect(toShopify.steps[3]?.detail).toMatch(/Not needed/);
    // Paused keeps every step: it is a pause, not a choice of direction.
    expect(setupSteps({ ...NOTHING, direction: 'paused' }).done).toBe(0);
  });

  it('complete only when every step is done', () => {
    const all: SetupFacts = { credentialsSaved: true, direction: 'both', lastAcceptedRequestAt: T1, lastRejectedRequest: null, initialSync: { status: 'completed', error: null }, initialSyncEverCompleted: true };
    expect(setupSteps(all)).toMatchObject({ done: 4, complete: true });
    expect(setupSteps({ ...all, initialSyncEverCompleted: false, initialSync: { status: 'running', error: null } })).toMatchObject({ done: 3, complete: false });
    expect(setupSteps({ ...all, credentialsSaved: false })).toMatchObject({ done: 3, complete: false });
  });
});
