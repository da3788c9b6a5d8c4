// Health of the app's own Shopify webhook subscriptions (shop-scoped, as the Admin API lists them):
// GET /api/webhook-subscriptions, GET and DELETE /api/webhook-subscriptions/:id,
// POST /api/webhook-subscriptions/register.
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import type { ShopifyAdminClient, WebhookSubscription } from '../../adapters/shopify/index.js';
import {
  APP_CONFIG_TOPICS,
  expectedWebhookAddress,
  missingTopics,
  subscriptionHealth,
  topicFromEnum,
  topicToEnum,
  type SubscriptionHealth,
} from '../../core/webhook-subscriptions.js';
import { sendShopifyError } from '../shopify-error.js';

const listQuery = z.object({
  filter: z.enum(['all', 'missing', 'failing']).default('all'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
});

/** At most this many pages of 25 subscriptions are read for this view. */
const MAX_PAGES = 40;
const RECENT_DELIVERIES = 5;

const NOTE =
  'Lists the subscriptions the app created through the Admin API for this store. ' +
  'Compliance topics are set in the app configuration and cannot be listed here; ' +
  'neither can subscriptions declared in shopify.app.toml.';

export function webhookSubscriptionsRouter(ctx: AppContext): Router {
  const router = Router();
  const { prisma } = ctx;
  const expected = expectedWebhookAddress(ctx.config.shopify.appUrl);

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

  /** The newest delivery the app stored for each topic, for this shop. (One indexed query per topic:
   * an aggregate of dates is not read back reliably through the SQLite adapter.) */
  async function lastDeliveries(shopId: string, topics: string[]): Promise<Map<string, string>> {
    const newest = await Promise.all(
      [...new Set(topics)].map(async (topic) => {
        const event = await prisma.inboundEvent.findFirst({
          where: { shopId, source: 'shopify', topic },
          orderBy: { receivedAt: 'desc' },
          select: { receivedAt: true },
        });
        return [topic, event?.receivedAt.toISOString() ?? null] as const;
      }),
    );
    return new Map(newest.filter((e): e is readonly [string, string] => e[1] !== null));
  }

  async function health(shopId: string, client: ShopifyAdminClient) {
    const listed = await listAll(client);
    const rows = subscriptionHealth(listed, expected);
    const deliveries = await lastDeliveries(shopId, rows.map((r) => r.topic));
    return { listed, rows: rows.map((r) => ({ ...r, lastDeliveryAt: deliveries.get(r.topic) ?? null })) };
  }

  const managedByAppConfig = APP_CONFIG_TOPICS.map((topic) => ({ topic, address: expected, status: 'managed by app config' }));

  /** Runs a handler that calls Shopify; Shopify's failures become clear answers. */
  const withShopify =
    (fn: (shopId: string, client: ShopifyAdminClient, res: Response, params: Record<string, string>, query: unknown) => Promise<void>) =>
    async (req: { params: Record<string, string>; query: unknown }, res: Response) => {
      try {
        const client = await ctx.adminClientFor(res.locals.shopId);
        await fn(res.locals.shopId, client, res, req.params, req.query);
      } catch (e) {
        if (!sendShopifyError(res, e)) throw e;
      }
    };

  router.get(
    '/webhook-subscriptions',
    withShopify(async (shopId, client, res, _params, query) => {
      const q = listQuery.safeParse(query);
      if (!q.success) {
        res.status(400).json({ error: 'Invalid query.', fieldErrors: Object.fromEntries(q.error.issues.map((i) => [i.path.join('.'), i.message])) });
        return;
      }
      const { filter, page, pageSize } = q.data;
      const { rows } = await health(shopId, client);
      const matching = filter === 'all' ? rows : rows.filter((r) => r.status === filter);
      res.json({
        items: matching.slice((page - 1) * pageSize, page * pageSize),
        page,
        pageSize,
        total: matching.length,
        expectedAddress: expected,
        managedByAppConfig,
        note: NOTE,
      });
    }),
  );

  router.post(
    '/webhook-subscriptions/register',
    withShopify(async (shopId, client, res) => {
      const before = await health(shopId, client);
      const created: WebhookSubscription[] = [];
      for (const topic of missingTopics(before.rows)) {
        created.push(await client.createWebhookSubscription(topicToEnum(topic), expected));
      }
      const after = await health(shopId, client);
      const createdIds = new Set(created.map((c) => c.id));
      res.json({
        items: after.rows.filter((r) => createdIds.has(r.id)),
        created: created.length,
        subscriptions: after.rows,
      });
    }),
  );

  router.get(
    '/webhook-subscriptions/:id',
    withShopify(async (shopId, client, res, params) => {
      const id = params.id ?? '';
      const { listed, rows } = await health(shopId, client);
      const row = rows.find((r) => r.id === id);
      if (!row) {
        res.status(404).json({ error: 'No webhook subscription with this id (it may have been deleted).' });
        return;
      }
      const sub = listed.find((s) => s.id === id);
      const recent = await prisma.inboundEvent.findMany({
        where: { shopId, source: 'shopify', topic: row.topic },
        orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
        take: RECENT_DELIVERIES,
        select: { receivedAt: true, topic: true },
      });
      res.json({
        ...row,
        format: sub?.format ?? null,
        filter: sub?.filter ?? null,
        includeFields: sub?.includeFields ?? [],
        endpointType: sub?.endpointType ?? null,
        recentDeliveries: recent.map((d) => ({ receivedAt: d.receivedAt.toISOString(), topic: d.topic })),
      });
    }),
  );

  router.delete(
    '/webhook-subscriptions/:id',
    withShopify(async (_shopId, client, res, params) => {
      const id = params.id ?? '';
      if (!/^gid:\/\/shopify\/WebhookSubscription\/\d+$/.test(id)) {
        res.status(404).json({ error: 'Only subscriptions that exist in Shopify can be deleted.' });
        return;
      }
      const listed = await listAll(client);
      const sub = listed.find((s) => s.id === id);
      if (!sub) {
        res.status(404).json({ error: 'No webhook subscription with this id (it may have been deleted).' });
        return;
      }
      const deletedId = await client.deleteWebhookSubscription(id);
      res.json({ ok: true, deletedId, topic: topicFromEnum(sub.topic) });
    }),
  );

  return router;
}

export type { SubscriptionHealth };
