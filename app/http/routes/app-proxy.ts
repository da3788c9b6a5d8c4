// GET /proxy/subscription-status: the storefront's "is this visitor subscribed?"
// through Shopify's app proxy (/apps/edrone/subscription-status on the store's
// domain). Order: per-client limit, signature (401), per-shop limit (429),
// input (400), then the use case (404 for an unknown or uninstalled shop).
// No answer but a 200 says anything about a customer.
import { Router, type Request, type Response } from 'express';
import { verifyAppProxyQuery } from '../../adapters/index.js';
import { APP_PROXY_PARAMS, STOREFRONT_FORBIDDEN_PARAMS, storefrontAnswer, storefrontQuery } from '../../api-contract/index.js';
import type { AppContext } from '../../context.js';
import { InputError } from '../../errors.js';
import { createWindowLimiter } from '../middleware/rate-limit.js';
import { parseInput } from '../parse-input.js';

export const APP_PROXY_PATH = '/proxy/subscription-status';
const MINUTE_MS = 60_000;

function rawQueryOf(req: Request): string {
  const i = req.originalUrl.indexOf('?');
  return i < 0 ? '' : req.originalUrl.slice(i + 1);
}

function tooMany(res: Response, retryAfterSeconds: number): void {
  res.setHeader('Retry-After', String(retryAfterSeconds));
  res.status(429).json({ error: 'Too many requests. Try again shortly.' });
}

/**
 * The visitor behind Shopify's app proxy: every request comes from Shopify's servers, which
 * append the visitor's address to X-Forwarded-For. With the app straight behind Shopify, the
 * last entry is the one Shopify added (earlier ones are whatever the visitor sent). With
 * TRUST_PROXY set (a proxy of your own in front), express resolves the hops: count Shopify's too.
 */
function visitorOf(req: Request, trustProxy: unknown): string {
  if (trustProxy !== false) return req.ip ?? '';
  const forwarded = req.get('x-forwarded-for');
  const last = forwarded?.split(',').at(-1)?.trim();
  return last && last.length <= 64 ? last : (req.ip ?? '');
}

export function appProxyRouter(ctx: Pick<AppContext, 'shopify' | 'storefront' | 'config' | 'logger'>): Router {
  const router = Router();
  const perClient = createWindowLimiter({ limit: ctx.config.storefront.clientPerMinute, windowMs: MINUTE_MS });
  const perShop = createWindowLimiter({ limit: ctx.config.storefront.shopPerMinute, windowMs: MINUTE_MS });

  router.get(APP_PROXY_PATH, async (req, res) => {
    // Per visitor, never shared: the storefront URL is the same for every logged-in customer
    // (Shopify adds who it is), so no cache may keep one answer for another.
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Vary', 'Cookie');
    const rawQuery = rawQueryOf(req);
    const params = new URLSearchParams(rawQuery);
    const shopParam = params.get('shop') ?? '';

    // Counted before the signature, so a flood of forged requests is cut off cheaply too.
    const client = perClient.take(`${shopParam}\u0000${visitorOf(req, ctx.config.trustProxy)}`);
    if (!client.ok) return tooMany(res, client.retryAfterSeconds);

    const verified = await verifyAppProxyQuery(ctx.shopify, rawQuery);
    if (!verified.ok) {
      ctx.logger.warn({ reason: verified.reason }, 'app proxy request rejected');
      res.status(401).json({ error: 'Invalid signature.' });
      return;
    }
    const shop = perShop.take(verified.shop);
    if (!shop.ok) return tooMany(res, shop.retryAfterSeconds);

    const own: Record<string, string> = {};
    for (const [key, value] of params) {
      if ((APP_PROXY_PARAMS as readonly string[]).includes(key)) continue;
      if (STOREFRONT_FORBIDDEN_PARAMS.test(key)) {
        throw new InputError('Only the logged-in customer or the visitor’s own cookie can be checked.');
      }
      own[key] = value;
    }
    const query = parseInput(storefrontQuery, own, 'Invalid storefront check.');
    const answer = await ctx.storefront.check({
      shop: verified.shop,
      loggedInCustomerId: verified.loggedInCustomerId,
      fpcid: query.fpcid,
      force: query.force,
    });
    res.status(200).json(storefrontAnswer.parse(answer));
  });
  return router;
}
