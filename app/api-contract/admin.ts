// The /api/* contract of Setup, Status, Activity and Failures (see index.ts).
import { z } from 'zod';
import { settingsInputSchema } from '../core/settings.js';
import { SETUP_STEP_IDS, SETUP_STEP_STATES } from '../core/setup-steps.js';
import { CHANNELS, DIRECTIONS, EDRONE_STATUS_FILTERS } from '../core/types.js';
import {
  ACTIVITY_DIRECTIONS,
  ACTIVITY_ECHOES,
  ACTIVITY_KINDS,
  ACTIVITY_ORIGINS,
  ACTIVITY_VIEWS,
  ACTIVITY_RESULTS,
  ACTIVITY_TARGETS,
  FAILURE_CHANGES,
  HEALTH_STATES,
  JOB_KINDS,
  count,
  isoDateTime,
  pageQueryShape,
  pageShape,
  text,
} from './shared.js';

// ---------------------------------------------------------------------------
// Settings

/** The encodings of edrone's keyed hash the app accepts (app/adapters/edrone/signature.ts), documented first. */
export const EDRONE_SIGNATURE_VARIANTS = ['base64_of_hex', 'hex', 'base64_of_digest'] as const;

const channels = z.strictObject({ email: z.boolean(), sms: z.boolean() });

/** GET /api/settings, and the 200 of PUT /api/settings. The secret is only ever "is one set". */
export const settingsAnswer = z.strictObject({
  /** '' until an App ID is saved. */
  edroneAppId: z.string(),
  edroneAppSecretSet: z.boolean(),
  direction: z.enum(DIRECTIONS),
  edroneStatuses: z.enum(EDRONE_STATUS_FILTERS),
  channels,
  createMissingCustomers: z.boolean(),
  /** The shop's secret edrone sync URL; sent from install on, before any App ID is saved. */
  syncUrl: z.url(),
  /** How edrone's signature was encoded in the last request that verified; null before the first one. */
  edroneSignatureVariant: z.enum(EDRONE_SIGNATURE_VARIANTS).nullable(),
});

/**
 * PUT /api/settings body: the very schema the server validates with (app/core/settings.ts).
 * `edroneAppSecret` absent or blank keeps the saved secret. 400: apiErrorBody with fieldErrors.
 */
export const settingsUpdate = settingsInputSchema;

/** POST /api/settings/test-connection body: the App ID as typed; the saved one when absent. */
export const testConnectionRequest = z.object({ edroneAppId: z.string().trim().min(1).optional() });

/** POST /api/settings/test-connection: always 200; `ok: false` says why in merchant words. */
export const testConnectionAnswer = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true) }),
  z.strictObject({ ok: z.literal(false), reason: z.string().min(1) }),
]);

// ---------------------------------------------------------------------------
// Status, Activity, Failures

const directionCounts = z.strictObject({ shopifyToEdrone: count, edroneToShopify: count });

/** One step of the setup guide, ticked from what the app recorded (never from a click). */
const setupStep = z.strictObject({
  id: z.enum(SETUP_STEP_IDS),
  state: z.enum(SETUP_STEP_STATES),
  /** What the app saw for this step, in merchant words (a refused request, a run that stopped); null when nothing to add. */
  detail: text,
});

/** The setup guide: every step, how many are done, and whether setup is complete. */
const setupGuide = z.strictObject({
  steps: z.array(setupStep).length(SETUP_STEP_IDS.length),
  done: count,
  total: count,
  complete: z.boolean(),
});

/** GET /api/status */
export const statusAnswer = z.strictObject({
  state: z.enum(HEALTH_STATES),
  reason: text,
  today: directionCounts,
  last30Days: directionCounts,
  /** The last 30 UTC days, oldest first, today last. */
  daily: z.array(directionCounts.extend({ date: z.iso.date() })).length(30),
  lastShopifyEventAt: isoDateTime.nullable(),
  lastEdroneEventAt: isoDateTime.nullable(),
  /** Changes sent by bulk runs (initial sync, reconciliation), counted apart from the live ones above. */
  bulk: z.strictObject({ today: count, last30Days: count }),
  /** Dead-lettered jobs (GET /api/failures). */
  failures: count,
  /** Jobs queued or running. */
  queued: count,
  /** Storefront subscription checks (app proxy) answered today, UTC. */
  storefrontChecksToday: count,
  /** The setup guide's steps, each ticked from real data. */
  setup: setupGuide,
});

/** GET /api/edrone-connection: edrone's calls to the sync URL (reasons in merchant words, never the payload). */
export const edroneConnectionAnswer = z.strictObject({
  /** The newest request, accepted or refused; null when edrone never called. */
  last: z
    .strictObject({ outcome: z.enum(['accepted', 'rejected']), at: isoDateTime, reason: text })
    .nullable(),
  lastAcceptedAt: isoDateTime.nullable(),
  /** The last 5 refused requests, newest first. */
  recentRejections: z.array(z.strictObject({ at: isoDateTime, reason: z.string().min(1) })).max(5),
});

