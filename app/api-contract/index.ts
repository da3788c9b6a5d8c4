// The /api/* JSON contract, shared by the server and the admin UI (web/src imports its types).
//
// One zod schema per request input (query or body) and per answer, describing the JSON on the wire:
// dates are ISO 8601 strings, ids are strings. Answers are strict objects, so a field the server starts
// sending without a line here fails test/integration/api-contract.test.ts, which parses every answer
// of every endpoint with these schemas.
//
// Only zod and the pure modules of app/core may be imported under app/api-contract: the UI bundle reads it.
//
// shared.ts: enum values, building blocks and apiErrorBody; admin.ts: settings, status, activity,
// failures; sync.ts: initial sync, reconciliation, webhook subscriptions.
import {
  activityPage,
  activityQuery,
  edroneConnectionAnswer,
  failuresPage,
  failuresQuery,
  retryAllAnswer,
  retryAnswer,
  settingsAnswer,
  settingsUpdate,
  statusAnswer,
  testConnectionAnswer,
  testConnectionRequest,
} from './admin.js';
import { customerConsentAnswer, customerConsentQuery } from './history.js';
import { apiErrorBody } from './shared.js';
import {
  backfillConflictAnswer,
  backfillRunAnswer,
  backfillState,
  reconcileAnswer,
  reconcileConflictAnswer,
  reconcileIntervalUpdate,
  reconcileRunAnswer,
  webhookDeleteAnswer,
  webhookHealthAnswer,
  webhookRegisterAnswer,
  webhookSubscriptionDetail,
  webhookSubscriptionsPage,
  webhookSubscriptionsQuery,
} from './sync.js';

export {
  ACTIVITY_DIRECTIONS,
  ACTIVITY_KINDS,
  ACTIVITY_ORIGINS,
  ACTIVITY_VIEWS,
  ACTIVITY_ECHOES,
  ACTIVITY_RESULTS,
  ACTIVITY_TARGETS,
  BACKFILL_PHASES,
  BACKFILL_STATUSES,
  FAILURE_CHANGES,
  HEALTH_STATES,
  JOB_KINDS,
  RECONCILE_INTERVAL_MINUTES,
  RECONCILE_STATUSES,
  RECONCILE_TRIGGERS,
  RUN_STATES,
  WEBHOOK_FILTERS,
  WEBHOOK_STATUSES,
  WEBHOOK_TOPIC_SOURCES,
  WEBHOOK_TOPIC_STATES,
  apiErrorBody,
  type ApiErrorBody,
} from './shared.js';
export * from './admin.js';
export * from './sync.js';
export * from './storefront.js';
export * from './history.js';

// ---------------------------------------------------------------------------
// Every endpoint: its input and its answers by HTTP status (401 is apiErrorBody everywhere).

export const endpoints = {
  'GET /api/settings': { answers: { 200: settingsAnswer } },
  'PUT /api/settings': { body: settingsUpdate, answers: { 200: settingsAnswer, 400: apiErrorBody } },
  'POST /api/settings/test-connection': { body: testConnectionRequest, answers: { 200: testConnectionAnswer } },
  'GET /api/status': { answers: { 200: statusAnswer } },
  'GET /api/edrone-connection': { answers: { 200: edroneConnectionAnswer } },
  'GET /api/activity': { query: activityQuery, answers: { 200: activityPage, 400: apiErrorBody } },
  'GET /api/failures': { query: failuresQuery, answers: { 200: failuresPage, 400: apiErrorBody } },
  'POST /api/failures/:id/retry': { answers: { 200: retryAnswer, 404: apiErrorBody } },
  'POST /api/failures/retry-all': { answers: { 200: retryAllAnswer } },
  'GET /api/backfill': { answers: { 200: backfillState } },
  'POST /api/backfill': { answers: { 202: backfillRunAnswer, 400: apiErrorBody, 409: backfillConflictAnswer } },
  'POST /api/backfill/cancel': { answers: { 202: backfillRunAnswer, 409: backfillConflictAnswer } },
  'GET /api/reconcile': { answers: { 200: reconcileAnswer } },
  'PUT /api/reconcile': { body: reconcileIntervalUpdate, answers: { 200: reconcileAnswer, 400: apiErrorBody } },
  'POST /api/reconcile/run': {
    answers: { 200: reconcileRunAnswer, 202: reconcileRunAnswer, 400: apiErrorBody, 409: reconcileConflictAnswer },
  },
  'GET /api/webhook-health': { answers: { 200: webhookHealthAnswer, 403: apiErrorBody, 429: apiErrorBody, 502: apiErrorBody } },
  'GET /api/webhook-subscriptions': {
    query: webhookSubscriptionsQuery,
    answers: { 200: webhookSubscriptionsPage, 400: apiErrorBody, 403: apiErrorBody, 429: apiErrorBody, 502: apiErrorBody },
  },
  'GET /api/webhook-subscriptions/:id': { answers: { 200: webhookSubscriptionDetail, 404: apiErrorBody } },
  'POST /api/webhook-subscriptions/register': { answers: { 200: webhookRegisterAnswer } },
  'DELETE /api/webhook-subscriptions/:id': { answers: { 200: webhookDeleteAnswer, 404: apiErrorBody } },
  'GET /api/customers/consent': { query: customerConsentQuery, answers: { 200: customerConsentAnswer, 400: apiErrorBody } },
} as const;

export type Endpoint = keyof typeof endpoints;

