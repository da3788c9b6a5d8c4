// Reconciliation: GET/PUT /api/reconcile (interval), POST /api/reconcile/run.
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import {
  MAX_RECONCILE_INTERVAL_MINUTES,
  MIN_RECONCILE_INTERVAL_MINUTES,
  ReconcileConflictError,
  enqueueReconcile,
  reconcileView,
  runSummary,
  type ReconcileRunRow,
} from '../../sync/reconcile.js';

const intervalSchema = z.object({
  intervalMinutes: z
    .number({ error: 'Enter the interval in minutes.' })
    .int('Enter a whole number of minutes.')
    .min(MIN_RECONCILE_INTERVAL_MINUTES, `The interval must be at least ${MIN_RECONCILE_INTERVAL_MINUTES} minutes.`)
    .max(MAX_RECONCILE_INTERVAL_MINUTES, `The interval can be at most ${MAX_RECONCILE_INTERVAL_MINUTES} minutes (7 days).`),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function runView(run: ReconcileRunRow) {
  return {
    id: run.id,
    status: run.status,
    trigger: run.trigger,
    since: run.since.toISOString(),
    checked: run.checked,
    repaired: run.repaired,
    failed: run.failed,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    error: run.error,
  };
}

export function reconcileRouter(ctx: AppContext): Router {
  const router = Router();
  const { prisma } = ctx;

  router.get('/reconcile', async (_req, res) => {
    res.json(await reconcileView(prisma, res.locals.shopId));
  });

  router.put('/reconcile', async (req, res) => {
    const parsed = intervalSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const message = parsed.error.issues[0]?.message ?? 'Invalid interval.';
      res.status(400).json({ error: 'The interval is not valid.', fieldErrors: { intervalMinutes: message } });
      return;
    }
    await prisma.shop.update({ where: { id: res.locals.shopId }, data: { reconcileIntervalMinutes: parsed.data.intervalMinutes } });
    res.json(await reconcileView(prisma, res.locals.shopId));
  });

  router.post('/reconcile/run', async (_req, res) => {
    const shopId = res.locals.shopId;
    const shop = await prisma.shop.findUniqueOrThrow({ where: { id: shopId } });
    if (!shop.edroneAppId || !shop.edroneAppSecretEnc) {
      res.status(400).json({ error: 'Enter your edrone App ID and App Secret in Setup before reconciling.' });
      return;
    }
    let run: ReconcileRunRow | null;
    try {
      run = await enqueueReconcile(prisma, shopId, 'manual');
    } catch (e) {
      if (!(e instanceof ReconcileConflictError)) throw e;
      const active = await prisma.reconcileRun.findUnique({ where: { activeKey: shopId } });
      res.status(409).json({ error: e.merchantMessage, run: active ? runView(active) : null });
      return;
    }
    if (!run) throw new Error('reconciliation was not queued');
    ctx.worker.wake();
    // Most runs take a moment: wait a little so the answer can carry the result.
    const deadline = Date.now() + ctx.config.reconcile.runWaitMs;
    let current = run;
    while (current.status === 'running' && Date.now() < deadline) {
      await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
      current = (await prisma.reconcileRun.findUnique({ where: { id: run.id } })) ?? current;
    }
    if (current.status === 'running') {
      res.status(202).json({ lastRun: null, run: runView(current) });
      return;
    }
    res.json({ lastRun: runSummary(current), run: runView(current) });
  });

  return router;
}
