// The fake Shopify's storefront app proxy: GET /apps/edrone/... on the "store's
// domain" is forwarded to the app's /proxy/... with shop, logged_in_customer_id,
// path_prefix, timestamp and signature added, as Shopify does (reference/shopify.md
// §5.1). Cookies are not forwarded. Who is logged in comes from the fake's own
// cookie `fake_customer_id` (a stand-in for the store's session), and the shop
// from `?shop=` or the Host. The answer goes back as is, without Set-Cookie.
import { createHmac } from 'node:crypto';
import { Router, type Request } from 'express';

export const FAKE_PROXY_PREFIX = '/apps/edrone';

/**
 * Shopify's documented app-proxy signature, written here independently of the
 * app's code (so the fake can catch a mistake there): every parameter but
 * `signature`, `key=value` with repeated values joined by ',', sorted,
 * concatenated, HMAC-SHA256 hex with the app's secret.
 */
function sign(params: Record<string, string | string[]>, secret: string): string {
  const message = Object.keys(params)
    .filter((k) => k !== 'signature')
    .map((k) => `${k}=${([] as string[]).concat(params[k]!).join(',')}`)
    .sort()
    .join('');
  return createHmac('sha256', secret).update(message).digest('hex');
}

function cookieOf(req: Request, name: string): string | null {
  const match = (req.get('cookie') ?? '').match(new RegExp(`(?:^|;\\s*)${name}=([^;]*)`));
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

export function fakeAppProxyRouter(options: { apiSecret: string; appUrl: () => string | undefined; defaultShop?: string }): Router {
  const router = Router();
  router.get(`${FAKE_PROXY_PREFIX}/*rest`, async (req, res) => {
    const appUrl = options.appUrl();
    if (!appUrl) {
      res.status(502).send('No app to proxy to (webhookTarget is not set).');
      return;
    }
    const incoming = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
    const shop = incoming.get('shop') ?? options.defaultShop ?? req.hostname;
    incoming.delete('shop');
    const params: Record<string, string | string[]> = {};
    for (const key of new Set(incoming.keys())) {
      const values = incoming.getAll(key);
      params[key] = values.length === 1 ? values[0]! : values;
    }
    Object.assign(params, {
      shop,
      logged_in_customer_id: cookieOf(req, 'fake_customer_id') ?? '',
      path_prefix: FAKE_PROXY_PREFIX,
      timestamp: String(Math.floor(Date.now() / 1000)),
    });
    params.signature = sign(params, options.apiSecret);
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) for (const v of Array.isArray(value) ? value : [value]) query.append(key, v);
    const rest = req.path.slice(FAKE_PROXY_PREFIX.length);
    try {
      const upstream = await fetch(`${appUrl}/proxy${rest}?${query}`, {
        headers: { 'x-forwarded-for': req.ip ?? '127.0.0.1', 'x-forwarded-host': req.get('host') ?? '' },
        signal: AbortSignal.timeout(10_000),
      });
      res.status(upstream.status);
      for (const header of ['content-type', 'cache-control', 'vary', 'retry-after']) {
        const value = upstream.headers.get(header);
        if (value) res.setHeader(header, value);
      }
      res.send(Buffer.from(await upstream.arrayBuffer()));
    } catch {
      res.status(504).send('The app did not answer in time.');
    }
  });
  return router;
}
