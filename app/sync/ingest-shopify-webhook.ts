// Shopify -> app, after the HMAC was verified: validate, deduplicate on the
// webhook id, store event + job. Transport-independent: HTTPS, Pub/Sub or
// EventBridge deliveries can all call it.
import type { PrismaClient } from '../db/database.js';
import { COMPLIANCE_TOPICS, isKnownTopic, parseWebhookBody } from '../adapters/shopify/index.js';
import { storeEventWithJob } from './store-event.js';

export type IngestOutcome =
  | { httpStatus: 200; status: 'accepted' | 'duplicate' | 'nothing_stored'; eventId?: string }
  | { httpStatus: 400 | 404; status: 'rejected'; message: string };

export async function ingestShopifyWebhook(
  prisma: PrismaClient,
  delivery: { shop: string; topic: string; webhookId: string; triggeredAt?: string; rawBody: string },
  now: Date = new Date(),
): Promise<IngestOutcome> {
  const { shop, topic } = delivery;
  if (!isKnownTopic(topic)) return { httpStatus: 400, status: 'rejected', message: `unsupported topic ${topic}` };
  const parsed = parseWebhookBody(topic, delivery.rawBody);
  if (!parsed.ok) return { httpStatus: 400, status: 'rejected', message: parsed.message };

  const known = await prisma.shop.findUnique({ where: { id: shop }, select: { id: true } });
  if (!known) {
    // Nothing is stored about a shop the app does not know, so a compliance request is already satisfied.
    if ((COMPLIANCE_TOPICS as readonly string[]).includes(topic)) return { httpStatus: 200, status: 'nothing_stored' };
    return { httpStatus: 404, status: 'rejected', message: `unknown shop ${shop}: the app is not installed there` };
  }

  const triggeredAt = delivery.triggeredAt && !Number.isNaN(Date.parse(delivery.triggeredAt)) ? delivery.triggeredAt : undefined;
  const stored = await storeEventWithJob(prisma, {
    shopId: shop,
    source: 'shopify',
    topic,
    dedupeKey: delivery.webhookId,
    payload: delivery.rawBody,
    jobKind: 'shopify-webhook',
    jobPayload: { topic, triggeredAt },
    receivedAt: now,
  });
  return stored.status === 'accepted'
    ? { httpStatus: 200, status: 'accepted', eventId: stored.eventId }
    : { httpStatus: 200, status: 'duplicate' };
}