/** GET /api/activity query; empty filters are left out. 400: apiErrorBody with fieldErrors. */
export const activityQuery = z.object({
  ...pageQueryShape,
  direction: z.enum(ACTIVITY_DIRECTIONS).optional(),
  channel: z.enum(CHANNELS).optional(),
  result: z.enum(ACTIVITY_RESULTS).optional(),
  /** Part of an email or phone, case-insensitive. */
  q: z.string().trim().max(200).optional(),
  /** Which rows (absent: all). The Activity page asks for `live` by default. */
  show: z.enum(ACTIVITY_VIEWS).optional(),
  /** The per-customer rows of one bulk run: the `jobId` of its summary row. */
  run: z.string().trim().min(1).max(100).optional(),
  /** The app's own writes coming back (skipped as echoes): `hide` leaves them out (the Activity page's default); absent: shown. */
  echoes: z.enum(ACTIVITY_ECHOES).optional(),
});

/** One row of GET /api/activity: the Activity table row as the database holds it. */
export const activityItem = z.strictObject({
  id: z.string(),
  shopId: z.string(),
  jobId: text,
  eventId: text,
  origin: z.enum(ACTIVITY_ORIGINS),
  target: z.enum(ACTIVITY_TARGETS),
  channel: z.enum([...CHANNELS, 'none']),
  identity: text,
  customerId: text,
  previousState: text,
  newState: text,
  result: z.enum(ACTIVITY_RESULTS),
  reason: text,
  /** edrone's reason as it sent it (numeric id or name). */
  reasonCode: text,
  /** Written by a job that had failed or waited before. */
  retried: z.boolean(),
  /** What the row is (live change, retry, a bulk run's row, a bulk run's summary). */
  kind: z.enum(ACTIVITY_KINDS),
  /** The change in merchant words ("Unsubscribed in edrone by an agent"); `reason`/`reasonCode` keep the technical detail. */
  summary: z.string().min(1),
  /** `reason` without wire words (subscriber_status=0, edrone's reason code); null when nothing is left. */
  explanation: text,
  /** The report of the app's own write coming back (skipped, nothing sent). */
  echo: z.boolean(),
  createdAt: isoDateTime,
});

/** GET /api/activity: newest first. */
export const activityPage = z.strictObject(pageShape(activityItem));

/** GET /api/failures query. 400: apiErrorBody with fieldErrors. */
export const failuresQuery = z.object(pageQueryShape);

/** One row of GET /api/failures: a dead-lettered job. */
export const failureItem = z.strictObject({
  id: z.string(),
  kind: z.enum(JOB_KINDS),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  /** How many times it ran (a permanent refusal stops after the first). */
  attempts: count,
  /** The error as recorded (edrone's or Shopify's words). */
  lastError: text,
  /** What the job was doing, in merchant words: who, which change, which side. */
  summary: z.string(),
  /** The customer's email or phone; null when the job is not about one customer. */
  customer: text,
  channel: z.enum(CHANNELS).nullable(),
  change: z.enum(FAILURE_CHANGES).nullable(),
  /** The side the change could not reach. */
  target: z.enum(['edrone', 'shopify']).nullable(),
  /** Further customers' changes in the same job (one edrone request can carry several). */
  otherChanges: count,
  /** Why it failed, in plain words. */
  reason: z.string().min(1),
  /** What the merchant can do about it. */
  action: z.string().min(1),
});

/** GET /api/failures: most recently failed first. */
export const failuresPage = z.strictObject(pageShape(failureItem));

/** POST /api/failures/:id/retry (no body). 404: apiErrorBody (unknown id, or retried already). */
export const retryAnswer = z.strictObject({
  ok: z.literal(true),
  job: z.strictObject({ id: z.string(), status: z.literal('queued') }),
});

/** POST /api/failures/retry-all (no body): how many dead jobs were queued again. */
export const retryAllAnswer = z.strictObject({ retried: count });

// Types: answers as parsed (z.infer); request inputs as a client sends them (z.input).

export type Direction = (typeof DIRECTIONS)[number];
export type EdroneStatusFilter = (typeof EDRONE_STATUS_FILTERS)[number];
export type Channels = z.infer<typeof channels>;
export type SettingsAnswer = z.infer<typeof settingsAnswer>;
export type SettingsUpdate = z.input<typeof settingsUpdate>;
export type TestConnectionRequest = z.input<typeof testConnectionRequest>;
export type TestConnectionAnswer = z.infer<typeof testConnectionAnswer>;
export type HealthState = (typeof HEALTH_STATES)[number];
export type DirectionCounts = z.infer<typeof directionCounts>;
export type StatusAnswer = z.infer<typeof statusAnswer>;
export type DailyCount = StatusAnswer['daily'][number];
export type SetupGuide = z.infer<typeof setupGuide>;
export type SetupStep = z.infer<typeof setupStep>;
export type SetupStepId = (typeof SETUP_STEP_IDS)[number];
export type ActivityQuery = z.output<typeof activityQuery>;
export type ActivityDirection = (typeof ACTIVITY_DIRECTIONS)[number];
export type ActivityChannel = (typeof CHANNELS)[number];
export type ActivityResult = (typeof ACTIVITY_RESULTS)[number];
export type ActivityItem = z.infer<typeof activityItem>;
export type EdroneConnectionAnswer = z.infer<typeof edroneConnectionAnswer>;
export type ActivityView = (typeof ACTIVITY_VIEWS)[number];
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];
export type ActivityPage = z.infer<typeof activityPage>;
export type FailuresQuery = z.output<typeof failuresQuery>;
export type FailureItem = z.infer<typeof failureItem>;
export type FailureChange = (typeof FAILURE_CHANGES)[number];
export type FailuresPage = z.infer<typeof failuresPage>;
export type RetryAnswer = z.infer<typeof retryAnswer>;
export type RetryAllAnswer = z.infer<typeof retryAllAnswer>;
