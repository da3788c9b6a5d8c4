// The Express application: routes only; everything they need comes from the context.
import express, { type Express } from 'express';
import type { AppContext } from '../context.js';
import { webhooksRouter } from './routes/webhooks.js';
import { edroneSyncRouter } from './routes/edrone-sync.js';
import { settingsRouter } from './routes/settings.js';
import { adminApiRouter } from './routes/admin-api.js';
import { consentHistoryRouter } from './routes/consent-history.js';
import { backfillRouter } from './routes/backfill.js';
import { reconcileRouter } from './routes/reconcile.js';
import { webhookSubscriptionsRouter } from './routes/webhook-subscriptions.js';
import { edroneConnectionRouter } from './routes/edrone-connection.js';
import { adminPageRouter } from './routes/admin-page.js';
import { appProxyRouter } from './routes/app-proxy.js';
import { sessionTokenAuth } from './middleware/session-token.js';
import { errorHandler } from './error-handler.js';
import { rejectNulInBody, rejectNulInUrl } from './middleware/reject-nul.js';
import { securityHeaders } from './middleware/security-headers.js';
import { rejectedPerClient } from './abuse-limits.js';
import { createRejectionLog } from './rejection-log.js';

export interface CreateAppOptions {
  /** The sandbox's session-token signer (the admin page then works outside the Shopify admin). Never set in production. */
  sandboxSessionToken?: () => Promise<string>;
}

export function createApp(ctx: AppContext, options: CreateAppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  // Off unless the deployment sits behind a proxy that sets X-Forwarded-For (TRUST_PROXY): req.ip is then the client's.
  app.set('trust proxy', ctx.config.trustProxy);
  app.use(securityHeaders());
  app.use(rejectNulInUrl());

  app.get('/healthz', async (_req, res) => {
    try {
      await ctx.db.ping();
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'error', error: 'database unavailable' });
    }
  });

  // Rejections are logged aggregated per minute (app/http/rejection-log.ts).
  const guards = { rejections: createRejectionLog(ctx.logger), perClient: rejectedPerClient(ctx.config) };
  app.use(webhooksRouter(ctx, guards));
  app.use(edroneSyncRouter(ctx, guards));
  app.use(appProxyRouter(ctx));

  const api = express.Router();
  api.use(guards.perClient);
  api.use(express.json({ limit: '64kb' }));
  api.use(rejectNulInBody());
  api.use(sessionTokenAuth(ctx));
  api.use(settingsRouter(ctx));
  api.use(adminApiRouter(ctx));
  api.use(consentHistoryRouter(ctx));
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
