// Health of the app's own Shopify webhook subscriptions (shop-scoped, as the
// Admin API lists them), with the last delivery the app stored per topic.
import type { ShopifyAdminClient, WebhookSubscription } from '../adapters/index.js';
import {
  APP_CONFIG_TOPICS,
  missingTopics,
  subscriptionHealth,
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
  'Lists the subscriptions the app created through the Admin API for this store. ' +
  'Compliance topics are set in the app configuration and cannot be listed here; ' +
  'neither can subscriptions declared in shopify.app.toml.';

interface HealthDeps {
  data: Pick<DataLayer, 'events'>;
  adminClientFor(shopId: string): Promise<ShopifyAdminClient>;
  /** Where Shopify should deliver: the app's /webhooks URL. */
  expectedAddress: string;
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
  const rows = subscriptionHealth(listed, deps.expectedAddress);
  const deliveries = await deps.data.events.lastDeliveries(shopId, rows.map((r) => r.topic));
  return { listed, rows: rows.map((r) => ({ ...r, lastDeliveryAt: deliveries.get(r.topic)?.toISOString() ?? null })) };
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
