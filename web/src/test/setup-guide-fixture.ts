// Setup guides for component tests: every step done (the guide stays out of the way), or the states given.
import type { SetupGuide, SetupStep, SetupStepId } from '../api-types.js';

const IDS: SetupStepId[] = ['credentials', 'sync_url', 'first_request', 'initial_sync'];

export function setupGuide(states: Partial<Record<SetupStepId, SetupStep['state']>> = {}, details: Partial<Record<SetupStepId, string>> = {}): SetupGuide {
  const steps = IDS.map((id) => ({ id, state: states[id] ?? 'done', detail: details[id] ?? null }));
  const done = steps.filter((s) => s.state === 'done').length;
  return { steps, done, total: steps.length, complete: done === steps.length };
}

export const COMPLETE_SETUP = setupGuide();
