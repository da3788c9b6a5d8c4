// The embedded admin UI in a real browser (Chromium via playwright-core) against
// the real server and both stand-ins (in-process, test/helpers/harness.ts), with
// the built UI from web/dist. App Bridge's CDN script is made unreachable, as
// outside the Shopify admin: the UI must work with the session-token test hook.
// Screenshots of every page at 1280x800 and 375x812 go to test-artifacts/screenshots/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';
import { ROOT, eventually } from '../helpers/processes.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * Required in CI (CI=true: .ci/run installs Chromium and fails without it). On a
 * machine without Chromium, `npm test` skips these tests and says how to run them.
 */
const RUN = existsSync(CHROMIUM) || process.env.CI === 'true';
if (!RUN) console.warn(`Browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH).`);
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  // Containers often have a tiny /dev/shm, which crashes renderers.
  '--disable-dev-shm-usage',
];
const SCREENSHOTS = path.join(ROOT, 'test-artifacts', 'screenshots');
const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 375, height: 812 },
] as const;
/** How long the UI may take to show something (the Failures tab polls every 3 s after a retry). */
const UI_WAIT_MS = 15_000;

const APP_ID = 'ui-e2e_app-1';
const APP_SECRET = 'ui-e2e-secret';

let h: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const consoleErrors: string[] = [];
const failedRequests: string[] = [];
const errorResponses: string[] = [];

function uiDiagnostics(): string {
  return [
    `URL: ${page?.url()}`,
    `Page errors: ${JSON.stringify(pageErrors)}`,
    `Console errors: ${JSON.stringify(consoleErrors.slice(-10))}`,
    `Failed requests: ${JSON.stringify(failedRequests.slice(-10))}`,
    `HTTP errors: ${JSON.stringify(errorResponses.slice(-10))}`,
  ].join('\n');
}

/** Waits for a locator with a failure message that says what was expected and what the page showed. */
async function visible(what: string, locator: ReturnType<Page['locator']>, timeout = UI_WAIT_MS): Promise<void> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch (e) {
    const text = await page.locator('body').innerText().catch(() => '(unreadable)');
    throw new Error(`${what} did not appear within ${timeout} ms: ${(e as Error).message.split('\n')[0]}\n${uiDiagnostics()}\nPage text:\n${text.slice(0, 2000)}`);
  }
}

/** Opens a tab: by clicking it when the app is already showing (as a merchant does), else by loading /#tab. */
async function openTab(tab: 'setup' | 'status' | 'activity' | 'failures'): Promise<void> {
  const nav = page.getByTestId(`nav-${tab}`);
  if (page.url().startsWith(h.server.url) && (await nav.count()) > 0) await nav.click();
  else await page.goto(`${h.server.url}/#${tab}`);
  await visible(`the ${tab} tab`, page.locator(`[data-testid="nav-${tab}"][aria-selected="true"]`));
  await visible(`the ${tab} panel`, page.locator(`#panel-${tab}`));
}

/** Screenshots at both sizes (<page>-<width>.png); at 375 px the page must not scroll sideways. */
async function capture(name: string, ready: () => Promise<void>): Promise<void> {
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    await ready();
    // The top of the page, no hover effects; let Polaris finish re-laying out for the new width.
    await page.mouse.move(0, 0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(300);
    if (viewport.width === 375) {
      const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
          .slice(0, 5)
          .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} right=${Math.round(el.getBoundingClientRect().right)}`),
      );
      expect(widths.scroll, `${name} at 375 px scrolls horizontally (scrollWidth ${widths.scroll}); widest: ${wide.join(', ')}`).toBeLessThanOrEqual(376);
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${viewport.width}.png`) });
  }
  await page.setViewportSize(VIEWPORTS[0]);
}

const authed = async () => `Bearer ${await h.token()}`;

