// The theme app extension in a real browser (Chromium via playwright-core): a
// storefront page rendered from the embed's Liquid (liquidjs, settings from its
// schema's defaults), with a theme's newsletter popup and welcome message marked
// data-edrone-when, and the embed's script loaded as Shopify loads it (deferred).
// /apps/edrone/* goes through a stand-in of Shopify's app proxy (signs and
// forwards) to the real app and the fake edrone, or fails or hangs on purpose.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { Liquid } from 'liquidjs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeAppProxyRouter } from '../../app/sandbox/fake-shopify/app-proxy.js';
import { API_SECRET, EDRONE_APP_ID, SHOP, startHarness, type Harness } from '../helpers/harness.js';
import { ROOT } from '../helpers/processes.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'];
const EXTENSION = path.join(ROOT, 'extensions', 'subscription-status');
const BLOCK = readFileSync(path.join(EXTENSION, 'blocks', 'subscription-status.liquid'), 'utf8');
const SCRIPT = readFileSync(path.join(EXTENSION, 'assets', 'subscription-status.js'), 'utf8');

/** The block's {% schema %}: Shopify strips it from the output and fills block.settings from it. */
const SCHEMA_RE = /{%-?\s*schema\s*-?%}([\s\S]*?){%-?\s*endschema\s*-?%}/;
const schema = JSON.parse(SCHEMA_RE.exec(BLOCK)![1]!) as { javascript: string; settings: Array<{ id?: string; default?: unknown }> };
const defaults = Object.fromEntries(schema.settings.filter((s) => s.id).map((s) => [s.id, s.default]));
const liquid = new Liquid();
const template = liquid.parse(BLOCK.replace(SCHEMA_RE, ''));

type ProxyMode = 'forward' | 'fail' | 'hang' | 'throttle';

/** A theme page: a marked popup and welcome message, a working button, the embed, its deferred script. */
async function storefrontPage(customer: { id: string; accepts_marketing: boolean } | null, settings: Record<string, unknown>): Promise<string> {
  const embed = await liquid.render(template, { customer, block: { settings: { ...defaults, ...settings } } });
  return `<!doctype html><html><head><title>Demo store</title>
<script src="/assets/${schema.javascript}" defer></script></head>
<body>
  <h1>Demo store</h1>
  <button id="add" onclick="this.dataset.clicks = String(Number(this.dataset.clicks || 0) + 1)">Add to cart</button>
  <div id="popup" class="newsletter-popup" data-edrone-when="unknown">Join our newsletter for 15% off</div>
  <p id="welcome" data-edrone-when="subscribed">Welcome back! Check your inbox for deals.</p>
  <p id="miss-you" data-edrone-when="unsubscribed">We miss you! Resubscribe for 10% off.</p>
  ${embed}
</body></html>`;
}

let h: Harness;
let browser: Browser;
let store: Server;
let storeUrl: string;
let mode: ProxyMode = 'forward';
let proxied = 0;
const hung: ServerResponse[] = [];
/** Who Liquid sees as logged in on the next page (Shopify renders `customer` from the store session). */
let liquidCustomer: { id: string; accepts_marketing: boolean } | null = null;
let pageSettings: Record<string, unknown> = {};

