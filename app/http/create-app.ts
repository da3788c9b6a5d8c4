// The Express application: routes only; everything they need comes from the context.
import express, { type Express } from 'express';
import type { AppContext } from '../context.js';
import { webhooksRouter } from './routes/webhooks.js';
import { edroneSyncRouter } from './routes/edrone-sync.js';
import { settingsRouter } from './routes/settings.js';
import { adminApiRouter } from './routes/admin-api.js';
import { backfillRouter } from './routes/backfill.js';
import { reconcileRouter } from './routes/reconcile.js';
import { webhookSubscriptionsRouter } from './routes/webhook-subscriptions.js';
import { edroneConnectionRouter } from './routes/edrone-connection.js';
import { adminPageRouter } from './routes/admin-page.js';
import { sessionTokenAuth } from './middleware/session-token.js';
import { errorHandler } from './error-handler.js';

export interface CreateAppOptions {
  /** The sandbox's session-token signer (the admin page then works outside the Shopify admin). Never set in production. */
  sandboxSessionToken?: () => Promise<string>;
}

export function createApp(ctx: AppContext, options: CreateAppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);

  app.get('/healthz', async (_req, res) => {
    try {
      await ctx.db.ping();
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'error', error: 'database unavailable' });
    }
  });

  app.use(webhooksRouter(ctx));
  app.use(edroneSyncRouter(ctx));

  const api = express.Router();
  api.use(express.json({ limit: '64kb' }));
  api.use(sessionTokenAuth(ctx));
  api.use(settingsRouter(ctx));
  api.use(adminApiRouter(ctx));
  api.use(backfillRouter(ctx));
  api.use(reconcileRouter(ctx));
  api.use(webhookSubscriptionsRouter(ctx));
  api.use(edroneConnectionRouter(ctx));
  api.use((_req, res) => void res.status(404).json({ error: 'not found' }));
  app.use('/api', api);

  app.use(adminPageRouter(ctx, options));
  app.use(errorHandler(ctx.logger));
  return app;
}
