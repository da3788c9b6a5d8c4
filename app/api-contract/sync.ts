// The /api/* contract of the Sync tab: initial sync, reconciliation, webhook subscriptions (see index.ts).
import { z } from 'zod';
import { APP_CONFIG_TOPICS } from '../core/webhook-subscriptions.js';
import {
  BACKFILL_PHASES,
  BACKFILL_STATUSES,
  RECONCILE_INTERVAL_MINUTES,
  RECONCILE_STATUSES,
  RECONCILE_TRIGGERS,
  RUN_STATES,
  WEBHOOK_FILTERS,
  WEBHOOK_STATUSES,
  WEBHOOK_TOPIC_SOURCES,
  WEBHOOK_TOPIC_STATES,
  count,
  isoDateTime,
  pageQueryShape,
  pageShape,
  shopifyDateTime,
  text,
} from './shared.js';

// ---------------------------------------------------------------------------
// Initial sync (backfill)

/** A backfill run as GET/POST /api/backfill show it. */
export const backfillRun = z.strictObject({
  id: z.string(),
  status: z.enum(BACKFILL_STATUSES),
  phase: z.enum(BACKFILL_PHASES),
  read: count,
  sent: count,
  skipped: count,
  failed: count,
  startedAt: isoDateTime,
  finishedAt: isoDateTime.nullable(),
  error: text,
  /** A cancel was asked for; it applies once the batch being sent is done. */
  cancelRequested: z.boolean(),
  /** Customers in Shopify's export, once it is ready (null before). */
  total: count.nullable(),
});

/** GET /api/backfill: the latest run; null when none was ever started. */
export const backfillState = z.strictObject({ run: backfillRun.nullable() });

/**
 * POST /api/backfill and POST /api/backfill/cancel (no body): 202 with the run.
 * 400 (no edrone credentials): apiErrorBody. 409: backfillConflictAnswer.
 */
export const backfillRunAnswer = z.strictObject({ run: backfillRun });

/** 409 of POST /api/backfill (one is running) and POST /api/backfill/cancel (none is): the latest run. */
export const backfillConflictAnswer = z.strictObject({ error: z.string().min(1), run: backfillRun.nullable() });

// ---------------------------------------------------------------------------
// Reconciliation

const { min, max } = RECONCILE_INTERVAL_MINUTES;
/** Minutes between scheduled reconciliations, with the messages the Sync tab shows under the field. */
const intervalMinutes = z
  .number({ error: 'Enter the interval in minutes.' })
  .int('Enter a whole number of minutes.')
  .min(min, `The interval must be at least ${min} minutes.`)
  .max(max, `The interval can be at most ${max} minutes (7 days).`);

/** The last finished reconciliation, as GET /api/reconcile and POST /api/reconcile/run summarise it. */
export const reconcileLastRun = z.strictObject({
  checked: count,
  repaired: count,
  /** When it finished. */
  at: isoDateTime,
  status: z.enum(['completed', 'failed']),
  /** Customers that could not be repaired. */
  failed: count,
  /** Why a failed run stopped. */
  error: text,
});

/** GET /api/reconcile, and the 200 of PUT /api/reconcile. */
export const reconcileAnswer = z.strictObject({
  intervalMinutes,
  lastRunAt: isoDateTime.nullable(),
  /** null once the app is uninstalled. */
  nextRunAt: isoDateTime.nullable(),
  lastRun: reconcileLastRun.nullable(),
  /** A run is queued or going. */
  running: z.boolean(),
  /** The run in progress with its counts so far, which the Sync card follows to its end (null when none). */
  get currentRun() {
    return reconcileRun.nullable();
  },
  /** Why "Run now" cannot start now (the initial sync is running), in merchant words; null when it can. */
  blockedBy: text,
});

/** PUT /api/reconcile body. 400: apiErrorBody with fieldErrors.intervalMinutes. */
export const reconcileIntervalUpdate = z.object({ intervalMinutes });

/** One reconciliation run, as POST /api/reconcile/run shows it. */
export const reconcileRun = z.strictObject({
  id: z.string(),
  status: z.enum(RECONCILE_STATUSES),
  /** What the merchant sees: queued (the worker has not read anything yet), running, completed, failed. */
  state: z.enum(RUN_STATES),
  trigger: z.enum(RECONCILE_TRIGGERS),
  /** Customers changed since this time are read. */
  since: isoDateTime,
  checked: count,
  repaired: count,
  failed: count,
  startedAt: isoDateTime,
  finishedAt: isoDateTime.nullable(),
  error: text,
});

/**
 * POST /api/reconcile/run (no body): 200 with `lastRun` when the run finished within the server's wait,
 * else 202 with `lastRun: null` and the run still going. 400 (no edrone credentials): apiErrorBody.
 * 409 (one is pending): reconcileConflictAnswer.
 */
export const reconcileRunAnswer = z.union([
  z.strictObject({ lastRun: reconcileLastRun, run: reconcileRun.extend({ status: z.enum(['completed', 'failed']) }) }),
  z.strictObject({ lastRun: z.null(), run: reconcileRun.extend({ status: z.literal('running') }) }),
]);

/** 409 of POST /api/reconcile/run: the pending run. */
export const reconcileConflictAnswer = z.strictObject({ error: z.string().min(1), run: reconcileRun.nullable() });

// ---------------------------------------------------------------------------
// Webhook health per topic (from the app's receipt records)

