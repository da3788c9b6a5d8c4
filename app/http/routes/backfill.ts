// The initial sync (backfill): GET /api/backfill, POST /api/backfill, POST /api/backfill/cancel.
import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { latestBackfillView, requestBackfill, requestBackfillCancel } from '../../sync/index.js';

export function backfillRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/backfill', async (_req, res) => void res.json(await latestBackfillView(ctx.data, res.locals.shopId)));
  router.post('/backfill', async (_req, res) => void res.status(202).json(await requestBackfill(ctx, res.locals.shopId)));
  router.post('/backfill/cancel', async (_req, res) => void res.status(202).json(await requestBackfillCancel(ctx, res.locals.shopId)));
  return router;
}
