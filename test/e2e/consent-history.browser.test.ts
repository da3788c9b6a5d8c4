// A customer's consent history in a real browser (Chromium via playwright-core):
// open it from Activity (the customer cell), see both channels' timelines,
// export it as CSV and read the file back. Same setup as admin-ui.browser.test.ts.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_CSV_COLUMNS } from '../../app/api-contract/index.js';
import { EDRONE_APP_ID, startHarness, type Harness } from '../helpers/harness.js';
import { openAdminBrowser, RUN_BROWSER } from '../helpers/admin-browser.js';
import { ROOT } from '../helpers/processes.js';

const RUN = RUN_BROWSER;

let h: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  if (!RUN) return;
  if (!existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 180_000 });
  h = await startHarness();
  // A customer with history on both channels and both sides.
  const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'ui-history@example.com', phone: '+48500222333' });
  h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'subscribed', consentUpdatedAt: '2026-11-01T09:00:00Z' });
  await h.settle();
  await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'ui-history@example.com', status: '0', reason: 1, eventDate: new Date('2026-11-10T12:00:00Z') });
  await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'sms', phone: '+48500222333', status: '1', reason: 9, eventDate: new Date('2026-11-11T12:00:00Z') });
  await h.settle();

  ({ browser, context, page } = await openAdminBrowser(h, { timeoutMs: 15_000, context: { acceptDownloads: true } }));
}, 240_000);

afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await h?.close();
});

(RUN ? describe : describe.skip)('consent history in Chromium', () => {
  it('opens a customer’s history from Activity, shows both channels, exports it and the CSV reads back', async () => {
    await page.goto(`${h.server.url}/#activity`);
    const link = page.getByTestId('customer-history-link').filter({ hasText: 'ui-history@example.com' }).first();
    await link.waitFor({ state: 'visible' });
    await link.getByRole('button').click();

    await page.locator('[data-testid="nav-customers"][aria-selected="true"]').waitFor();
    const email = page.getByTestId('history-email');
    const sms = page.getByTestId('history-sms');
    await email.waitFor({ state: 'visible' });
    await sms.waitFor({ state: 'visible' });
    expect(await page.getByLabel('Customer email or phone').inputValue()).toBe('ui-history@example.com');
    const emailText = await email.innerText();
    // edrone's reason in words; its code only in the technical detail (issue 11, point 9).
    expect(emailText).toContain('The customer clicked the unsubscribe link');
    expect(emailText).not.toContain('CUSTOMER_UNSUBSCRIBED');
    for (const fold of await email.getByTestId('history-technical').all()) await fold.locator('summary').click();
    expect(await email.innerText()).toContain('CUSTOMER_UNSUBSCRIBED');
    expect(emailText).toMatch(/Now: Shopify Unsubscribed, edrone Unsubscribed/i);
    for (const fold of await sms.getByTestId('history-technical').all()) await fold.locator('summary').click();
    const smsText = await sms.innerText();
    expect(smsText).toContain('+48500222333');
    expect(smsText).toContain('CUSTOMER_SELF_RESURRECT');
    expect(smsText).toMatch(/single opt in/i);
    const shown = await page.getByTestId('history-entry').count();
    expect(shown).toBeGreaterThan(2);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export this customer (CSV)' }).click(),
    ]);
    const file = await download.path();
    const lines = readFileSync(file, 'utf8').trim().split(/\r\n/);
    expect(lines[0]).toBe(HISTORY_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(shown + 1);
    expect(lines.some((l) => l.includes('+48500222333') && l.includes('CUSTOMER_SELF_RESURRECT') && l.includes('SINGLE_OPT_IN'))).toBe(true);
    expect(lines.some((l) => l.includes('ui-history@example.com') && l.includes('CUSTOMER_UNSUBSCRIBED'))).toBe(true);
    await page.getByTestId('export-done').waitFor();
    expect(await page.getByTestId('export-done').innerText()).toBe(`Exported ${shown} rows.`);
  }, 90_000);
});