beforeAll(async () => {
  if (!RUN) return;
  if (!existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) {
    try {
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 180_000 });
    } catch (e) {
      const { stdout, stderr } = e as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`npm run build failed (web/dist/index.html is missing):\n${String(stdout ?? '').slice(-2000)}\n${String(stderr ?? '').slice(-2000)}`);
    }
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  // A store that has not been set up: the UI must install it (token exchange) and save the settings itself.
  h = await startHarness({ configure: false });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  context = await browser.newContext({ viewport: VIEWPORTS[0] });
  // App Bridge's CDN is out of reach (as on machines without internet): make that certain, and fast.
  await context.route(/^https?:\/\/([a-z0-9-]+\.)*shopify\.com\//, (route) => route.abort('internetdisconnected'));
  const token = await h.shopify.control.sessionToken(h.shop, { ttlSeconds: 3600 });
  await context.addInitScript(`window.__SESSION_TOKEN__ = ${JSON.stringify(token)};`);
  page = await context.newPage();
  page.setDefaultTimeout(UI_WAIT_MS);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('requestfailed', (r) => failedRequests.push(`${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errorResponses.push(`${r.request().method()} ${r.url()} ${r.status()}`);
  });
}, 240_000);

afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await h?.close();
});

(RUN ? describe : describe.skip)('admin UI in Chromium', () => {
  it('renders without App Bridge (CDN unreachable) and opens on Setup for a store that is not set up', async () => {
    await page.goto(`${h.server.url}/`);
    await visible('the Setup tab', page.locator('[data-testid="nav-setup"][aria-selected="true"]'));
    await visible('the App ID field', page.getByLabel('edrone App ID', { exact: true }));
    expect(failedRequests.some((r) => r.startsWith('https://cdn.shopify.com/shopifycloud/app-bridge.js')), uiDiagnostics()).toBe(true);
    expect(await page.evaluate(() => typeof (window as { shopify?: unknown }).shopify)).toBe('undefined');
    for (const tab of ['Setup', 'Status', 'Activity', 'Failures']) {
      expect(await page.getByRole('tab', { name: tab, exact: true }).count(), `tab ${tab}`).toBe(1);
    }
  }, 45_000);

  it('saves the settings from the Setup form; they are there after a reload and in GET /api/settings', async () => {
    await openTab('setup');
    const appId = page.getByLabel('edrone App ID', { exact: true });
    const secret = page.getByLabel('edrone App Secret', { exact: true });
    const createMissing = page.getByLabel('Create missing customers in Shopify', { exact: true });
    await appId.fill(APP_ID);
    await secret.fill(APP_SECRET);
    await createMissing.check({ force: true });
    await page.getByLabel('edrone changes to apply in Shopify', { exact: true }).selectOption('all');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await visible('the "Settings saved" banner', page.getByTestId('settings-saved'));

    await page.reload();
    await visible('the App ID field after reload', appId);
    await eventually('the saved App ID in the form after reload', async () => (await appId.inputValue()) === APP_ID, {
      timeoutMs: UI_WAIT_MS,
      diagnostics: uiDiagnostics,
      last: () => appId.inputValue(),
    });
    expect(await createMissing.isChecked()).toBe(true);
    expect(await secret.inputValue(), 'the secret is never sent back to the browser').toBe('');
    await visible('the "secret is saved" hint', page.getByText('A secret is saved', { exact: false }));

    const res = await h.http().get('/api/settings').set('Authorization', await authed());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      edroneAppId: APP_ID,
      edroneAppSecretSet: true,
      direction: 'both',
      edroneStatuses: 'all',
      channels: { email: true, sms: true },
      createMissingCustomers: true,
    });
    expect(JSON.stringify(res.body)).not.toContain(APP_SECRET);
    // Turn customer creation off again through the form, so the next tests see the defaults.
    await createMissing.uncheck({ force: true });
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await visible('the "Settings saved" banner', page.getByTestId('settings-saved'));
    await capture('setup', () => visible('the App ID field', appId));

    // edrone is told the sync URL, as the merchant does in Mission Control.
    const saved = (await h.http().get('/api/settings').set('Authorization', await authed())).body as { syncUrl: string; createMissingCustomers: boolean };
    expect(saved.createMissingCustomers).toBe(false);
    h.edrone.control.registerApp(APP_ID, APP_SECRET);
    h.edrone.control.setSyncUrl(APP_ID, saved.syncUrl.replace(h.config.shopify.appUrl, h.server.url));
  }, 45_000);

  it('shows a validation error next to the App ID field, and saves nothing', async () => {
    await openTab('setup');
    const appId = page.getByLabel('edrone App ID', { exact: true });
    const save = page.getByRole('button', { name: 'Save', exact: true });

    const expectFieldError = async (typed: string, message: RegExp) => {
      await appId.fill(typed);
      await save.click();
      await visible('the settings error banner', page.getByTestId('settings-error'));
      await eventually(`App ID marked invalid after saving ${JSON.stringify(typed)}`, async () => (await appId.getAttribute('aria-invalid')) === 'true', {
        timeoutMs: UI_WAIT_MS,
        diagnostics: uiDiagnostics,
      });
      // The message is the field's description (aria-describedby) and sits right under the field.
      const ids = ((await appId.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
      const described = await Promise.all(ids.map(async (id) => ({ id, text: (await page.locator(`[id="${id}"]`).textContent()) ?? '' })));
      const error = described.find((d) => message.test(d.text));
      expect(error, `App ID field's descriptions: ${JSON.stringify(described)}`).toBeDefined();
      const [field, shown] = await Promise.all([appId.boundingBox(), page.locator(`[id="${error!.id}"]`).boundingBox()]);
      expect(field && shown, 'both the field and its error are on screen').toBeTruthy();
      expect(shown!.y).toBeGreaterThanOrEqual(field!.y + field!.height - 1);
      expect(shown!.y - (field!.y + field!.height), 'the error is directly under the App ID field').toBeLessThan(48);
      // Keyboard users land on the field to fix.
      await eventually('focus on the App ID field', () => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name === 'edroneAppId'), {
        timeoutMs: 5_000,
        diagnostics: uiDiagnostics,
      });
    };

    await expectFieldError('my app id', /App ID contains only letters, digits/);
    await expectFieldError('', /App ID is required/);

    const res = await h.http().get('/api/settings').set('Authorization', await authed());
    expect(res.body.edroneAppId, 'an invalid save changes nothing').toBe(APP_ID);
    // Typing clears the error.
    await appId.fill(APP_ID);
    expect(await appId.getAttribute('aria-invalid')).not.toBe('true');
  }, 45_000);

  it('an edrone event appears in Activity with its reason', async () => {
    const email = 'ui-anna@example.com';
    const customer = h.shopify.control.createCustomer({ shop: h.shop, email, emailState: 'subscribed' });
    const sent = await h.edrone.control.sendSync({ appId: APP_ID, channel: 'email', email, status: '0' });
    expect(sent, 'the app accepts the signed NATIVE_5 request').toMatchObject({ status: 200 });
    await h.settle();
    expect(h.shopify.control.getCustomer(h.shop, customer.id)?.emailConsent.state).toBe('unsubscribed');
    const api = (await h.http().get('/api/activity').set('Authorization', await authed())).body as {
      items: Array<{
        id: string;
        identity: string;
        origin: string;
        result: string;
        previousState: string | null;
        newState: string | null;
        reason: string | null;
        reasonCode: string | null;
      }>;
    };
    const record = api.items.find((i) => i.identity === email && i.origin === 'edrone');
    expect(record, JSON.stringify(api.items)).toBeDefined();
    expect(record!.reason, 'the activity has a reason to show').toBeTruthy();
    expect(record, 'the change as read from Shopify before the write').toMatchObject({ result: 'sent', previousState: 'subscribed', newState: 'unsubscribed' });

    await openTab('activity');
    const row = page.locator(`[data-testid="activity-row"][data-id="${record!.id}"]`);
    await visible(`the activity row for ${email}`, row);
    const rowText = await row.innerText();
    expect(rowText).toContain(email);
    expect(rowText).toContain('Subscribed → Unsubscribed');
    expect(await row.getByTestId('result-badge').getAttribute('data-result')).toBe(record!.result);
    await capture('activity', () => visible('the activity row', row));

    await row.getByRole('button', { name: `View details for ${email}` }).click();
    const detail = page.getByTestId('activity-detail');
    await visible('the activity detail', detail);
    const text = await detail.innerText();
    expect(text, 'the detail shows the reason').toContain(record!.reason!);
    if (record!.reasonCode) expect(await page.getByTestId('reason-code').innerText()).toBe(record!.reasonCode);
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'hidden', timeout: 5_000 });
  }, 45_000);

  it('a dead-lettered change is retried from Failures and turns green', async () => {
    const email = 'ui-dead@example.com';
    // edrone refuses the change for good (400): the job is dead-lettered at once.
    h.edrone.control.failNext(1, 400);
    const customer = h.shopify.control.createCustomer({ shop: h.shop, email, emailState: 'subscribed' });
    h.shopify.control.setConsent({ shop: h.shop, customerId: customer.id, channel: 'email', state: 'unsubscribed' });
    await h.shopify.control.webhooksIdle();
    await h.settle();
    const dead = await h.server.ctx.db.prisma.job.findFirst({ where: { status: 'dead' }, orderBy: { createdAt: 'desc' } });
    expect(dead, 'a dead job').toBeTruthy();
    // edrone works again (the injected refusal was used up); the worker now runs on its own, as in production.
    h.server.ctx.worker.start();

    await openTab('status');
    await visible('the amber "some changes failed" state', page.locator('[data-testid="health"][data-state="some_failed"]'));
    await openTab('failures');
    const row = page.locator(`[data-testid="failure-row"][data-id="${dead!.id}"]`);
    await visible('the failure row', row);
    await capture('failures', () => visible('the failure row', row));

    await row.getByRole('button', { name: 'Retry', exact: true }).click();
    await visible('the retry success message', page.getByTestId('retry-success'), 20_000);
    await eventually('the failure row to be gone', async () => (await page.getByTestId('failure-row').count()) === 0, {
      timeoutMs: UI_WAIT_MS,
      diagnostics: uiDiagnostics,
    });
    expect((await h.server.ctx.db.prisma.job.findUniqueOrThrow({ where: { id: dead!.id } })).status).toBe('done');
    expect(h.edrone.traces.filter((t) => t.fields.email === email)).toHaveLength(1);

    await openTab('status');
    await visible('the healthy state', page.locator('[data-testid="health"][data-state="healthy"]'));
    await capture('status', () => visible('the health banner', page.getByTestId('health')));
  }, 45_000);

  it('had no uncaught errors in the page', () => {
    expect(pageErrors, uiDiagnostics()).toEqual([]);
  });

  it('ran under the strict Content-Security-Policy (issue 9): the page was served with it and nothing was blocked', async () => {
    const res = await page.goto(`${h.server.url}/?shop=${h.shop}`);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self' https://cdn.shopify.com");
    expect(csp).toContain(`frame-ancestors https://admin.shopify.com https://${h.shop}`);
    expect(res?.headers()['x-content-type-options']).toBe('nosniff');
    await visible('the app after a reload', page.getByTestId('nav-setup'));
    expect(consoleErrors.filter((e) => /Content Security Policy/i.test(e)), uiDiagnostics()).toEqual([]);
  });
});
