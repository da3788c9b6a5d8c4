// Health of the app's own Shopify webhook subscriptions: GET /api/webhook-subscriptions,
// GET and DELETE /api/webhook-subscriptions/:id, POST /api/webhook-subscriptions/register.
import { Router } from 'express';
import { webhookSubscriptionsQuery } from '../../api-contract/index.js';
import type { AppContext } from '../../context.js';
import { expectedWebhookAddress } from '../../core/webhook-subscriptions.js';
import {
  deleteWebhookSubscription,
  listWebhookSubscriptions,
  registerMissingSubscriptions,
  webhookHealth,
  webhookSubscriptionDetail,
} from '../../sync/index.js';
import { parseInput } from '../parse-input.js';

export function webhookSubscriptionsRouter(ctx: AppContext): Router {
  const router = Router();
  const deps = {
    data: ctx.data,
    adminClientFor: ctx.adminClientFor,
    expectedAddress: expectedWebhookAddress(ctx.config.shopify.appUrl),
    viaApi: ctx.config.webhooks.viaApi,
    quietAfterHours: ctx.config.webhooks.quietAfterHours,
  };
  router.get('/webhook-health', async (_req, res) => void res.json(await webhookHealth(deps, res.locals.shopId)));
  router.get('/webhook-subscriptions', async (req, res) => {
    res.json(await listWebhookSubscriptions(deps, res.locals.shopId, parseInput(webhookSubscriptionsQuery, req.query)));
  });
  router.post('/webhook-subscriptions/register', async (_req, res) => void res.json(await registerMissingSubscriptions(deps, res.locals.shopId)));
  router.get('/webhook-subscriptions/:id', async (req, res) => {
    res.json(await webhookSubscriptionDetail(deps, res.locals.shopId, req.params.id));
  });
  router.delete('/webhook-subscriptions/:id', async (req, res) => {
    res.json(await deleteWebhookSubscription(deps, res.locals.shopId, req.params.id));
  });
  return router;
}
