// POST /webhooks: every Shopify topic. HMAC over the raw body through the
// library; then the transport-independent ingest.
import express, { Router } from 'express';
import { validateWebhook } from '../../adapters/index.js';
import type { AppContext } from '../../context.js';
import { ingestShopifyWebhook } from '../../sync/index.js';
import type { InboundGuards } from '../rejection-log.js';

export const WEBHOOK_BODY_LIMIT = '256kb';

export function webhooksRouter(ctx: AppContext, { rejections, perClient }: InboundGuards): Router {
  const router = Router();
  router.post('/webhooks', perClient, express.text({ type: () => true, limit: WEBHOOK_BODY_LIMIT }), async (req, res) => {
    const rawBody = typeof req.body === 'string' ? req.body : '';
    if (rawBody.includes('\u0000')) {
      rejections.record('webhook 400', { status: 400, reason: 'NUL character in the body' });
      res.status(400).json({ error: 'the body contains a NUL character' });
      return;
    }
    const check = await validateWebhook(ctx.shopify, rawBody, req, res);
    if (!check.valid) {
      rejections.record(`webhook ${check.reason}`, { status: check.reason.endsWith('hmac') ? 401 : 400, reason: check.reason });
      if (check.reason === 'invalid_hmac' || check.reason === 'missing_hmac') {
        res.status(401).json({ error: 'invalid HMAC signature' });
      } else if ('missingHeaders' in check) {
        res.status(400).json({ error: `missing headers: ${check.missingHeaders.join(', ')}` });
      } else {
        res.status(400).json({ error: 'empty body' });
      }
      return;
    }
    const outcome = await ingestShopifyWebhook(ctx.data, {
      shop: check.domain,
      // The library reports the enum form (CUSTOMERS_REDACT); the header has Shopify's topic name.
      topic: req.get('x-shopify-topic') ?? check.topic,
      webhookId: check.webhookId,
      triggeredAt: req.get('x-shopify-triggered-at') ?? undefined,
      rawBody,
    });
    if (outcome.status === 'rejected') {
      rejections.record(`webhook ${outcome.httpStatus}`, { status: outcome.httpStatus, shop: check.domain, topic: check.topic, reason: outcome.message });
      res.status(outcome.httpStatus).json({ error: outcome.message });
      return;
    }
    if (outcome.status === 'accepted') ctx.wakeWorker();
    res.status(200).json({ status: outcome.status });
  });
  return router;
}
