// POST /edrone/sync/:syncToken: edrone's subscription status synchronisation.
import express, { Router } from 'express';
import type { AppContext } from '../../context.js';
import { ingestEdroneSync, recordRejectedEdroneRequest } from '../../sync/index.js';

export const EDRONE_BODY_LIMIT = '64kb';

function flatQuery(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && typeof v[0] === 'string') out[k] = v[0];
  }
  return out;
}

export function edroneSyncRouter(ctx: AppContext): Router {
  const router = Router();
  router.post('/edrone/sync/:syncToken', express.text({ type: () => true, limit: EDRONE_BODY_LIMIT }), async (req, res) => {
    const outcome = await ingestEdroneSync(ctx, {
      syncToken: req.params.syncToken,
      contentType: req.get('content-type') ?? undefined,
      rawBody: typeof req.body === 'string' ? req.body : '',
      query: flatQuery(req.query),
    });
    if (outcome.status === 'rejected') {
      ctx.logger.warn({ reason: outcome.message, status: outcome.httpStatus }, 'edrone request rejected');
      // The merchant sees it on Setup and Status; a failure to record never changes edrone's answer.
      await recordRejectedEdroneRequest(ctx, { syncToken: req.params.syncToken, httpStatus: outcome.httpStatus, message: outcome.message }).catch(
        (e: unknown) => ctx.logger.error({ err: e }, 'could not record a rejected edrone request'),
      );
      res.status(outcome.httpStatus).json({ status: 'error', error: outcome.message });
      return;
    }
    if (outcome.status === 'accepted') ctx.wakeWorker();
    res.status(200).json({ status: outcome.status === 'accepted' ? 'ok' : 'duplicate' });
  });
  return router;
}
