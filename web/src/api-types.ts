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
