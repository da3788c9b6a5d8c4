// The initial sync (backfill): GET /api/backfill, POST /api/backfill, POST /api/backfill/cancel.
import { Router } from 'express';
import type { AppContext } from '../../context.js';
import { BackfillConflictError, backfillView, cancelBackfill, latestBackfill, startBackfill } from '../../sync/backfill.js';

export function backfillRouter(ctx: AppContext): Router {
  const router = Router();
  const { prisma } = ctx;

  router.get('/backfill', async (_req, res) => {
    const run = await latestBackfill(prisma, res.locals.shopId);
    res.json({ run: run ? backfillView(run) : null });
  });

  router.post('/backfill', async (_req, res) => {
    const shopId = res.locals.shopId;
    const shop = await prisma.shop.findUniqueOrThrow({ where: { id: shopId } });
    if (!shop.edroneAppId || !shop.edroneAppSecretEnc) {
      res.status(400).json({ error: 'Enter your edrone App ID and App Secret in Setup before the initial sync.' });
      return;
    }
    try {
      const run = await startBackfill(prisma, shopId);
      ctx.worker.wake();
      res.status(202).json({ run: backfillView(run) });
    } catch (e) {
      if (!(e instanceof BackfillConflictError)) throw e;
      const run = await latestBackfill(prisma, shopId);
      res.status(409).json({ error: e.merchantMessage, run: run ? backfillView(run) : null });
    }
  });

  router.post('/backfill/cancel', async (_req, res) => {
    try {
      const run = await cancelBackfill(prisma, res.locals.shopId);
      ctx.worker.wake();
      res.status(202).json({ run: backfillView(run) });
    } catch (e) {
      if (!(e instanceof BackfillConflictError)) throw e;
      const run = await latestBackfill(prisma, res.locals.shopId);
      res.status(409).json({ error: e.merchantMessage, run: run ? backfillView(run) : null });
    }
  });

  return router;
}
