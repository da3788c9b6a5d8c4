// A webhook's authenticity, checked by the library (HMAC over the raw body, the
// required headers) on only the headers Shopify's webhook contract defines. The
// library canonicalises every header name of the request for each header it
// looks up; a delivery's other headers (host, user agent, what proxies add) are
// not part of the check and only cost time on the hottest route.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { ShopifyApi } from './shopify-api.js';

/** X-Shopify-* (webhooks) and Shopify-* (events): every header the library's webhook check reads. */
export function shopifyWebhookHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const picked: IncomingHttpHeaders = {};
  for (const name of Object.keys(headers)) {
    if (name.startsWith('x-shopify-') || name.startsWith('shopify-')) picked[name] = headers[name];
  }
  return picked;
}

export type WebhookValidation = Awaited<ReturnType<ShopifyApi['webhooks']['validate']>>;

/** The library's `webhooks.validate` on the request's Shopify headers (Node's header names are lower case). */
export function validateWebhook(shopify: ShopifyApi, rawBody: string, req: Pick<IncomingMessage, 'headers' | 'method' | 'url'>, res: ServerResponse): Promise<WebhookValidation> {
  // The library's Node adapter reads headers, method and url of the request, nothing else.
  const rawRequest = { headers: shopifyWebhookHeaders(req.headers), method: req.method, url: req.url };
  return shopify.webhooks.validate({ rawBody, rawRequest, rawResponse: res });
}
