// Health of this app's shop-scoped Shopify webhook subscriptions, as a pure
// function of what the Admin API lists and the address the app expects.
// Topics: the app's slash form (customers_marketing_consent/update) for display,
// Shopify's enum form (CUSTOMERS_MARKETING_CONSENT_UPDATE) in GraphQL.

/**
 * The topics the sync needs, delivered to `${appUrl}/webhooks`. They are declared in shopify.app.toml
 * (app-specific subscriptions): Shopify delivers them without any Admin API subscription, and the Admin
 * API's `webhookSubscriptions` does not list them (test/unit/webhook-health.test.ts keeps the two equal).
 */
export const EXPECTED_WEBHOOK_TOPICS = [
  'customers_email_marketing_consent/update',
  'customers_marketing_consent/update',
  'app/uninstalled',
] as const;

/**
 * Declared in shopify.app.toml too, but not health-checked: Shopify sends it only when a
 * merchant changes the app's access, so "no delivery" says nothing.
 */
export const RARE_WEBHOOK_TOPICS = ['app/scopes_update'] as const;

/** Mandatory privacy topics: set in the app configuration only; the Admin API cannot list them. */
export const APP_CONFIG_TOPICS = ['customers/data_request', 'customers/redact', 'shop/redact'] as const;

const ENUM_TO_TOPIC: Record<string, string> = Object.fromEntries(
  [...EXPECTED_WEBHOOK_TOPICS, ...APP_CONFIG_TOPICS, 'customers/create', 'customers/update', 'customers/delete'].map((t) => [
    topicToEnum(t),
    t,
  ]),
);

/** customers_email_marketing_consent/update -> CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE */
export function topicToEnum(topic: string): string {
  return topic.replace('/', '_').toUpperCase();
}

/** CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE -> customers_email_marketing_consent/update (unknown ones: the last _ becomes /). */
export function topicFromEnum(value: string): string {
  const known = ENUM_TO_TOPIC[value];
  if (known) return known;
  const lower = value.toLowerCase();
  const cut = lower.lastIndexOf('_');
  return cut > 0 ? `${lower.slice(0, cut)}/${lower.slice(cut + 1)}` : lower;
}

export function expectedWebhookAddress(appUrl: string): string {
  return `${appUrl.replace(/\/+$/, '')}/webhooks`;
}

export type SubscriptionStatus = 'active' | 'missing' | 'failing';

export interface ListedSubscription {
  id: string;
  /** Enum form. */
  topic: string;
  address: string | null;
  apiVersion: string | null;
  createdAt: string | null;
}

export interface SubscriptionHealth {
  /** The Shopify gid, or `missing:<topic>` for an expected subscription Shopify does not have. */
  id: string;
  /** Slash form. */
  topic: string;
  address: string | null;
  apiVersion: string | null;
  status: SubscriptionStatus;
  createdAt: string | null;
}

/** A topic is "quiet" after this many hours without a delivery (consent changes can be rare). */
export const DEFAULT_QUIET_AFTER_HOURS = 24;

/** Where a merchant or developer sees what Shopify itself could not deliver. */
export const WEBHOOK_MONITORING_URL = 'https://dev.shopify.com/dashboard';

/** What each topic carries, in merchant words. */
export const TOPIC_LABELS: Record<string, string> = {
  'customers_email_marketing_consent/update': 'Email consent changes',
  'customers_marketing_consent/update': 'SMS consent changes',
  'app/uninstalled': 'App uninstalled',
  'app/scopes_update': 'App access changes',
  'customers/data_request': 'Customer data requests',
  'customers/redact': 'Customer erasure requests',
  'shop/redact': 'Shop erasure requests',
};

export type TopicState = 'receiving' | 'quiet' | 'never' | 'missing';
export type TopicSource = 'app_config' | 'api';

export interface TopicHealth {
  topic: string;
  label: string;
  /** app_config: declared in shopify.app.toml; api: the app registers it through the Admin API. */
  source: TopicSource;
  state: TopicState;
  lastDeliveryAt: Date | null;
  /** Whole hours since the last delivery (null without one). */
  hoursSinceDelivery: number | null;
}

export interface TopicHealthInput {
  /** Topics declared in shopify.app.toml. */
  declared: readonly string[];
  /** Topics the app registers through the Admin API (a deployment without them in the toml). */
  viaApi: readonly string[];
  /** Slash-form topics Shopify lists as delivering to the app's address (API-registered). */
  activeApiTopics: ReadonlySet<string>;
  lastDeliveries: ReadonlyMap<string, Date>;
  now: Date;
  quietAfterHours: number;
}

/**
 * Health per topic from what is true: the app's own receipt records. `missing` only where an
 * API-registered subscription is expected and Shopify does not list it: a toml-declared topic cannot
 * be listed, so its health is whether deliveries arrive.
 */
export function topicHealth(input: TopicHealthInput): TopicHealth[] {
  const topics = [...new Set([...input.declared, ...input.viaApi])];
  return topics.map((topic) => {
    const last = input.lastDeliveries.get(topic) ?? null;
    const hours = last ? Math.max(0, Math.floor((input.now.getTime() - last.getTime()) / 3_600_000)) : null;
    const source: TopicSource = input.declared.includes(topic) ? 'app_config' : 'api';
    let state: TopicState;
    if (source === 'api' && !input.activeApiTopics.has(topic)) state = 'missing';
    else if (last === null) state = 'never';
    else state = hours !== null && hours >= input.quietAfterHours ? 'quiet' : 'receiving';
    return { topic, label: TOPIC_LABELS[topic] ?? topic, source, state, lastDeliveryAt: last, hoursSinceDelivery: hours };
  });
}

const sameAddress = (a: string | null, b: string) => a !== null && a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/**
 * Every listed subscription, `active` when it delivers to the expected address and
 * `failing` when it delivers elsewhere; then one `missing` row per topic expected to be
 * registered through the API (`viaApi`) that no subscription delivers to the expected address.
 */
export function subscriptionHealth(
  listed: ListedSubscription[],
  expectedAddress: string,
  viaApi: readonly string[] = [],
): SubscriptionHealth[] {
  const rows: SubscriptionHealth[] = listed.map((s) => ({
    id: s.id,
    topic: topicFromEnum(s.topic),
    address: s.address,
    apiVersion: s.apiVersion,
    status: sameAddress(s.address, expectedAddress) ? 'active' : 'failing',
    createdAt: s.createdAt,
  }));
  for (const topic of viaApi) {
    if (rows.some((r) => r.topic === topic && r.status === 'active')) continue;
    rows.push({ id: `missing:${topic}`, topic, address: expectedAddress, apiVersion: null, status: 'missing', createdAt: null });
  }
  return rows;
}

/** The expected topics that need a subscription created. */
export function missingTopics(health: SubscriptionHealth[]): string[] {
  return health.filter((h) => h.status === 'missing').map((h) => h.topic);
}
