// Shopify -> app, after the HMAC was verified: validate the body for its topic,
// normalise it into the job's payload, deduplicate on the webhook id, store the
// raw body and the job in one transaction. Transport-independent: HTTPS,
// Pub/Sub or EventBridge deliveries can all call it.
import {
  COMPLIANCE_TOPICS,
  consentPayloadOf,
  isKnownTopic,
  otherTopicOf,
  parseWebhookBody,
  shopOfBody,
  type KnownTopic,
  type ShopifyPayload,
} from '../adapters/index.js';
import { normalizeEmail, normalizePhone } from '../core/identity.js';
import type { DataLayer } from '../db/index.js';
import { JOB_KINDS, type ShopifyWebhookJobInput } from './job-payloads.js';

export type IngestOutcome =
  | { httpStatus: 200; status: 'accepted' | 'duplicate' | 'nothing_stored'; eventId?: string }
  | { httpStatus: 400 | 401 | 404; status: 'rejected'; message: string };

export interface ShopifyDelivery {
  shop: string;
  topic: string;
  webhookId: string;
  triggeredAt?: string;
  rawBody: string;
}

export async function ingestShopifyWebhook(
  data: Pick<DataLayer, 'shops' | 'events'>,
  delivery: ShopifyDelivery,
  now: Date = new Date(),
): Promise<IngestOutcome> {
  const { shop, topic } = delivery;
  if (!isKnownTopic(topic)) return { httpStatus: 400, status: 'rejected', message: `unsupported topic ${topic.slice(0, 64)}` };
  const parsed = parseWebhookBody(topic, delivery.rawBody);
  if (!parsed.ok) {
    // Signed for another topic (the HMAC covers the body, not X-Shopify-Topic): not authentic for this one.
    if (otherTopicOf(topic, delivery.rawBody)) return { httpStatus: 401, status: 'rejected', message: `the signed body is not a ${topic} body` };
    return { httpStatus: 400, status: 'rejected', message: parsed.message };
  }
  // The HMAC covers the body only: a body naming another shop was signed for that shop, not this one.
  const named = shopOfBody(parsed.body);
  if (named !== null && named !== shop.toLowerCase()) {
    return { httpStatus: 401, status: 'rejected', message: 'the signed body names another shop than X-Shopify-Shop-Domain' };
  }

  if (!(await data.shops.exists(shop))) {
    // Nothing is stored about a shop the app does not know, so a compliance request is already satisfied.
    if ((COMPLIANCE_TOPICS as readonly string[]).includes(topic)) return { httpStatus: 200, status: 'nothing_stored' };
    return { httpStatus: 404, status: 'rejected', message: `unknown shop ${shop.slice(0, 255)}: the app is not installed there` };
  }

  const triggeredAt = delivery.triggeredAt && !Number.isNaN(Date.parse(delivery.triggeredAt)) ? delivery.triggeredAt : undefined;
  const stored = await data.events.storeWithJob({
    shopId: shop,
    source: 'shopify',
    topic,
    dedupeKey: delivery.webhookId,
    payload: delivery.rawBody,
    jobKind: JOB_KINDS.shopifyWebhook,
    jobPayload: (eventId) => jobPayloadOf(eventId, topic, parsed.body, triggeredAt),
    receivedAt: now,
  });
  return stored.status === 'accepted'
    ? { httpStatus: 200, status: 'accepted', eventId: stored.eventId }
    : { httpStatus: 200, status: 'duplicate' };
}

/** The delivery as the job needs it: a consent event, the customer of a compliance request, or just the topic. */
function jobPayloadOf(eventId: string, topic: KnownTopic, body: unknown, triggeredAt: string | undefined): ShopifyWebhookJobInput {
  switch (topic) {
    case 'customers_email_marketing_consent/update':
    case 'customers_marketing_consent/update': {
      const p = consentPayloadOf(topic, body)!;
      const at = p.consentUpdatedAt ?? triggeredAt ?? null;
      const consent = {
        origin: 'webhook' as const,
        channel: p.channel,
        customerId: p.customerId,
        identity: p.channel === 'email' ? normalizeEmail(p.address) : normalizePhone(p.address),
        state: p.state,
        at: at ? new Date(at).toISOString() : null,
        optInLevel: p.optInLevel,
      };
      return { eventId, topic, consent };
    }
    case 'customers/redact':
    case 'customers/data_request':
      return { eventId, topic, customer: (body as ShopifyPayload<typeof topic>).customer };
    case 'shop/redact':
    case 'app/uninstalled':
      return { eventId, topic };
    case 'app/scopes_update':
      return { eventId, topic, current: (body as ShopifyPayload<typeof topic>).current };
  }
}
