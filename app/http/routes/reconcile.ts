// Reconciliation: GET/PUT /api/reconcile (interval), POST /api/reconcile/run.
import { Router } from 'express';
import { reconcileIntervalUpdate } from '../../api-contract/index.js';
import type { AppContext } from '../../context.js';
import { reconcileView, runReconcileNow, setReconcileInterval } from '../../sync/index.js';
import { parseInput } from '../parse-input.js';

export function reconcileRouter(ctx: AppContext): Router {
  const router = Router();

  router.get('/reconcile', async (_req, res) => void res.json(await reconcileView(ctx.data, res.locals.shopId)));

  router.put('/reconcile', async (req, res) => {
    const { intervalMinutes } = parseInput(reconcileIntervalUpdate, req.body ?? {}, 'The interval is not valid.');
    res.json(await setReconcileInterval(ctx.data, res.locals.shopId, intervalMinutes));
  });

  router.post('/reconcile/run', async (_req, res) => {
    const { finished, lastRun, run } = await runReconcileNow(ctx, res.locals.shopId, ctx.config.reconcile.runWaitMs);
    res.status(finished ? 200 : 202).json({ lastRun, run });
  });

  return router;
}
