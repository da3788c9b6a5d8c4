// /api authentication: the App Bridge session token (Authorization: Bearer).
// The first valid token of a shop without an offline token installs it
// (sync/install.ts), as Shopify-managed installation expects.
import type { NextFunction, Request, Response } from 'express';
import { shopOfSessionToken, type ShopifyApi } from '../../adapters/index.js';
import type { Logger } from '../../logger.js';
import type { Installer } from '../../sync/index.js';

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

export function sessionTokenAuth(deps: { shopify: ShopifyApi; installer: Installer; logger: Logger }) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!token) return unauthorized(res, 'missing session token');
    const shop = await shopOfSessionToken(deps.shopify, token);
    if (!shop) return unauthorized(res, 'invalid or expired session token');
    try {
      await deps.installer.ensureInstalled(shop, token);
    } catch (e) {
      deps.logger.warn({ shop, err: e instanceof Error ? e.message : String(e) }, 'token exchange failed');
      return unauthorized(res, 'Shopify did not grant access to this store. Reload the app from your Shopify admin.');
    }
    res.locals.shopId = shop;
    next();
  };
}
