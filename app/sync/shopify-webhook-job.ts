// Runs one stored Shopify delivery.
import { z } from 'zod';
import { normalizeEmail, normalizePhone } from '../core/identity.js';
import { PermanentError } from '../errors.js';
import type { Job } from '../queue/job-queue.js';
import type { JobHandler } from '../queue/worker.js';
import { consentPayloadOf, isKnownTopic, parseWebhookBody, type ShopifyPayload } from '../adapters/shopify/index.js';
import { handleCustomerRedact, handleDataRequest, handleShopRedact, handleUninstalled } from './compliance.js';
import { syncShopifyConsent } from './sync-shopify-consent.js';
import type { SyncDeps } from './sync-deps.js';

const jobPayload = z.object({ eventId: z.string(), topic: z.string(), triggeredAt: z.string().optional() });

export function createShopifyWebhookHandler(deps: SyncDeps): JobHandler {
  const { prisma } = deps;
  return async (job: Job) => {
    const { eventId, topic, triggeredAt } = jobPayload.parse(JSON.parse(job.payload));
    const event = await prisma.inboundEvent.findUnique({ where: { id: eventId } });
    const shop = await prisma.shop.findUnique({ where: { id: job.shopId } });
    if (!event || !shop) return; // erased by a redact request since: nothing left to do
    if (!isKnownTopic(topic)) throw new PermanentError('unknown_topic', `Unsupported topic ${topic}`);
    const parsed = parseWebhookBody(topic, event.payload);
    if (!parsed.ok) throw new PermanentError('invalid_payload', parsed.message);

    switch (topic) {
      case 'customers_email_marketing_consent/update':
      case 'customers_marketing_consent/update': {
        const p = consentPayloadOf(topic, parsed.body);
        if (!p) return;
        const at = p.consentUpdatedAt ?? triggeredAt ?? null;
        await syncShopifyConsent(
          deps,
          shop,
          {
            origin: 'webhook',
            channel: p.channel,
            customerId: p.customerId,
            identity: p.channel === 'email' ? normalizeEmail(p.address) : normalizePhone(p.address),
            state: p.state,
            at: at ? new Date(at) : null,
          },
          { jobId: job.id, eventId },
        );
        return;
      }
      case 'app/uninstalled':
        return handleUninstalled(prisma, shop.id, deps.now());
      case 'customers/redact':
        return handleCustomerRedact(prisma, shop.id, (parsed.body as ShopifyPayload<'customers/redact'>).customer, eventId);
      case 'customers/data_request':
        return handleDataRequest(prisma, shop.id, (parsed.body as ShopifyPayload<'customers/data_request'>).customer, deps.now());
      case 'shop/redact':
        return handleShopRedact(prisma, shop.id);
    }
  };
}
