// Headers on every answer: no MIME sniffing, and a Content-Security-Policy that
// lets nothing load or frame by default. The admin page sets its own (below).
import type { NextFunction, Request, Response } from 'express';

export function securityHeaders() {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    next();
  };
}

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com$/i;

/**
 * The embedded admin's policy: its own bundle (Polaris/React) from self, App
 * Bridge from cdn.shopify.com, framed only by the Shopify admin and the shop.
 * `nonce` allows the one inline script the sandbox adds; inline style stays
 * allowed (React sets style attributes, index.html has one <style>).
 */
export function adminPagePolicy(shop: unknown, nonce?: string): string {
  const shopHost = typeof shop === 'string' && SHOP_DOMAIN.test(shop) ? ` https://${shop.toLowerCase()}` : '';
  return [
    "default-src 'self'",
    `script-src 'self' https://cdn.shopify.com${nonce ? ` 'nonce-${nonce}'` : ''}`,
    "style-src 'self' 'unsafe-inline' https://cdn.shopify.com",
    "img-src 'self' data: https://cdn.shopify.com",
    "font-src 'self' data: https://cdn.shopify.com",
    "connect-src 'self' https://*.shopify.com https://*.shopifycloud.com https://*.myshopify.com",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors https://admin.shopify.com${shopHost}`,
  ].join('; ');
}
