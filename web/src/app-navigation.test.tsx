// @vitest-environment jsdom
// Leaving with unsaved edits asks first (tab bar, Back / a nav-menu link, closing the page), and App Bridge's
// nav menu replaces the in-page tabs inside the Shopify admin.
import './test/setup.js';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { App } from './app.js';
import type { SettingsAnswer, StatusAnswer } from './api-types.js';
import { mockFetch, type FetchMock } from './test/mock-fetch.js';
import { renderWithPolaris } from './test/render.js';
import { COMPLETE_SETUP } from './test/setup-guide-fixture.js';

const STATUS: StatusAnswer = {
  state: 'healthy',
  reason: null,
  today: { shopifyToEdrone: 0, edroneToShopify: 0 },
  last30Days: { shopifyToEdrone: 0, edroneToShopify: 0 },
  daily: [],
  lastShopifyEventAt: null,
  lastEdroneEventAt: null,
  bulk: { today: 0, last30Days: 0 },
  failures: 0,
  queued: 0,
  storefrontChecksToday: 0,
  setup: COMPLETE_SETUP,
};

const SETTINGS: SettingsAnswer = {
  edroneAppId: 'app-123',
  edroneAppSecretSet: true,
  direction: 'both',
  edroneStatuses: 'all',
  channels: { email: true, sms: true },
  createMissingCustomers: false,
  syncUrl: 'https://sync.example.com/edrone/sync/tok_abc',
  edroneSignatureVariant: null,
};

let fetchMock: FetchMock;

beforeEach(() => {
  window.__SESSION_TOKEN__ = 'test-token';
  fetchMock = mockFetch();
  fetchMock.on('GET /api/status', { body: STATUS });
  fetchMock.on('GET /api/settings', { body: SETTINGS });
  fetchMock.on('GET /api/edrone-connection', { body: { last: null, lastAcceptedAt: null, recentRejections: [] } });
  fetchMock.on('GET /api/activity?*', { body: { items: [], page: 1, pageSize: 25, total: 0 } });
});

async function editOnSetup(): Promise<void> {
  window.history.replaceState(null, '', '/#setup');
  renderWithPolaris(<App />);
  fireEvent.change(await screen.findByLabelText('edrone App ID'), { target: { value: 'app-typed' } });
}

function selected(): string | null | undefined {
  return screen.queryAllByRole('tab').find((t) => t.getAttribute('aria-selected') === 'true')?.textContent;
}

describe('Unsaved changes guard', () => {
  it('another tab with unsaved edits asks first; "Keep editing" stays with the edits', async () => {
    await editOnSetup();
    fireEvent.click(screen.getByRole('tab', { name: 'Status' }));

    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Leave without saving?')).toBeTruthy();
    expect(selected()).toBe('Setup');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep editing' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(selected()).toBe('Setup');
    expect(screen.getByLabelText<HTMLInputElement>('edrone App ID').value).toBe('app-typed');
    expect(window.location.hash).toBe('#setup');
  });

  it('"Leave and discard changes" opens the tab, and the edits are gone when coming back', async () => {
    await editOnSetup();
    fireEvent.click(screen.getByRole('tab', { name: 'Status' }));
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Leave and discard changes' }));

    await waitFor(() => expect(selected()).toBe('Status'));
    expect(window.location.hash).toBe('#status');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    fireEvent.click(screen.getByRole('tab', { name: 'Setup' }));
    // Nothing unsaved any more: no question on the way back.
    expect(screen.queryByRole('dialog')).toBeNull();
    expect((await screen.findByLabelText<HTMLInputElement>('edrone App ID')).value).toBe('app-123');
  });

  it('Back (or a nav-menu link) with unsaved edits asks too, and the URL stays on Setup until the merchant agrees', async () => {
    await editOnSetup();
    act(() => {
      window.history.pushState(null, '', '/#activity');
      window.dispatchEvent(new PopStateEvent('popstate'));
    });
    expect(await screen.findByRole('dialog')).toBeTruthy();
    expect(selected()).toBe('Setup');
    expect(window.location.hash).toBe('#setup');
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Leave and discard changes' }));
    await waitFor(() => expect(selected()).toBe('Activity'));
  });

  it('without edits, tabs switch at once', async () => {
    window.history.replaceState(null, '', '/#setup');
    renderWithPolaris(<App />);
    await screen.findByLabelText('edrone App ID');
    fireEvent.click(screen.getByRole('tab', { name: 'Status' }));
    await waitFor(() => expect(selected()).toBe('Status'));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('closing or reloading the page is held back only while edits are unsaved', async () => {
    await editOnSetup();
    const unload = (): boolean => {
      const event = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(unload()).toBe(true);
    fireEvent.change(screen.getByLabelText('edrone App ID'), { target: { value: 'app-123' } });
    await waitFor(() => expect(unload()).toBe(false));
  });
});

describe('Navigation inside the Shopify admin', () => {
  it("with App Bridge the admin's nav menu is the navigation: no in-page tab bar", async () => {
    window.shopify = { idToken: async () => 'test-token' };
    window.history.replaceState(null, '', '/#status');
    renderWithPolaris(<App />);
    const panel = await screen.findByRole('region', { name: 'Status' });
    expect(panel.id).toBe('panel-status');
    expect(screen.queryByRole('tablist')).toBeNull();
    expect(screen.queryAllByRole('tab')).toHaveLength(0);
  });

  it('the nav menu in index.html lists every page, with hash links and the app home first', async () => {
    const { readFileSync } = await import('node:fs');
    const html = readFileSync(`${process.cwd()}/web/index.html`, 'utf8');
    const menu = /<ui-nav-menu>([\s\S]*?)<\/ui-nav-menu>/.exec(html)?.[1] ?? '';
    const links = [...menu.matchAll(/<a href="([^"]+)"( rel="home")?>([^<]+)<\/a>/g)].map((m) => [m[1], Boolean(m[2]), m[3]]);
    expect(links[0]).toEqual(['/', true, 'edrone consent sync']);
    expect(links.slice(1)).toEqual(
      ['setup', 'status', 'activity', 'failures', 'sync', 'customers'].map((tab) => [`/#${tab}`, false, tab.charAt(0).toUpperCase() + tab.slice(1)]),
    );
  });
});
