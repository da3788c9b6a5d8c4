// /api authentication: the App Bridge session token (Authorization: Bearer).
// The first valid token of a shop without an offline token installs it by
// token exchange, as Shopify-managed installation expects.
import type { NextFunction, Request, Response } from 'express';
import type { AppContext } from '../../context.js';
import { exchangeForOfflineSession } from '../../adapters/shopify/index.js';
import { installShop } from '../../db/shop-repository.js';

declare module 'express-serve-static-core' {
  interface Locals {
    shopId: string;
  }
}

function unauthorized(res: Response, message: string): void {
  // App Bridge retries a fetch once with a fresh token when it sees this header.
  res.setHeader('X-Shopify-Retry-Invalid-Session-Request', '1');
  res.status(401).json({ error: message });
}

export function sessionTokenAuth(ctx: AppContext) {
  const installing = new Map<string, Promise<void>>();

  async function ensureInstalled(shop: string, sessionToken: string): Promise<void> {
    const [offline, row] = await Promise.all([
      ctx.sessionStorage.loadSession(ctx.shopify.session.getOfflineId(shop)),
      ctx.prisma.shop.findUnique({ where: { id: shop } }),
    ]);
    if (offline && row && !row.uninstalledAt && !row.blockedReason) return;
    const session = await exchangeForOfflineSession(ctx.shopify, { shop, sessionToken });
    await ctx.sessionStorage.storeSession(session);
    await installShop(ctx.prisma, shop);
    // Jobs that waited for access (revoked token) can run now.
    await ctx.prisma.job.updateMany({ where: { shopId: shop, status: 'queued', runAt: { gt: new Date() } }, data: { runAt: new Date() } });
    ctx.worker.wake();
    ctx.logger.info({ shop }, 'shop installed or reconnected by token exchange');
  }

  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!token) return unauthorized(res, 'missing session token');
    let shop: string;
    try {
      const payload = await ctx.shopify.session.decodeSessionToken(token);
      shop = new URL(payload.dest).hostname;
    } catch {
      return unauthorized(res, 'invalid or expired session token');
    }
    try {
      // Concurrent first requests of one shop share one token exchange.
      const pending = installing.get(shop) ?? ensureInstalled(shop, token).finally(() => installing.delete(shop));
      installing.set(shop, pending);
      await pending;
    } catch (e) {
      ctx.logger.warn({ shop, err: e instanceof Error ? e.message : String(e) }, 'token exchange failed');
      return unauthorized(res, 'Shopify did not grant access to this store. Reload the app from your Shopify admin.');
    }
    res.locals.shopId = shop;
    next();
  };
}
