// POST /edrone/sync/:syncToken: edrone's subscription status synchronisation.
import express, { Router } from 'express';
import type { AppContext } from '../../context.js';
import { ingestEdroneSync, recordRejectedEdroneRequest } from '../../sync/index.js';
import { rejectedPerSyncUrl } from '../abuse-limits.js';
import { clip, type InboundGuards } from '../rejection-log.js';

export const EDRONE_BODY_LIMIT = '64kb';
/** Sync tokens are 32 random bytes in base64url (app/db/shops.ts): anything else is no shop's. */
const SYNC_TOKEN = /^[A-Za-z0-9_-]{43}$/;

function flatQuery(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && typeof v[0] === 'string') out[k] = v[0];
  }
  return out;
}

export function edroneSyncRouter(ctx: AppContext, { rejections, perClient }: InboundGuards): Router {
  const router = Router();
  router.post(
    '/edrone/sync/:syncToken',
    perClient,
    rejectedPerSyncUrl(ctx.config),
    express.text({ type: () => true, limit: EDRONE_BODY_LIMIT }),
    async (req, res) => {
      const rawBody = typeof req.body === 'string' ? req.body : '';
      const syncToken = String(req.params.syncToken ?? '');
      const outcome = !SYNC_TOKEN.test(syncToken)
        ? ({ httpStatus: 404, status: 'rejected', message: 'unknown sync URL' } as const)
        : rawBody.includes('\u0000')
          ? ({ httpStatus: 400, status: 'rejected', message: 'the body contains a NUL character' } as const)
          : await ingestEdroneSync(ctx, {
              syncToken,
              contentType: req.get('content-type') ?? undefined,
              rawBody,
              query: flatQuery(req.query),
            });
      if (outcome.status === 'rejected') {
        rejections.record(`edrone ${outcome.httpStatus}`, { status: outcome.httpStatus, reason: outcome.message });
        // The merchant sees it on Setup and Status; a failure to record never changes edrone's answer.
        if (SYNC_TOKEN.test(syncToken)) {
          await recordRejectedEdroneRequest(ctx, { syncToken, httpStatus: outcome.httpStatus, message: outcome.message }).catch((e: unknown) =>
            ctx.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'could not record a rejected edrone request'),
          );
        }
        res.status(outcome.httpStatus).json({ status: 'error', error: clip(outcome.message, 300) });
        return;
      }
      if (outcome.status === 'accepted') ctx.wakeWorker();
      res.status(200).json({ status: outcome.status === 'accepted' ? 'ok' : 'duplicate' });
    },
  );
  return router;
}
