// edrone -> app: find the shop by its sync token, parse and verify the request,
// deduplicate on event_id, store the raw request (for audit) and a job holding
// the parsed consent events, in one transaction.
import { edroneEventsOf, matchEdroneSignature, readEdroneRequest } from '../adapters/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { edroneCredentials, type DataLayer } from '../db/index.js';
import { JOB_KINDS, type EdroneEventJobInput } from './job-payloads.js';

/**
 * The variant already written for a (cached) shop row: the row keeps the old value
 * until the cache reloads it, and the requests in between must not each write it again.
 */
const variantWritten = new WeakMap<object, string>();

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

  // Authenticate before the costly part: lengths and exact formats (cheap, linear), then the signature, then normalise.
  const read = readEdroneRequest({ contentType: request.contentType, rawBody: request.rawBody, query: request.query, now });
  if (!read.ok) return { httpStatus: 400, status: 'rejected', message: read.message };

  const credentials = edroneCredentials(shop, deps.secretBox);
  if (!credentials) {
    return { httpStatus: 401, status: 'rejected', message: 'the App Secret is not set in the app, so the signature cannot be checked' };
  }
  if (read.appId && read.appId !== credentials.appId) {
    return { httpStatus: 401, status: 'rejected', message: 'app_id does not match the App ID set in the app' };
  }
  const variant = matchEdroneSignature(read, credentials.appSecret, credentials.appId);
  if (!variant) return { httpStatus: 401, status: 'rejected', message: 'invalid signature' };

  const parsed = edroneEventsOf(read);
  if (!parsed.ok) return { httpStatus: 400, status: 'rejected', message: parsed.message };
  // Which encoding edrone uses is shown in the admin (Setup); written only when it changes.
  if (shop.edroneSignatureVariant !== variant && variantWritten.get(shop) !== variant) {
    variantWritten.set(shop, variant);
    try {
      await deps.data.shops.recordSignatureVariant(shop.id, variant);
    } catch (e) {
      variantWritten.delete(shop);
      throw e;
    }
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
