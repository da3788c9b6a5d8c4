// What the merchant sees of edrone's calls to the sync URL: every refused request is recorded
// (time and a reason in merchant words, never the payload), beside the last accepted one.
import { merchantRejection } from '../core/edrone-rejection.js';
import type { DataLayer } from '../db/index.js';

const RECENT = 5;

export interface RejectedEdroneRequest {
  syncToken: string;
  httpStatus: number;
  /** The ingest's internal message: only its category is kept. */
  message: string;
}

/** Records a refused request for the shop the sync URL belongs to (an unknown URL names no shop: nothing is kept). */
export async function recordRejectedEdroneRequest(
  deps: { data: Pick<DataLayer, 'shops' | 'rejectedEdroneRequests'> },
  request: RejectedEdroneRequest,
  now: Date = new Date(),
): Promise<void> {
  const shop = await deps.data.shops.findBySyncToken(request.syncToken);
  if (!shop || shop.uninstalledAt) return;
  const { reason } = merchantRejection(request.httpStatus, request.message);
  await deps.data.rejectedEdroneRequests.record(shop.id, request.httpStatus, reason, now);
}

/** GET /api/edrone-connection: the last request edrone made, accepted or refused, and the recent refusals. */
export async function edroneConnectionView(deps: { data: Pick<DataLayer, 'events' | 'rejectedEdroneRequests'> }, shopId: string) {
  // The last accepted request: the newest stored edrone event (indexed; the Shop row is not written per delivery).
  const [received, rejected] = await Promise.all([deps.data.events.lastReceived(shopId), deps.data.rejectedEdroneRequests.latest(shopId, RECENT)]);
  const accepted = received.edrone;
  const refused = rejected[0] ?? null;
  const last =
    refused && (!accepted || refused.receivedAt > accepted)
      ? { outcome: 'rejected' as const, at: refused.receivedAt.toISOString(), reason: refused.reason }
      : accepted
        ? { outcome: 'accepted' as const, at: accepted.toISOString(), reason: null }
        : null;
  return {
    last,
    lastAcceptedAt: accepted?.toISOString() ?? null,
    recentRejections: rejected.map((r) => ({ at: r.receivedAt.toISOString(), reason: r.reason })),
  };
}
