// Shapes of the /api/* JSON contract (ARCHITECTURE.md "External contract" and the admin UI brief).

export type Direction = 'both' | 'shopify_to_edrone' | 'edrone_to_shopify' | 'paused';
export type EdroneStatuses = 'all' | 'unsubscribes' | 'subscribes';

export interface Channels {
  email: boolean;
  sms: boolean;
}

/** GET /api/settings and the answer of PUT /api/settings. The secret itself is never sent back. */
export interface Settings {
  edroneAppId: string | null;
  edroneAppSecretSet: boolean;
  direction: Direction;
  edroneStatuses: EdroneStatuses;
  channels: Channels;
  createMissingCustomers: boolean;
  syncUrl: string | null;
}

/** PUT /api/settings body. `edroneAppSecret` is left out to keep the saved secret. */
export interface SettingsUpdate {
  edroneAppId: string;
  edroneAppSecret?: string;
  direction: Direction;
  edroneStatuses: EdroneStatuses;
  channels: Channels;
  createMissingCustomers: boolean;
}

export type TestConnectionResult = { ok: true } | { ok: false; reason: string };

export type HealthState = 'healthy' | 'paused' | 'failing' | 'not_configured';

export interface DirectionCounts {
  shopifyToEdrone: number;
  edroneToShopify: number;
}

export interface DailyCount extends DirectionCounts {
  /** YYYY-MM-DD */
  date: string;
}

export interface StatusReport {
  state: HealthState;
  reason: string | null;
  today: DirectionCounts;
  last30Days: DirectionCounts;
  daily: DailyCount[];
  lastShopifyEventAt: string | null;
  lastEdroneEventAt: string | null;
  failures: number;
  queued: number;
}

export type ActivityDirection = 'shopify_to_edrone' | 'edrone_to_shopify';
export type ActivityChannelFilter = 'email' | 'sms';
/** `recorded`: noted without syncing (e.g. uninstall, compliance requests, paused sync). */
export type ActivityResult = 'sent' | 'skipped' | 'failed' | 'no_customer' | 'recorded';

export type Id = string | number;

export interface ActivityItem {
  id: Id;
  createdAt: string;
  origin: 'shopify' | 'edrone' | 'backfill' | 'reconcile' | 'app';
  target: 'edrone' | 'shopify' | 'none';
  channel: 'email' | 'sms' | 'none';
  identity: string | null;
  customerId: string | null;
  previousState: string | null;
  newState: string | null;
  result: ActivityResult;
  reason: string | null;
  reasonCode: string | null;
}

export interface Paged<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export interface FailureItem {
  id: Id;
  kind: string;
  createdAt: string;
  updatedAt: string;
  attempts: number;
  lastError: string | null;
  summary: string | null;
}

export interface RetryResult {
  ok: true;
  job: { id: Id; status: string };
}

export interface RetryAllResult {
  retried: number;
}

// Initial sync (backfill), reconciliation and webhook subscription health (the Sync tab).

export type BackfillStatus = 'running' | 'completed' | 'cancelled' | 'failed';
/** `exporting`: reading every customer from Shopify; `sending`: passing their consent to edrone. */
export type BackfillPhase = 'exporting' | 'sending' | 'done';

export interface BackfillRun {
  id: Id;
  status: BackfillStatus;
  phase: BackfillPhase;
  read: number;
  sent: number;
  skipped: number;
  failed: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  /** Optional extras (not in the brief's contract, sent by app/jobs/backfill.ts): customers in Shopify's
   * export once it is known, and whether a cancel is waiting for the current batch to end. */
  total?: number | null;
  cancelRequested?: boolean;
}

/** GET /api/backfill; `run` is null when no initial sync was ever started. */
export interface BackfillState {
  run: BackfillRun | null;
}

/** POST /api/backfill and POST /api/backfill/cancel. */
export interface BackfillRunResult {
  run: BackfillRun;
}

export interface ReconcileRun {
  checked: number;
  repaired: number;
  at: string;
}

/** GET and PUT /api/reconcile. */
export interface ReconcileSettings {
  intervalMinutes: number;
  lastRunAt: string | null;
  nextRunAt: string | null;
  lastRun: ReconcileRun | null;
}

/** POST /api/reconcile/run. */
export interface ReconcileRunResult {
  lastRun: ReconcileRun;
}

export type WebhookSubscriptionStatus = 'active' | 'missing' | 'failing';
export type WebhookSubscriptionFilter = 'all' | 'missing' | 'failing';

export interface WebhookSubscription {
  /** null (or absent) for a topic the app needs but Shopify has no subscription for. */
  id: Id | null;
  topic: string;
  address: string | null;
  apiVersion: string | null;
  status: WebhookSubscriptionStatus;
  createdAt: string | null;
  lastDeliveryAt: string | null;
}

export interface WebhookDelivery {
  receivedAt: string;
  topic: string;
}

/** GET /api/webhook-subscriptions/:id */
export interface WebhookSubscriptionDetail extends WebhookSubscription {
  format: string | null;
  filter: string | null;
  includeFields: string[] | null;
  recentDeliveries: WebhookDelivery[];
}

/** POST /api/webhook-subscriptions/register */
export interface WebhookRegisterResult {
  items: WebhookSubscription[];
}