beforeAll(async () => {
  h = await startHarness();
  h.edrone.control.setVisitor(EDRONE_APP_ID, 'fp-sub', 'subscriber@example.com');
  h.edrone.control.setStatus(EDRONE_APP_ID, 'email', 'subscriber@example.com', '1');
  const proxy = fakeAppProxyRouter({ apiSecret: API_SECRET, appUrl: () => h.server.url, defaultShop: SHOP });
  const app = express();
  app.get('/', async (_req, res) => void res.type('html').send(await storefrontPage(liquidCustomer, pageSettings)));
  app.get(`/assets/${schema.javascript}`, (_req, res) => void res.type('js').send(SCRIPT));
  app.use('/apps/edrone', (req, res, next) => {
    proxied += 1;
    if (mode === 'fail') return void res.status(500).send('Internal Server Error');
    if (mode === 'throttle') return void res.status(429).json({ error: 'Too many requests. Try again shortly.' });
    if (mode === 'hang') return void hung.push(res);
    next();
  });
  app.use(proxy);
  store = createServer(app as unknown as (req: IncomingMessage, res: ServerResponse) => void);
  await new Promise<void>((resolve) => store.listen(0, '127.0.0.1', resolve));
  storeUrl = `http://127.0.0.1:${(store.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  for (const res of hung) res.destroy();
  store?.closeAllConnections();
  await new Promise<void>((resolve) => (store ? store.close(() => resolve()) : resolve()));
  await h?.close();
});

beforeEach(() => {
  mode = 'forward';
  proxied = 0;
  liquidCustomer = null;
  pageSettings = {};
});

/** A fresh visitor (own cookies and sessionStorage), optionally with edrone's fp_ccid cookie. */
async function visit(options: { fpcid?: string; customerCookie?: string } = {}): Promise<Page> {
  const context = await browser.newContext();
  const cookies = [];
  if (options.fpcid) cookies.push({ name: 'fp_ccid', value: options.fpcid, url: storeUrl });
  if (options.customerCookie) cookies.push({ name: 'fake_customer_id', value: options.customerCookie, url: storeUrl });
  if (cookies.length) await context.addCookies(cookies);
  const page = await context.newPage();
  await page.goto(storeUrl);
  return page;
}

const settled = (page: Page) => page.waitForFunction(() => window.edroneSubscription?.state != null, undefined, { timeout: 15_000 });
const visible = (page: Page, id: string) => page.locator(`#${id}`).isVisible();

describe('the storefront embed', () => {
  it('a subscribed visitor (edrone knows their cookie): the popup stays hidden, the welcome message shows', async () => {
    const page = await visit({ fpcid: 'fp-sub' });
    await settled(page);
    expect(await visible(page, 'popup')).toBe(false);
    expect(await visible(page, 'welcome')).toBe(true);
    expect(await visible(page, 'miss-you')).toBe(false);
    expect(await page.evaluate(() => document.documentElement.dataset.edroneSubscription)).toBe('subscribed');
    const answer = await page.evaluate(() => window.edroneSubscription!.check());
    expect(answer).toEqual({ identified: true, status: true, message: 'Success', sms_status: null });
    expect(proxied).toBe(1);

    // The next page of the same session answers from sessionStorage: no second request.
    await page.reload();
    await settled(page);
    expect(await visible(page, 'popup')).toBe(false);
    expect(proxied).toBe(1);
    await page.context().close();
  });

  it('an unknown visitor (no edrone cookie): the popup shows', async () => {
    const page = await visit();
    await settled(page);
    expect(await visible(page, 'popup')).toBe(true);
    expect(await visible(page, 'welcome')).toBe(false);
    expect(await page.evaluate(() => window.edroneSubscription!.state)).toBe('unknown');
    await page.context().close();
  });

  it('a logged-in customer the page already knows accepts marketing: answered from Liquid, no request', async () => {
    liquidCustomer = { id: '9001', accepts_marketing: true };
    const page = await visit();
    await settled(page);
    expect(await visible(page, 'popup')).toBe(false);
    expect(await visible(page, 'welcome')).toBe(true);
    expect(proxied).toBe(0);
    await page.context().close();
  });

  it('a logged-in customer who unsubscribed: asked through the proxy, answered from the app; the merchant’s choice applies', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'left@example.com', emailState: 'subscribed' });
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'unsubscribed' });
    await h.settle();
    liquidCustomer = { id: c.id, accepts_marketing: false };
    pageSettings = { unsubscribed: 'none' };
    const page = await visit({ customerCookie: c.id });
    await settled(page);
    expect(await page.evaluate(() => window.edroneSubscription!.state)).toBe('unsubscribed');
    expect(await visible(page, 'popup')).toBe(false);
    expect(await visible(page, 'miss-you')).toBe(false);
    expect(proxied).toBe(1);
    await page.context().close();
  });

  it('the proxy fails (HTTP 500): the page works and the popup shows, as for a new visitor', async () => {
    mode = 'fail';
    const page = await visit({ fpcid: 'fp-sub' });
    await settled(page);
    expect(await visible(page, 'popup')).toBe(true);
    await page.click('#add');
    expect(await page.locator('#add').getAttribute('data-clicks')).toBe('1');
    // A failure is not remembered: the next page asks again.
    mode = 'forward';
    await page.reload();
    await settled(page);
    expect(await visible(page, 'popup')).toBe(false);
    await page.context().close();
  });

  it('the proxy answers 429: unknown, the popup shows', async () => {
    mode = 'throttle';
    const page = await visit({ fpcid: 'fp-sub' });
    await settled(page);
    expect(await visible(page, 'popup')).toBe(true);
    await page.context().close();
  });

  it('the proxy hangs: the page loads and responds at once; after the timeout the popup shows', async () => {
    mode = 'hang';
    pageSettings = { timeout_seconds: 5 };
    const page = await visit({ fpcid: 'fp-sub' });
    // goto resolved on load: the pending check held nothing up, and the page reacts meanwhile.
    expect(await page.evaluate(() => document.readyState)).toBe('complete');
    expect(await page.evaluate(() => window.edroneSubscription!.state)).toBeNull();
    await page.click('#add');
    expect(await page.locator('#add').getAttribute('data-clicks')).toBe('1');
    expect(await visible(page, 'popup')).toBe(false);
    await settled(page);
    expect(await page.evaluate(() => window.edroneSubscription!.state)).toBe('unknown');
    expect(await visible(page, 'popup')).toBe(true);
    await page.context().close();
  });
});

declare global {
  interface Window {
    edroneSubscription?: {
      check(options?: { force?: boolean }): Promise<{ identified: boolean; status: boolean | null; message: string; sms_status: boolean | null }>;
      state: string | null;
    };
  }
}
