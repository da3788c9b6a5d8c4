// GET/PUT /api/settings and POST /api/settings/test-connection.
import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { getSettings, saveSettings, testConnection } from '../../sync/index.js';

export function settingsRouter(ctx: AppContext): Router {
  const router = Router();
  const deps = { data: ctx.data, secretBox: ctx.secretBox, appUrl: ctx.config.shopify.appUrl, edrone: ctx.edrone };
  router.get('/settings', async (_req, res) => void res.json(await getSettings(deps, res.locals.shopId)));
  router.put('/settings', async (req, res) => void res.json(await saveSettings(deps, res.locals.shopId, req.body)));
  router.post('/settings/test-connection', async (req, res) => void res.json(await testConnection(deps, res.locals.shopId, req.body)));
  return router;
}
