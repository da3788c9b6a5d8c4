// The JSON behind the Status, Activity and Failures screens.
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';

const page = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
};

const activityQuery = z.object({
  ...page,
  direction: z.enum(['shopify_to_edrone', 'edrone_to_shopify']).optional(),
  channel: z.enum(['email', 'sms']).optional(),
  result: z.enum(['sent', 'skipped', 'failed', 'no_customer', 'recorded']).optional(),
  q: z.string().trim().max(200).optional(),
});

const DAY_MS = 24 * 60 * 60 * 1000;

function badQuery(error: z.ZodError) {
  return { error: 'Invalid query.', fieldErrors: Object.fromEntries(error.issues.map((i) => [i.path.join('.'), i.message])) };
}

export function adminApiRouter(ctx: AppContext): Router {
  const router = Router();
  const { prisma } = ctx;

  router.get('/status', async (_req, res) => {
    const shopId = res.locals.shopId;
    const shop = await prisma.shop.findUniqueOrThrow({ where: { id: shopId } });
    const now = Date.now();
    const startOfToday = new Date(new Date(now).toISOString().slice(0, 10));
    const since = new Date(startOfToday.getTime() - 29 * DAY_MS);
    const [sent, failures, queued] = await Promise.all([
      prisma.activity.findMany({
        where: { shopId, result: 'sent', createdAt: { gte: since } },
        select: { createdAt: true, target: true },
      }),
      prisma.job.count({ where: { shopId, status: 'dead' } }),
      prisma.job.count({ where: { shopId, status: { in: ['queued', 'running'] } } }),
    ]);
    const daily = Array.from({ length: 30 }, (_, i) => ({
      date: new Date(since.getTime() + i * DAY_MS).toISOString().slice(0, 10),
      shopifyToEdrone: 0,
      edroneToShopify: 0,
    }));
    for (const a of sent) {
      const day = daily[Math.floor((a.createdAt.getTime() - since.getTime()) / DAY_MS)];
      if (!day) continue;
      if (a.target === 'edrone') day.shopifyToEdrone++;
      else if (a.target === 'shopify') day.edroneToShopify++;
    }
    const sum = (key: 'shopifyToEdrone' | 'edroneToShopify', days: typeof daily) => days.reduce((n, d) => n + d[key], 0);
    const today = daily.slice(-1);
    const configured = Boolean(shop.edroneAppId && shop.edroneAppSecretEnc);
    const state = !configured
      ? 'not_configured'
      : shop.blockedReason || failures > 0
        ? 'failing'
        : shop.direction === 'paused'
          ? 'paused'
          : 'healthy';
    const reason =
      state === 'not_configured'
        ? 'Enter your edrone App ID and App Secret in Setup to start syncing.'
        : shop.blockedReason
          ? shop.blockedReason
          : failures > 0
            ? `${failures} change(s) could not be synced. See Failures to retry them.`
            : state === 'paused'
              ? 'Sync is paused in the settings: changes are recorded but not sent.'
              : null;
    res.json({
      state,
      reason,
      today: { shopifyToEdrone: sum('shopifyToEdrone', today), edroneToShopify: sum('edroneToShopify', today) },
      last30Days: { shopifyToEdrone: sum('shopifyToEdrone', daily), edroneToShopify: sum('edroneToShopify', daily) },
      daily,
      lastShopifyEventAt: shop.lastShopifyEventAt,
      lastEdroneEventAt: shop.lastEdroneEventAt,
      failures,
      queued,
    });
  });

  router.get('/activity', async (req, res) => {
    const q = activityQuery.safeParse(req.query);
    if (!q.success) return void res.status(400).json(badQuery(q.error));
    const { page, pageSize, direction, channel, result } = q.data;
    const search = q.data.q?.toLowerCase();
    const where = {
      shopId: res.locals.shopId,
      ...(direction === 'shopify_to_edrone' ? { target: 'edrone' } : direction === 'edrone_to_shopify' ? { target: 'shopify' } : {}),
      ...(channel ? { channel } : {}),
      ...(result ? { result } : {}),
      ...(search ? { identity: { contains: search } } : {}),
    };
    const [items, total] = await Promise.all([
      prisma.activity.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], skip: (page - 1) * pageSize, take: pageSize }),
      prisma.activity.count({ where }),
    ]);
    res.json({ items, page, pageSize, total });
  });

  router.get('/failures', async (req, res) => {
    const q = z.object(page).safeParse(req.query);
    if (!q.success) return void res.status(400).json(badQuery(q.error));
    const { page: p, pageSize } = q.data;
    const where = { shopId: res.locals.shopId, status: 'dead' };
    const [jobs, total] = await Promise.all([
      prisma.job.findMany({ where, orderBy: { updatedAt: 'desc' }, skip: (p - 1) * pageSize, take: pageSize }),
      prisma.job.count({ where }),
    ]);
    const items = jobs.map((j) => ({
      id: j.id,
      kind: j.kind,
      createdAt: j.createdAt,
      updatedAt: j.updatedAt,
      attempts: j.attempts,
      lastError: j.lastError,
      summary:
        j.kind === 'edrone-event'
          ? 'edrone change to apply in Shopify'
          : j.kind === 'backfill'
            ? 'Initial sync of existing customers'
            : j.kind === 'reconcile'
              ? 'Reconciliation of recently changed customers'
              : `Shopify ${JSON.parse(j.payload).topic ?? 'webhook'} to send to edrone`,
    }));
    res.json({ items, page: p, pageSize, total });
  });

  router.post('/failures/retry-all', async (_req, res) => {
    const retried = await ctx.queue.replay(res.locals.shopId);
    if (retried > 0) ctx.worker.wake();
    res.json({ retried });
  });

  router.post('/failures/:id/retry', async (req, res) => {
    const retried = await ctx.queue.replay(res.locals.shopId, req.params.id);
    if (retried === 0) return void res.status(404).json({ error: 'No failed change with this id (it may have been retried already).' });
    ctx.worker.wake();
    res.json({ ok: true, job: { id: req.params.id, status: 'queued' } });
  });

  return router;
}
