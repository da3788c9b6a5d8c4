// App Bridge session tokens: the JWT the embedded admin sends with each request.
import type { ShopifyApi } from './shopify-api.js';

/**
 * The shop (e.g. "example.myshopify.com") a session token was issued for: the
 * host of its `dest` claim. null when the token is invalid or expired (bad
 * signature, wrong audience, unreadable), so callers answer 401.
 */
export async function shopOfSessionToken(shopify: ShopifyApi, token: string): Promise<string | null> {
  try {
    const payload = await shopify.session.decodeSessionToken(token);
    return new URL(payload.dest).hostname;
  } catch {
    return null;
  }
}
