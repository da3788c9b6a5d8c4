// GET/PUT /api/settings and POST /api/settings/test-connection.
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../../context.js';
import { fieldErrors, settingsInputSchema } from '../../core/settings.js';
import { settingsOf, type ShopRow } from '../../db/shop-repository.js';

export function syncUrlOf(ctx: AppContext, shop: ShopRow): string {
  return `${ctx.config.shopify.appUrl.replace(/\/$/, '')}/edrone/sync/${shop.syncToken}`;
}

/** The settings as the API shows them: the secret only as "is one set". */
export function settingsView(ctx: AppContext, shop: ShopRow) {
  return {
    edroneAppId: shop.edroneAppId ?? '',
    edroneAppSecretSet: Boolean(shop.edroneAppSecretEnc),
    ...settingsOf(shop),
    syncUrl: syncUrlOf(ctx, shop),
  };
}

export function settingsRouter(ctx: AppContext): Router {
  const router = Router();
  const shopOf = (shopId: string) => ctx.prisma.shop.findUniqueOrThrow({ where: { id: shopId } });

  router.get('/settings', async (_req, res) => {
    res.json(settingsView(ctx, await shopOf(res.locals.shopId)));
  });

  router.put('/settings', async (req, res) => {
    const shop = await shopOf(res.locals.shopId);
    const parsed = settingsInputSchema.safeParse(req.body);
    const errors = parsed.success ? {} : fieldErrors(parsed.error);
    const newSecret = parsed.success ? parsed.data.edroneAppSecret : undefined;
    if (!shop.edroneAppSecretEnc && !newSecret && !errors.edroneAppSecret) {
      errors.edroneAppSecret = 'App Secret is required: copy it from edrone Mission Control, Settings > Integration';
    }
    if (!parsed.success || Object.keys(errors).length > 0) {
      res.status(400).json({ error: 'Some settings are not valid.', fieldErrors: errors });
      return;
    }
    const s = parsed.data;
    const updated = await ctx.prisma.shop.update({
      where: { id: shop.id },
      data: {
        edroneAppId: s.edroneAppId,
        ...(newSecret ? { edroneAppSecretEnc: ctx.secretBox.seal(newSecret) } : {}),
        direction: s.direction,
        edroneStatuses: s.edroneStatuses,
        syncEmail: s.channels.email,
        syncSms: s.channels.sms,
        createMissingCustomers: s.createMissingCustomers,
      },
    });
    res.json(settingsView(ctx, updated));
  });

  router.post('/settings/test-connection', async (req, res) => {
    const body = z.object({ edroneAppId: z.string().trim().min(1).optional() }).safeParse(req.body ?? {});
    const shop = await shopOf(res.locals.shopId);
    const appId = (body.success ? body.data.edroneAppId : undefined) ?? shop.edroneAppId;
    if (!appId) {
      res.json({ ok: false, reason: 'Enter your edrone App ID first.' });
      return;
    }
    res.json(await ctx.edrone.checkAppId(appId));
  });

  return router;
}
