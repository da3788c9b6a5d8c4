// Serves the embedded admin (web/dist) with the API key Shopify's App Bridge reads.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import type { AppContext } from '../../context.js';
import { adminPagePolicy } from '../middleware/security-headers.js';

const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

/** Shopify admin may frame the app; nobody else may. */
function frameAncestors(shop: unknown): string {
  const shopHost = typeof shop === 'string' && /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i.test(shop) ? ` https://${shop}` : '';
  return `frame-ancestors https://admin.shopify.com${shopHost};`;
}

/**
 * Sandbox only: stands in for App Bridge's idToken(), which needs the Shopify
 * admin. Tokens come from /_sandbox/session-token, signed by the sandbox.
 */
const sandboxAppBridge = (nonce: string): string =>
  `<script nonce="${nonce}">window.shopify={idToken:function(){return fetch('/_sandbox/session-token').then(function(r){return r.text()})}}</script>`;

/** `sandboxSessionToken`: given by the sandbox only (never in production), it signs a token for its demo shop. */
export function adminPageRouter(ctx: AppContext, options: { sandboxSessionToken?: () => Promise<string> } = {}): Router {
  const router = Router();
  const { sandboxSessionToken } = options;
  if (sandboxSessionToken) {
    router.get('/_sandbox/session-token', async (_req, res) => void res.type('text').send(await sandboxSessionToken()));
  }
  const indexFile = path.join(distDir, 'index.html');
  router.use('/assets', express.static(path.join(distDir, 'assets'), { immutable: true, maxAge: '1y', index: false }));
  router.get('/', (req, res) => {
    const nonce = sandboxSessionToken ? randomBytes(16).toString('base64') : undefined;
    // Shopify admin (and the shop) may frame the app; nobody else may.
    res.setHeader('Content-Security-Policy', adminPagePolicy(req.query.shop, nonce));
    if (!existsSync(indexFile)) {
      res.status(503).type('text').send('The admin UI is not built yet: run `npm run build`.');
      return;
    }
    // Read per request: cheap, and a rebuild shows without a restart.
    let html = readFileSync(indexFile, 'utf8').replaceAll('%SHOPIFY_API_KEY%', ctx.config.shopify.apiKey);
    if (nonce) html = html.replace('<head>', `<head>${sandboxAppBridge(nonce)}`);
    res.type('html').send(html);
  });
  return router;
}
