// Activity in merchant words, in Chromium against the real server and both stand-ins (issue 11,
// point 9): an agent's unsubscribe in edrone reads "Unsubscribed in edrone by an agent" with a local
// date; edrone's reason code is only in the detail view; the app's own change coming back from
// Shopify is hidden until the merchant asks for it. Screenshots at 1280 and 375 px go to
// test-artifacts/screenshots/words-<state>-<width>.png.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webBuildReason } from '../../scripts/web-build-rule.mjs';
import { EDRONE_APP_ID, startHarness, type Harness } from '../helpers/harness.js';
import { openAdminBrowser, RUN_BROWSER } from '../helpers/admin-browser.js';
import { ROOT } from '../helpers/processes.js';

const RUN = RUN_BROWSER;
const SCREENSHOTS = path.join(ROOT, 'test-artifacts', 'screenshots');
const EMAIL = 'agent-words@example.com';

let h: Harness;
let browser: Browser;
let page: Page;

async function capture(name: string): Promise<void> {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 800 });
    await page.waitForTimeout(300);
    if (width === 375) expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} scrolls sideways`).toBeLessThanOrEqual(376);
    await page.screenshot({ path: path.join(SCREENSHOTS, `words-${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

beforeAll(async () => {
  if (!RUN) return;
  // The admin as the code is now: rebuilt when a source is newer than the build (npm start's rule).
  if (webBuildReason(ROOT)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 180_000 });
  mkdirSync(SCREENSHOTS, { recursive: true });
  h = await startHarness();
  h.shopify.control.deliverWebhooks = true;
  h.shopify.control.createCustomer({ shop: h.shop, email: EMAIL, emailState: 'subscribed', emailConsentUpdatedAt: new Date(Date.now() - 3600_000).toISOString() });
  // An agent unsubscribes the customer in edrone (reason 4): the app writes Shopify, whose webhook comes back.
  await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: EMAIL, status: '0', reason: 4 });
  await h.settle();
  ({ browser, page } = await openAdminBrowser(h, { timeoutMs: 20_000, context: { locale: 'en-GB', timezoneId: 'Europe/Warsaw' } }));
}, 240_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await h?.close();
});

(RUN ? describe : describe.skip)('Activity in merchant words (Chromium)', () => {
  it('the row says who made the change in words, with a local date; the echo is hidden', async () => {
    await page.goto(`${h.server.url}/#activity`);
    const row = page.locator('[data-testid="activity-row"]', { hasText: EMAIL });
    await row.first().waitFor();
    expect(await row.count(), 'only the edrone change: the echo of the app\'s own Shopify write is hidden').toBe(1);
    const text = await row.innerText();
    expect(text).toContain('Unsubscribed in edrone by an agent');
    for (const wire of ['AGENT_UNSUBSCRIBED', 'edrone reason', 'subscriber_status', 'Z']) expect(text).not.toContain(wire);
    // The browser's locale and time zone (en-GB, Warsaw): "27 Nov 2026, 16:05", not an ISO time.
    const when = await row.locator('time').innerText();
    const iso = await row.locator('time').getAttribute('dateTime');
    expect(when).toBe(new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Warsaw' }).format(new Date(iso!)));
    await capture('activity-default');
  }, 60_000);

  it('the detail view holds the technical detail', async () => {
    const row = page.locator('[data-testid="activity-row"]', { hasText: EMAIL }).first();
    await row.getByRole('button', { name: /View details/ }).click();
    const technical = page.getByTestId('activity-technical');
    await technical.waitFor();
    expect(await page.getByTestId('reason-code').innerText()).toBe('4');
    expect(await technical.innerText()).toContain('AGENT_UNSUBSCRIBED');
    await capture('activity-detail');
    await page.keyboard.press('Escape');
    await technical.waitFor({ state: 'hidden' });
  }, 60_000);

  it("the filter shows the app's own change coming back, marked as such", async () => {
    await page.getByLabel("Show the app's own changes coming back").check();
    const rows = page.locator('[data-testid="activity-row"]', { hasText: EMAIL });
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    expect(await rows.first().innerText()).toContain("The app's own change, reported back");
    expect(await rows.first().innerText()).toContain('Email unsubscribe from Shopify');
    await capture('activity-echoes');
  }, 60_000);
});
