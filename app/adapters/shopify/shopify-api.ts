// The @shopify/shopify-api instance and the offline-token lifecycle (exchange, refresh).
// The node adapter must be imported before anything else from the library.
import '@shopify/shopify-api/adapters/node';
import {
  ApiVersion,
  HttpRequestError,
  HttpResponseError,
  LogSeverity,
  RequestedTokenType,
  shopifyApi,
  type Session,
  type Shopify,
} from '@shopify/shopify-api';
import { abstractFetch, setAbstractFetchFunc, type AbstractFetchFunc } from '@shopify/shopify-api/runtime';
import type { SessionStorage } from '@shopify/shopify-app-session-storage';
import type { AppConfig } from '../../config.js';
import { AppError, RetriableError, ShopAccessError } from '../../errors.js';

export type ShopifyApi = Shopify;

/** The subset of SessionStorage the token helpers need. */
export type OfflineSessionStore = Pick<SessionStorage, 'loadSession' | 'storeSession'>;

/** Refresh an expiring offline token this long before it runs out. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

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

// ---------------------------------------------------------------------------
// Offline sessions

/** Exchanges an App Bridge session token for an expiring offline access token. */
export async function exchangeForOfflineSession(
  shopify: ShopifyApi,
  params: { shop: string; sessionToken: string },
): Promise<Session> {
  try {
    const { session } = await shopify.auth.tokenExchange({
      shop: params.shop,
      sessionToken: params.sessionToken,
      requestedTokenType: RequestedTokenType.OfflineAccessToken,
      expiring: true,
    });
    return session;
  } catch (e) {
    throw tokenCallError(e, 'Shopify refused to grant the app access to this store. Reload the app from your Shopify admin.');
  }
}

const refreshesInFlight = new WeakMap<ShopifyApi, Map<string, Promise<Session>>>();

/**
 * The shop's offline session, refreshed when its token expires within 5 minutes.
 * null when the shop has no offline session. A session that cannot be refreshed
 * (no refresh token: a non-expiring token) is returned as it is.
 * Throws ShopAccessError when Shopify rejects the refresh token.
 */
export async function ensureFreshOfflineSession(
  shopify: ShopifyApi,
  storage: OfflineSessionStore,
  shop: string,
): Promise<Session | null> {
  const session = await storage.loadSession(shopify.session.getOfflineId(shop));
  if (!session) return null;
  if (!session.isExpired(REFRESH_MARGIN_MS) || !session.refreshToken) return session;
  if (session.refreshTokenExpires && session.refreshTokenExpires.getTime() <= Date.now()) {
    throw new ShopAccessError();
  }
  // Two jobs of one shop must not both spend the same refresh token.
  const inFlight = refreshesInFlight.get(shopify) ?? new Map<string, Promise<Session>>();
  refreshesInFlight.set(shopify, inFlight);
  const pending = inFlight.get(shop);
  if (pending) return pending;
  const refresh = refreshAndStore(shopify, storage, shop, session.refreshToken).finally(() => inFlight.delete(shop));
  inFlight.set(shop, refresh);
  return refresh;
}

async function refreshAndStore(
  shopify: ShopifyApi,
  storage: OfflineSessionStore,
  shop: string,
  refreshToken: string,
): Promise<Session> {
  let fresh: Session;
  try {
    ({ session: fresh } = await shopify.auth.refreshToken({ shop, refreshToken }));
  } catch (e) {
    throw tokenCallError(e);
  }
  await storage.storeSession(fresh);
  return fresh;
}

/** Token endpoint failures: 4xx means the grant is gone, anything else may pass. */
function tokenCallError(e: unknown, accessMessage?: string): Error {
  if (e instanceof AppError) return e;
  if (e instanceof HttpResponseError) {
    const status = e.response.code;
    if (status >= 400 && status < 500 && status !== 429) return new ShopAccessError(accessMessage);
    return new RetriableError('shopify_token_unavailable', `Shopify's token service answered ${status}; the app will retry.`, e);
  }
  if (e instanceof HttpRequestError || e instanceof TypeError || e instanceof SyntaxError) {
    return new RetriableError('shopify_token_unavailable', 'Could not reach Shopify to renew the access token; the app will retry.', e);
  }
  return e instanceof Error ? e : new Error(String(e));
}
