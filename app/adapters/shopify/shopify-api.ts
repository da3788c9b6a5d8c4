// The @shopify/shopify-api instance, and the admin-origin override that points its
// Admin API and token calls at a local fake (development and tests).
// The node adapter must be imported before anything else from the library.
import '@shopify/shopify-api/adapters/node';
import { ApiVersion, LogSeverity, shopifyApi, type Shopify } from '@shopify/shopify-api';
import { abstractFetch, setAbstractFetchFunc, type AbstractFetchFunc } from '@shopify/shopify-api/runtime';
import type { SessionStorage } from '@shopify/shopify-app-session-storage';
import type { AppConfig } from '../../config.js';

export type ShopifyApi = Shopify;

/** The subset of SessionStorage the token helpers need. */
export type OfflineSessionStore = Pick<SessionStorage, 'loadSession' | 'storeSession'>;

/** Header that tells a local fake which shop a redirected call was meant for. */
export const SHOP_TARGET_HEADER = 'X-Shopify-Shop-Domain-Target';

/**
 * Builds the library instance. `sessionStorage` is accepted for callers that keep
 * both together; shopify-api itself stores nothing, so pass the storage to
 * ensureFreshOfflineSession. Expiring offline tokens need no future flag in
 * shopify-api 15: they are requested per exchange (`expiring: true`).
 */
export function createShopifyApi(config: AppConfig['shopify'], sessionStorage?: OfflineSessionStore): ShopifyApi {
  void sessionStorage;
  if (config.adminOrigin) redirectAdminCallsTo(config.adminOrigin);
  const appUrl = new URL(config.appUrl);
  return shopifyApi({
    apiKey: config.apiKey,
    apiSecretKey: config.apiSecret,
    scopes: config.scopes,
    hostName: appUrl.host,
    hostScheme: appUrl.protocol === 'http:' ? 'http' : 'https',
    apiVersion: config.apiVersion as ApiVersion,
    isEmbeddedApp: true,
    logger: { level: LogSeverity.Warning },
    future: {},
  });
}

// ---------------------------------------------------------------------------
// Admin origin override (development and tests only)

let plainFetch: AbstractFetchFunc | undefined;
let adminOriginOverride: string | undefined;

/**
 * The library builds every Admin API and token URL as `https://{shop}/admin/...`
 * and sends it through its runtime fetch, so the override wraps that fetch. The
 * runtime fetch is process-wide: the last origin set wins, and an instance
 * created without adminOrigin does not undo it (a process talks to one Shopify).
 */
function redirectAdminCallsTo(adminOrigin: string): void {
  adminOriginOverride = new URL(adminOrigin).origin;
  if (plainFetch) return;
  const base = abstractFetch;
  plainFetch = base;
  setAbstractFetchFunc((input, init) => {
    const target = adminOriginOverride ? rewriteAdminUrl(urlOf(input), adminOriginOverride) : null;
    if (!target) return base(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set(SHOP_TARGET_HEADER, target.shop);
    if (input instanceof Request) return base(new Request(target.url, input), { ...init, headers });
    return base(target.url, { ...init, headers });
  });
}

function urlOf(input: Parameters<typeof fetch>[0]): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

/** `https://{shop}/admin/...` -> `{origin}/admin/...`; null for any other URL. */
export function rewriteAdminUrl(url: string, origin: string): { url: string; shop: string } | null {
  const match = /^https:\/\/([^/?#]+)(\/admin\/.*)$/.exec(url);
  if (!match?.[1] || !match[2]) return null;
  return { url: `${origin}${match[2]}`, shop: match[1] };
}
