// GET /api/edrone-connection: the last request edrone made to the sync URL, accepted or refused.
import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { edroneConnectionView } from '../../sync/index.js';

export function edroneConnectionRouter(ctx: AppContext): Router {
  const router = Router();
  router.get('/edrone-connection', async (_req, res) => void res.json(await edroneConnectionView(ctx, res.locals.shopId)));
  return router;
}
