// Runs one stored edrone request: every consent event it carries.
import { z } from 'zod';
import { PermanentError } from '../errors.js';
import type { Job } from '../queue/job-queue.js';
import type { JobHandler } from '../queue/worker.js';
import { parseEdroneRequest } from '../adapters/edrone/index.js';
import { syncEdroneConsent } from './sync-edrone-consent.js';
import type { SyncDeps } from './sync-deps.js';

/** What the ingest stored: enough to parse the request again exactly as received. */
export const storedEdroneRequest = z.object({
  contentType: z.string().optional(),
  rawBody: z.string(),
  query: z.record(z.string(), z.string()),
});

export function createEdroneEventHandler(deps: SyncDeps): JobHandler {
  const { prisma } = deps;
  return async (job: Job) => {
    const { eventId } = z.object({ eventId: z.string() }).parse(JSON.parse(job.payload));
    const event = await prisma.inboundEvent.findUnique({ where: { id: eventId } });
    const shop = await prisma.shop.findUnique({ where: { id: job.shopId } });
    if (!event || !shop) return;
    const stored = storedEdroneRequest.parse(JSON.parse(event.payload));
    const parsed = parseEdroneRequest({ contentType: stored.contentType, rawBody: stored.rawBody, query: stored.query });
    if (!parsed.ok) throw new PermanentError('invalid_payload', parsed.message);
    for (const e of parsed.events) await syncEdroneConsent(deps, shop, e, { jobId: job.id, eventId });
  };
}