/** One topic the sync needs. */
export const webhookTopicHealth = z.strictObject({
  /** Slash form: customers_marketing_consent/update (technical detail; show `label`). */
  topic: z.string(),
  /** In merchant words: "Email consent changes". */
  label: z.string(),
  /** app_config: declared in shopify.app.toml (not listable through the Admin API); api: registered through the Admin API. */
  source: z.enum(WEBHOOK_TOPIC_SOURCES),
  /**
   * receiving: delivered within `quietAfterHours`; quiet: no delivery for longer; never: no delivery stored yet;
   * missing: an API-registered subscription is expected and Shopify does not list it.
   */
  state: z.enum(WEBHOOK_TOPIC_STATES),
  lastDeliveryAt: isoDateTime.nullable(),
  hoursSinceDelivery: count.nullable(),
});

/** GET /api/webhook-health. Shopify errors (only when some topic is API-registered): apiErrorBody (403, 429, 502). */
export const webhookHealthAnswer = z.strictObject({
  topics: z.array(webhookTopicHealth),
  quietAfterHours: count,
  /** Shopify's own delivery monitoring (the Dev Dashboard). */
  monitoringUrl: z.url(),
  /** Some topic is registered through the Admin API (WEBHOOK_TOPICS_VIA_API): re-register and delete apply. */
  apiRegistration: z.boolean(),
});

// ---------------------------------------------------------------------------
// Webhook subscriptions registered through the Admin API

/** GET /api/webhook-subscriptions query. 400: apiErrorBody with fieldErrors. */
export const webhookSubscriptionsQuery = z.object({
  filter: z.enum(WEBHOOK_FILTERS).default('all'),
  ...pageQueryShape,
});

/** One subscription row: one per subscription Shopify lists, plus one `missing` row per needed topic it lacks. */
export const webhookSubscription = z.strictObject({
  /** The Shopify GID (gid://shopify/WebhookSubscription/N); `missing:<topic>` on a missing row. */
  id: z.string(),
  /** Slash form: customers_marketing_consent/update. */
  topic: z.string(),
  address: text,
  apiVersion: text,
  status: z.enum(WEBHOOK_STATUSES),
  createdAt: shopifyDateTime.nullable(),
  /** The newest delivery of this topic the app stored. */
  lastDeliveryAt: isoDateTime.nullable(),
});

/** GET /api/webhook-subscriptions. Shopify errors: apiErrorBody (403, 429, 502). */
export const webhookSubscriptionsPage = z.strictObject({
  ...pageShape(webhookSubscription),
  /** Where the app expects Shopify to deliver: `${appUrl}/webhooks`. */
  expectedAddress: z.url(),
  /** The compliance topics, set in the app configuration (not listable through the Admin API). */
  managedByAppConfig: z.array(
    z.strictObject({ topic: z.enum(APP_CONFIG_TOPICS), address: z.url(), status: z.literal('managed by app config') }),
  ),
  note: z.string(),
});

/** One delivery the app received for a topic. */
export const webhookDelivery = z.strictObject({ receivedAt: isoDateTime, topic: z.string() });

/**
 * GET /api/webhook-subscriptions/:id (also `missing:<topic>`, with nulls for what Shopify would know).
 * 404: apiErrorBody.
 */
export const webhookSubscriptionDetail = webhookSubscription.extend({
  format: text,
  filter: text,
  includeFields: z.array(z.string()),
  endpointType: text,
  /** The last 5 deliveries of the topic, newest first. */
  recentDeliveries: z.array(webhookDelivery).max(5),
});

/** POST /api/webhook-subscriptions/register (no body): creates the missing ones. */
export const webhookRegisterAnswer = z.strictObject({
  /** The rows just created. */
  items: z.array(webhookSubscription),
  created: count,
  /** Every row after registering. */
  subscriptions: z.array(webhookSubscription),
});

/** DELETE /api/webhook-subscriptions/:id. 404: apiErrorBody (not in Shopify, or a missing row). */
export const webhookDeleteAnswer = z.strictObject({ ok: z.literal(true), deletedId: z.string(), topic: z.string() });

// Types: answers as parsed (z.infer); request inputs as a client sends them (z.input).

export type BackfillStatus = (typeof BACKFILL_STATUSES)[number];
export type BackfillPhase = (typeof BACKFILL_PHASES)[number];
export type BackfillRun = z.infer<typeof backfillRun>;
export type BackfillState = z.infer<typeof backfillState>;
export type BackfillRunAnswer = z.infer<typeof backfillRunAnswer>;
export type BackfillConflictAnswer = z.infer<typeof backfillConflictAnswer>;
export type ReconcileLastRun = z.infer<typeof reconcileLastRun>;
export type ReconcileAnswer = z.infer<typeof reconcileAnswer>;
export type ReconcileIntervalUpdate = z.input<typeof reconcileIntervalUpdate>;
export type ReconcileRun = z.infer<typeof reconcileRun>;
export type ReconcileRunAnswer = z.infer<typeof reconcileRunAnswer>;
export type ReconcileConflictAnswer = z.infer<typeof reconcileConflictAnswer>;
export type WebhookTopicHealth = z.infer<typeof webhookTopicHealth>;
export type WebhookHealthAnswer = z.infer<typeof webhookHealthAnswer>;
export type WebhookSubscriptionFilter = (typeof WEBHOOK_FILTERS)[number];
export type WebhookSubscriptionsQuery = z.output<typeof webhookSubscriptionsQuery>;
export type WebhookSubscriptionStatus = (typeof WEBHOOK_STATUSES)[number];
export type WebhookSubscription = z.infer<typeof webhookSubscription>;
export type WebhookSubscriptionsPage = z.infer<typeof webhookSubscriptionsPage>;
export type WebhookDelivery = z.infer<typeof webhookDelivery>;
export type WebhookSubscriptionDetail = z.infer<typeof webhookSubscriptionDetail>;
export type WebhookRegisterAnswer = z.infer<typeof webhookRegisterAnswer>;
export type WebhookDeleteAnswer = z.infer<typeof webhookDeleteAnswer>;
