// Webhook health. Per topic (webhookHealth): built on the app's own receipt records, because
// the topics declared in shopify.app.toml cannot be listed through the Admin API. Per
// API-registered subscription (the rest): what the Admin API lists, for apps that register
// through the API; re-register and delete act on those only.
import type { ShopifyAdminClient, WebhookSubscription } from '../adapters/index.js';
import {
  APP_CONFIG_TOPICS,
  EXPECTED_WEBHOOK_TOPICS,
  WEBHOOK_MONITORING_URL,
  missingTopics,
  subscriptionHealth,
  topicHealth,
  topicFromEnum,
  topicToEnum,
  type SubscriptionStatus,
} from '../core/webhook-subscriptions.js';
import type { DataLayer } from '../db/index.js';
import { NotFoundError } from '../errors.js';

/** At most this many pages of 25 subscriptions are read for this view. */
const MAX_PAGES = 40;
const RECENT_DELIVERIES = 5;

const NOTE =
  'Lists the subscriptions registered through the Admin API for this store. ' +
  'Topics declared in shopify.app.toml (this app declares its consent and compliance topics there) ' +
  'are not listed here; their health is whether deliveries arrive.';

interface HealthDeps {
  data: Pick<DataLayer, 'events'>;
  adminClientFor(shopId: string): Promise<ShopifyAdminClient>;
  /** Where Shopify should deliver: the app's /webhooks URL. */
  expectedAddress: string;
  /** Topics the app registers through the Admin API rather than shopify.app.toml. */
  viaApi: readonly string[];
  quietAfterHours: number;
  now?: () => Date;
}

async function listAll(client: ShopifyAdminClient): Promise<WebhookSubscription[]> {
  const all: WebhookSubscription[] = [];
  let after: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    // A store has a handful: small pages keep each call cheap in cost points.
    const result = await client.webhookSubscriptions(after, 25);
    all.push(...result.subscriptions);
    if (!result.hasNextPage || !result.endCursor) break;
    after = result.endCursor;
  }
  return all;
}

async function health(deps: HealthDeps, shopId: string, client: ShopifyAdminClient) {
  const listed = await listAll(client);
  const rows = subscriptionHealth(listed, deps.expectedAddress, deps.viaApi);
  const deliveries = await deps.data.events.lastDeliveries(shopId, rows.map((r) => r.topic));
  return { listed, rows: rows.map((r) => ({ ...r, lastDeliveryAt: deliveries.get(r.topic)?.toISOString() ?? null })) };
}

/** Per-topic health from the app's receipt records; the Admin API is asked only when some topic is API-registered. */
export async function webhookHealth(deps: HealthDeps, shopId: string) {
  const declared = EXPECTED_WEBHOOK_TOPICS.filter((t) => !deps.viaApi.includes(t));
  const activeApiTopics = new Set<string>();
  if (deps.viaApi.length > 0) {
    const listed = await listAll(await deps.adminClientFor(shopId));
    for (const r of subscriptionHealth(listed, deps.expectedAddress)) if (r.status === 'active') activeApiTopics.add(r.topic);
  }
  const topics = [...declared, ...deps.viaApi];
  const lastDeliveries = await deps.data.events.lastDeliveries(shopId, topics);
  const rows = topicHealth({
    declared,
    viaApi: deps.viaApi,
    activeApiTopics,
    lastDeliveries,
    now: (deps.now ?? (() => new Date()))(),
    quietAfterHours: deps.quietAfterHours,
  });
  return {
    topics: rows.map((r) => ({ ...r, lastDeliveryAt: r.lastDeliveryAt?.toISOString() ?? null })),
    quietAfterHours: deps.quietAfterHours,
    monitoringUrl: WEBHOOK_MONITORING_URL,
    apiRegistration: deps.viaApi.length > 0,
  };
}

export type WebhookFilter = 'all' | 'missing' | 'failing';

export async function listWebhookSubscriptions(deps: HealthDeps, shopId: string, q: { filter: WebhookFilter; page: number; pageSize: number }) {
  const { rows } = await health(deps, shopId, await deps.adminClientFor(shopId));
  const matching = q.filter === 'all' ? rows : rows.filter((r) => r.status === (q.filter as SubscriptionStatus));
  return {
    items: matching.slice((q.page - 1) * q.pageSize, q.page * q.pageSize),
    page: q.page,
    pageSize: q.pageSize,
    total: matching.length,
    expectedAddress: deps.expectedAddress,
    managedByAppConfig: APP_CONFIG_TOPICS.map((topic) => ({ topic, address: deps.expectedAddress, status: 'managed by app config' })),
    note: NOTE,
  };
}

/** Creates a subscription for every expected topic that has none. */
export async function registerMissingSubscriptions(deps: HealthDeps, shopId: string) {
  const client = await deps.adminClientFor(shopId);
  const before = await health(deps, shopId, client);
  const created: WebhookSubscription[] = [];
  for (const topic of missingTopics(before.rows)) {
    created.push(await client.createWebhookSubscription(topicToEnum(topic), deps.expectedAddress));
  }
  const after = await health(deps, shopId, client);
  const createdIds = new Set(created.map((c) => c.id));
  return { items: after.rows.filter((r) => createdIds.has(r.id)), created: created.length, subscriptions: after.rows };
}

const GONE = 'No webhook subscription with this id (it may have been deleted).';

export async function webhookSubscriptionDetail(deps: HealthDeps, shopId: string, id: string) {
  const { listed, rows } = await health(deps, shopId, await deps.adminClientFor(shopId));
  const row = rows.find((r) => r.id === id);
  if (!row) throw new NotFoundError(GONE);
  const sub = listed.find((s) => s.id === id);
  const recent = await deps.data.events.recentDeliveries(shopId, row.topic, RECENT_DELIVERIES);
  return {
    ...row,
    format: sub?.format ?? null,
    filter: sub?.filter ?? null,
    includeFields: sub?.includeFields ?? [],
    endpointType: sub?.endpointType ?? null,
    recentDeliveries: recent.map((d) => ({ receivedAt: d.receivedAt.toISOString(), topic: d.topic })),
  };
}

export async function deleteWebhookSubscription(deps: HealthDeps, shopId: string, id: string) {
  if (!/^gid:\/\/shopify\/WebhookSubscription\/\d+$/.test(id)) throw new NotFoundError('Only subscriptions that exist in Shopify can be deleted.');
  const client = await deps.adminClientFor(shopId);
  const sub = (await listAll(client)).find((s) => s.id === id);
  if (!sub) throw new NotFoundError(GONE);
  const deletedId = await client.deleteWebhookSubscription(id);
  return { ok: true, deletedId, topic: topicFromEnum(sub.topic) };
}
