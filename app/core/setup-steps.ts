// The setup guide's steps, ticked from what the app recorded, never from a click: a merchant who
// ticked "pasted the URL" without doing it would be told sync works while nothing arrives.
import type { Direction } from './types.js';

/** In the order the merchant does them. */
export const SETUP_STEP_IDS = ['credentials', 'sync_url', 'first_request', 'initial_sync'] as const;
export const SETUP_STEP_STATES = ['todo', 'in_progress', 'done'] as const;

export type SetupStepId = (typeof SETUP_STEP_IDS)[number];
export type SetupStepState = (typeof SETUP_STEP_STATES)[number];

export interface SetupFacts {
  /** An App ID and an App Secret are saved. */
  credentialsSaved: boolean;
  /** A one-way sync needs only its own steps: the others count as done, and say why. */
  direction: Direction;
  /** The newest request edrone made to the sync URL that the app accepted (or a verified signature on record). */
  lastAcceptedRequestAt: Date | null;
  /** The newest request to the sync URL that the app refused, with its reason in merchant words. */
  lastRejectedRequest: { at: Date; reason: string } | null;
  /** The newest initial sync, if one was ever started; `everCompleted`: any run of the shop finished. */
  initialSync: { status: 'running' | 'completed' | 'cancelled' | 'failed'; error: string | null } | null;
  initialSyncEverCompleted: boolean;
}

export interface SetupStepView {
  id: SetupStepId;
  state: SetupStepState;
  detail: string | null;
}

export interface SetupGuideView {
  steps: SetupStepView[];
  done: number;
  total: number;
  complete: boolean;
}

const NOT_NEEDED = {
  toShopifyOff: 'Not needed: the settings sync only Shopify → edrone.',
  toEdroneOff: 'Not needed: the settings sync only edrone → Shopify, and the initial sync sends to edrone.',
};

function step(id: SetupStepId, state: SetupStepState, detail: string | null = null): SetupStepView {
  return { id, state, detail };
}

/** The four steps from the facts: each is done by what happened, whatever the order the merchant did them in. */
export function setupSteps(facts: SetupFacts): SetupGuideView {
  const { lastAcceptedRequestAt: accepted, lastRejectedRequest: rejected } = facts;
  // Any request on the sync URL, even a refused one, proves the URL is saved in edrone.
  const urlPasted = accepted !== null || rejected !== null;
  const rejectedSinceAccepted = rejected !== null && (accepted === null || rejected.at > accepted);

  const firstRequest = accepted
    ? step('first_request', 'done', rejectedSinceAccepted ? `The latest request was refused: ${rejected.reason}` : null)
    : rejected
      ? step('first_request', 'in_progress', `edrone reached the sync URL, but the request was refused: ${rejected.reason}`)
      : step('first_request', 'todo');

  const run = facts.initialSync;
  const initialSync = facts.initialSyncEverCompleted
    ? step('initial_sync', 'done', run?.status === 'running' ? 'Another initial sync is running.' : null)
    : run?.status === 'running'
      ? step('initial_sync', 'in_progress', 'The initial sync is running. Follow it on the Sync tab.')
      : run?.status === 'failed'
        ? step('initial_sync', 'todo', `The last initial sync stopped${run.error ? `: ${run.error}` : '.'} Start it again.`)
        : run?.status === 'cancelled'
          ? step('initial_sync', 'todo', 'The last initial sync was cancelled before it finished.')
          : step('initial_sync', 'todo');

  // edrone's requests matter only when its changes reach Shopify; the initial sync only sends to edrone.
  const noEdroneRequests = facts.direction === 'shopify_to_edrone' && !urlPasted;
  const noInitialSync = facts.direction === 'edrone_to_shopify' && initialSync.state !== 'done';
  const steps = [
    step('credentials', facts.credentialsSaved ? 'done' : 'todo'),
    noEdroneRequests ? step('sync_url', 'done', NOT_NEEDED.toShopifyOff) : step('sync_url', urlPasted ? 'done' : 'todo'),
    noEdroneRequests ? step('first_request', 'done', NOT_NEEDED.toShopifyOff) : firstRequest,
    noInitialSync ? step('initial_sync', 'done', NOT_NEEDED.toEdroneOff) : initialSync,
  ];
  const done = steps.filter((s) => s.state === 'done').length;
  return { steps, done, total: steps.length, complete: done === steps.length };
}
