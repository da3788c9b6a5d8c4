// edrone -> app: find the shop by its sync token, parse and verify the request,
// deduplicate on event_id, store the raw request (for audit) and a job holding
// the parsed consent events, in one transaction.
import { parseEdroneRequest, verifyEdroneSignature } from '../adapters/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { edroneCredentials, type DataLayer } from '../db/index.js';
import { JOB_KINDS, type EdroneEventJobInput } from './job-payloads.js';

export type EdroneIngestOutcome =
  | { httpStatus: 200; status: 'accepted' | 'duplicate'; events: number }
  | { httpStatus: 400 | 401 | 404; status: 'rejected'; message: string };

export interface EdroneDelivery {
  syncToken: string;
  contentType: string | undefined;
  rawBody: string;
  query: Record<string, string>;
}

export async function ingestEdroneSync(
  deps: { data: Pick<DataLayer, 'shops' | 'events'>; secretBox: SecretBox },
  request: EdroneDelivery,
  now: Date = new Date(),
): Promise<EdroneIngestOutcome> {
  const shop = await deps.data.shops.findBySyncToken(request.syncToken);
  if (!shop || shop.uninstalledAt) return { httpStatus: 404, status: 'rejected', message: 'unknown sync URL' };

  const parsed = parseEdroneRequest({ contentType: request.contentType, rawBody: request.rawBody, query: request.query });
  if (!parsed.ok) return { httpStatus: 400, status: 'rejected', message: parsed.message };

  const credentials = edroneCredentials(shop, deps.secretBox);
  if (!credentials) {
    return { httpStatus: 401, status: 'rejected', message: 'the App Secret is not set in the app, so the signature cannot be checked' };
  }
  if (parsed.appId && parsed.appId !== credentials.appId) {
    return { httpStatus: 401, status: 'rejected', message: 'app_id does not match the App ID set in the app' };
  }
  if (!verifyEdroneSignature(parsed, credentials.appSecret, credentials.appId)) {
    return { httpStatus: 401, status: 'rejected', message: 'invalid signature' };
  }

  const stored = await deps.data.events.storeWithJob({
    shopId: shop.id,
    source: 'edrone',
    topic: parsed.format,
    dedupeKey: parsed.dedupeKey,
    payload: JSON.stringify({ contentType: request.contentType, rawBody: request.rawBody, query: request.query }),
    jobKind: JOB_KINDS.edroneEvent,
    jobPayload: (eventId): EdroneEventJobInput => ({
      eventId,
      events: parsed.events.map((e) => ({ ...e, at: e.at.toISOString() })),
    }),
    receivedAt: now,
  });
  return { httpStatus: 200, status: stored.status, events: parsed.events.length };
}
