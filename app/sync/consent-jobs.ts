// The jobs of the two live flows. Each reads its normalised payload (stored by
// ingest) and hands it to one use case; a job whose event a redact request
// erased since has nothing left to do.
import type { ShopifyConsentEvent } from '../core/types.js';
import type { Job, JobHandler, JobResult } from '../queue/index.js';
import { handleCustomerRedact, handleDataRequest, handleShopRedact, handleUninstalled } from './compliance.js';
import { syncConsent } from './consent-sync.js';
import { runInUnit, withConsentUnit } from './consent-job-unit.js';
import { handleScopesUpdate } from './scopes-update.js';
import type { SyncDeps } from './deps.js';
import { edroneEventJob, readPayload, shopifyWebhookJob } from './job-payloads.js';

/** The job failed before (an automatic retry, or a retry from Failures, which keeps the last error). */
function wasRetried(job: Job): boolean {
  return job.attempts > 1 || job.lastError !== null;
}

/**
 * A Shopify consent change, the worker's hot path: under the customer's lock, ONE read
 * (event present, shop, consent row) and ONE write transaction (consent row, Activity,
 * history, job done). A failure stores what was decided so far, as separate saves would
 * have, and the worker records the failure.
 */
async function syncShopifyConsent(deps: SyncDeps, job: Job, eventId: string, event: ShopifyConsentEvent): Promise<JobResult> {
  return withConsentUnit(deps, job.shopId, event, eventId, async (read, unit): Promise<JobResult> => {
    if (!read.eventPresent || !read.shop) return; // erased by a redact request since: nothing left to do
    const shop = read.shop;
    await runInUnit(unit, job, (unitDeps) =>
      syncConsent(unitDeps, shop, { side: 'shopify', event }, { jobId: job.id, eventId, reportId: eventId, retried: wasRetried(job) }),
    );
    return { completed: true };
  });
}

/** 'shopify-webhook': a consent change to send to edrone, a compliance request, or the uninstall. */
export function createShopifyWebhookHandler(deps: SyncDeps): JobHandler {
  const { data } = deps;
  return async (job: Job) => {
    const p = readPayload(shopifyWebhookJob, job.payload);
    if (p.topic === 'customers_email_marketing_consent/update' || p.topic === 'customers_marketing_consent/update') {
      return syncShopifyConsent(deps, job, p.eventId, p.consent);
    }
    const [present, shop] = await Promise.all([data.events.exists(p.eventId), data.shops.find(job.shopId)]);
    if (!present || !shop) return; // erased by a redact request since: nothing left to do
    switch (p.topic) {
      case 'app/uninstalled':
        return handleUninstalled(data, shop.id, deps.now());
      case 'customers/redact':
        return handleCustomerRedact(data, shop.id, p.customer, p.eventId);
      case 'customers/data_request':
        return handleDataRequest(data, shop.id, p.customer, deps.now());
      case 'shop/redact':
        return handleShopRedact(data, shop.id);
      case 'app/scopes_update':
        return handleScopesUpdate(data, shop, p.current);
    }
  };
}

/** 'edrone-event': every consent event of one edrone request, to apply in Shopify. */
export function createEdroneEventHandler(deps: SyncDeps): JobHandler {
  const { data } = deps;
  return async (job: Job) => {
    const p = readPayload(edroneEventJob, job.payload);
    const [present, shop] = await Promise.all([data.events.exists(p.eventId), data.shops.find(job.shopId)]);
    if (!present || !shop) return;
    for (const [i, event] of p.events.entries()) {
      // One request may carry several changes: each is a report of its own.
      await syncConsent(deps, shop, { side: 'edrone', event }, { jobId: job.id, eventId: p.eventId, reportId: `${p.eventId}:${i}`, retried: wasRetried(job) });
    }
  };
}
