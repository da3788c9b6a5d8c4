// The JSON behind the Status, Activity and Failures screens.
import { Router } from 'express';
import { activityQuery, failuresQuery } from '../../api-contract/index.js';
import type { AppContext } from '../../context.js';
import { activityPage, failuresPage, retryFailures, shopStatus } from '../../sync/index.js';
import { parseInput } from '../parse-input.js';

export function adminApiRouter(ctx: AppContext): Router {
  const router = Router();

  router.get('/status', async (_req, res) => void res.json(await shopStatus(ctx, res.locals.shopId)));

  router.get('/activity', async (req, res) => {
    res.json(await activityPage(ctx, res.locals.shopId, parseInput(activityQuery, req.query)));
  });

  router.get('/failures', async (req, res) => {
    const q = parseInput(failuresQuery, req.query);
    res.json(await failuresPage(ctx, res.locals.shopId, q.page, q.pageSize));
  });

  router.post('/failures/retry-all', async (_req, res) => void res.json({ retried: await retryFailures(ctx, res.locals.shopId) }));

  router.post('/failures/:id/retry', async (req, res) => {
    await retryFailures(ctx, res.locals.shopId, req.params.id);
    res.json({ ok: true, job: { id: req.params.id, status: 'queued' } });
  });

  return router;
}
