// Health of this app's shop-scoped Shopify webhook subscriptions, as a pure
// function of what the Admin API lists and the address the app expects.
// Topics: the app's slash form (customers_marketing_consent/update) for display,
// Shopify's enum form (CUSTOMERS_MARKETING_CONSENT_UPDATE) in GraphQL.

/** The subscriptions the sync needs, delivered to `${appUrl}/webhooks`. */
export const EXPECTED_WEBHOOK_TOPICS = [
  'customers_email_marketing_consent/update',
  'customers_marketing_consent/update',
  'app/uninstalled',
] as const;

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

const sameAddress = (a: string | null, b: string) => a !== null && a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/**
 * Every listed subscription, `active` when it delivers to the expected address and
 * `failing` when it delivers elsewhere; then one `missing` row per expected topic
 * that no subscription delivers to the expected address.
 */
export function subscriptionHealth(listed: ListedSubscription[], expectedAddress: string): SubscriptionHealth[] {
  const rows: SubscriptionHealth[] = listed.map((s) => ({
    id: s.id,
    topic: topicFromEnum(s.topic),
    address: s.address,
    apiVersion: s.apiVersion,
    status: sameAddress(s.address, expectedAddress) ? 'active' : 'failing',
    createdAt: s.createdAt,
  }));
  for (const topic of EXPECTED_WEBHOOK_TOPICS) {
    if (rows.some((r) => r.topic === topic && r.status === 'active')) continue;
    rows.push({ id: `missing:${topic}`, topic, address: expectedAddress, apiVersion: null, status: 'missing', createdAt: null });
  }
  return rows;
}

/** The expected topics that need a subscription created. */
export function missingTopics(health: SubscriptionHealth[]): string[] {
  return health.filter((h) => h.status === 'missing').map((h) => h.topic);
}
