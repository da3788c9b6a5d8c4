// Serves the embedded admin (web/dist) with the API key Shopify's App Bridge reads.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import type { AppContext } from '../../context.js';

const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

/** Shopify admin may frame the app; nobody else may. */
function frameAncestors(shop: unknown): string {
  const shopHost = typeof shop === 'string' && /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i.test(shop) ? ` https://${shop}` : '';
  return `frame-ancestors https://admin.shopify.com${shopHost};`;
}

export function adminPageRouter(ctx: AppContext): Router {
  const router = Router();
  const indexFile = path.join(distDir, 'index.html');
  router.use('/assets', express.static(path.join(distDir, 'assets'), { immutable: true, maxAge: '1y', index: false }));
  router.get('/', (req, res) => {
    res.setHeader('Content-Security-Policy', frameAncestors(req.query.shop));
    if (!existsSync(indexFile)) {
      res.status(503).type('text').send('The admin UI is not built yet: run `npm run build`.');
      return;
    }
    // Read per request: cheap, and a rebuild shows without a restart.
    res.type('html').send(readFileSync(indexFile, 'utf8').replaceAll('%SHOPIFY_API_KEY%', ctx.config.shopify.apiKey));
  });
  return router;
}
