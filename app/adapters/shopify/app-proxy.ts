// Shopify's app proxy (reference/shopify.md §5.1): a request from the store's own
// domain (/apps/edrone/...) forwarded to the app with shop, logged_in_customer_id,
// path_prefix, timestamp and signature added. The library checks the signature
// and bounds the timestamp (90 s); this file reads the verified fields.
import { createHmac } from 'node:crypto';
import { InvalidHmacError } from '@shopify/shopify-api';
import type { ShopifyApi } from './shopify-api.js';

export type AppProxyRejection = 'missing_signature' | 'invalid_signature' | 'stale_timestamp' | 'invalid_shop';

export type AppProxyVerification =
  | {
      ok: true;
      /** The myshopify domain Shopify signed. */
      shop: string;
      /** The logged-in customer's numeric id; null for a visitor who is not logged in. */
      loggedInCustomerId: string | null;
    }
  | { ok: false; reason: AppProxyRejection };

/** Longest query the app accepts from the proxy: the check reads a handful of short fields. */
export const MAX_APP_PROXY_QUERY_LENGTH = 2_048;

/**
 * Verifies an app proxy request's query string (as received, without '?').
 * Nothing in the query may be trusted before this says ok.
 */
export async function verifyAppProxyQuery(shopify: ShopifyApi, rawQuery: string): Promise<AppProxyVerification> {
  if (rawQuery.length > MAX_APP_PROXY_QUERY_LENGTH) return { ok: false, reason: 'invalid_signature' };
  const params = new URLSearchParams(rawQuery);
  if (!params.get('signature')) return { ok: false, reason: 'missing_signature' };
  let valid: boolean;
  try {
    valid = await shopify.utils.validateHmac(params, { signator: 'appProxy' });
  } catch (e) {
    // Missing or out-of-tolerance timestamp, or a repeated shop/signature/timestamp.
    if (e instanceof InvalidHmacError) return { ok: false, reason: /timestamp/i.test(e.message) ? 'stale_timestamp' : 'invalid_signature' };
    return { ok: false, reason: 'invalid_signature' };
  }
  if (!valid) return { ok: false, reason: 'invalid_signature' };
  const shop = shopify.utils.sanitizeShop(params.get('shop') ?? '');
  if (!shop) return { ok: false, reason: 'invalid_shop' };
  const customer = params.get('logged_in_customer_id') ?? '';
  return { ok: true, shop, loggedInCustomerId: /^\d{1,20}$/.test(customer) ? customer : null };
}

/**
 * Signs a query as Shopify's app proxy does: every parameter but `signature`,
 * `key=value` (repeated keys' values joined with ','), sorted, concatenated,
 * HMAC-SHA256 hex with the app's secret. For the sandbox and tests.
 */
export function signAppProxyQuery(params: Record<string, string | string[]>, apiSecret: string): string {
  const message = Object.entries(params)
    .filter(([key]) => key !== 'signature')
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : value}`)
    .sort()
    .join('');
  return createHmac('sha256', apiSecret).update(message).digest('hex');
}
