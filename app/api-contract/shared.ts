// Values and building blocks of the /api/* contract (see index.ts). Only zod here: the UI reads this.
import { z } from 'zod';

/**
 * `some_failed`: some changes ran out of tries (listed under Failures) while the others go through;
 * `failing`: the most recent changes fail, or the shop is blocked (rule: app/core/sync-health.ts).
 */
export const HEALTH_STATES = ['healthy', 'paused', 'some_failed', 'failing', 'not_configured'] as const;
/** What a failed change was: a consent change, or a compliance request (GET /api/failures). */
export const FAILURE_CHANGES = ['subscribe', 'unsubscribe', 'erase', 'export_data'] as const;
export const ACTIVITY_DIRECTIONS = ['shopify_to_edrone', 'edrone_to_shopify'] as const;
/** `recorded`: noted without syncing (e.g. uninstall, compliance requests, paused sync, run summaries). */
export const ACTIVITY_RESULTS = ['sent', 'skipped', 'failed', 'no_customer', 'recorded'] as const;
export const ACTIVITY_ORIGINS = ['shopify', 'edrone', 'backfill', 'reconcile', 'app'] as const;
/** What a row is: a live change, a retry of one, a bulk run's per-customer row, or a bulk run's one summary row. */
export const ACTIVITY_KINDS = ['live', 'retry', 'initial_sync', 'reconciliation', 'run_summary'] as const;
/** GET /api/activity's `show`: live changes with one summary row per bulk run (the UI's default), or one kind, or all. */
export const ACTIVITY_VIEWS = ['live', 'initial_sync', 'reconciliation', 'retry', 'all'] as const;
/** GET /api/activity's `echoes`: the app's own writes coming back, left out (`hide`) or listed (`show`). */
export const ACTIVITY_ECHOES = ['hide', 'show'] as const;
export const ACTIVITY_TARGETS = ['edrone', 'shopify', 'none'] as const;
export const JOB_KINDS = ['shopify-webhook', 'edrone-event', 'backfill', 'reconcile'] as const;
export const BACKFILL_STATUSES = ['running', 'completed', 'cancelled', 'failed'] as const;
/** `exporting`: Shopify prepares the list of customers; `sending`: their consent goes to edrone. */
export const BACKFILL_PHASES = ['exporting', 'sending', 'done'] as const;
export const RECONCILE_STATUSES = ['running', 'completed', 'failed'] as const;
/** A bulk run as the merchant follows it. */
export const RUN_STATES = ['queued', 'running', 'completed', 'failed'] as const;
export const RECONCILE_TRIGGERS = ['schedule', 'manual', 'cli'] as const;
/** PUT /api/reconcile bounds: 15 minutes to 7 days. */
export const RECONCILE_INTERVAL_MINUTES = { min: 15, max: 10_080 } as const;
export const WEBHOOK_TOPIC_STATES = ['receiving', 'quiet', 'never', 'missing'] as const;
export const WEBHOOK_TOPIC_SOURCES = ['app_config', 'api'] as const;
export const WEBHOOK_STATUSES = ['active', 'missing', 'failing'] as const;
/** The list's filter: every row, or only the rows with that status. */
export const WEBHOOK_FILTERS = ['all', 'missing', 'failing'] as const;

// ---------------------------------------------------------------------------
// Building blocks

/** A time the server wrote (Date#toJSON): UTC with a Z. */
export const isoDateTime = z.iso.datetime();
/** A time Shopify wrote, passed through as given (may carry an offset). */
export const shopifyDateTime = z.iso.datetime({ offset: true });
export const count = z.number().int().min(0);
export const text = z.string().nullable();

export const pageQueryShape = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
};

export const pageShape = <T extends z.ZodType>(item: T) => ({
  items: z.array(item),
  page: z.number().int().min(1),
  pageSize: z.number().int().min(1).max(100),
  total: count,
});

// ---------------------------------------------------------------------------
// Errors

/**
 * Every 4xx/5xx answer of /api/*: `error` in merchant words; `fieldErrors` (field path -> message) on a
 * 400 about a body or query; `retryAfterMs` on a 429 (Shopify throttled the app); `code` on a 502 from a
 * permanent Shopify refusal. The 409s of the backfill and reconcile endpoints add `run` (sync.ts).
 */
export const apiErrorBody = z.strictObject({
  error: z.string().min(1),
  fieldErrors: z.record(z.string(), z.string()).optional(),
  retryAfterMs: z.number().int().min(0).optional(),
  code: z.string().optional(),
});

export type ApiErrorBody = z.infer<typeof apiErrorBody>;
