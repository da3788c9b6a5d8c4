// The offline access token's lifecycle: obtained by token exchange, refreshed
// before it expires (expiring offline tokens), stored through the session storage.
import { HttpRequestError, HttpResponseError, RequestedTokenType, type Session } from '@shopify/shopify-api';
import { AppError, RetriableError, ShopAccessError } from '../../errors.js';
import type { OfflineSessionStore, ShopifyApi } from './shopify-api.js';

/** Refresh an expiring offline token this long before it runs out. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

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
