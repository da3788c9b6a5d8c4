// The admin in Debian's Chromium, as the browser tests open it: Shopify's CDN (App Bridge,
// Polaris web components) unreachable as on these machines, and a session token for the
// harness's shop injected the way the embedded app would receive one.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { Harness } from './harness.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Browser tests run where Chromium is installed, and always on CI (where a missing Chromium fails). */
export const RUN_BROWSER = existsSync(CHROMIUM) || process.env.CI === 'true';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', '--no-first-run'];

export interface AdminBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

/** Chromium with one page ready to open the admin of `h`'s shop; page errors go to `pageErrors` when given. */
export async function openAdminBrowser(
  h: Harness,
  options: { timeoutMs: number; context?: BrowserContextOptions; pageErrors?: string[] },
): Promise<AdminBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options.context });
  await context.route(/^https?:\/\/([a-z0-9-]+\.)*shopify\.com\//, (route) => route.abort('internetdisconnected'));
  const token = await h.shopify.control.sessionToken(h.shop, { ttlSeconds: 3600 });
  await context.addInitScript(`window.__SESSION_TOKEN__ = ${JSON.stringify(token)};`);
  const page = await context.newPage();
  page.setDefaultTimeout(options.timeoutMs);
  if (options.pageErrors) {
    const errors = options.pageErrors;
    page.on('pageerror', (e) => errors.push(e.message));
  }
  return { browser, context, page };
}
