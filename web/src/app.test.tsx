// @vitest-environment jsdom
import './test/setup.js';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { App } from './app.js';
import type { SettingsAnswer, StatusAnswer } from './api-types.js';
import { mockFetch, type FetchMock } from './test/mock-fetch.js';
import { renderWithPolaris } from './test/render.js';

const WEBHOOK_HEALTH = {
  topics: [
    ['customers_email_marketing_consent/update', 'Email consent changes', 'receiving', 0],
    ['customers_marketing_consent/update', 'SMS consent changes', 'never', null],
    ['app/uninstalled', 'App uninstalled', 'never', null],
  ].map(([topic, label, state, hours]) => ({
    topic,
    label,
    source: 'app_config',
    state,
    lastDeliveryAt: hours === null ? null : new Date().toISOString(),
    hoursSinceDelivery: hours,
  })),
  quietAfterHours: 24,
  monitoringUrl: 'https://dev.shopify.com/dashboard',
  apiRegistration: false,
};

const STATUS: StatusAnswer = {
  state: 'failing',
  reason: 'edrone is not answering.',
  today: { shopifyToEdrone: 1, edroneToShopify: 2 },
  last30Days: { shopifyToEdrone: 10, edroneToShopify: 20 },
  daily: [],
  lastShopifyEventAt: null,
  lastEdroneEventAt: null,
  bulk: { today: 0, last30Days: 0 },
  failures: 4,
  queued: 1,
  storefrontChecksToday: 0,
};

const SETTINGS: SettingsAnswer = {
  edroneAppId: '',
  edroneAppSecretSet: false,
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
  fetchMock.on('GET /api/activity?*', { body: { items: [], page: 1, pageSize: 25, total: 0 } });
  fetchMock.on('GET /api/failures?*', { body: { items: [], page: 1, pageSize: 25, total: 0 } });
});

describe('App', () => {
  it('lands on Status for a configured store and switches tabs with the keyboard or a click', async () => {
    renderWithPolaris(<App />);
    const statusTab = await screen.findByRole('tab', { name: 'Status' });
    expect(statusTab.getAttribute('aria-selected')).toBe('true');
    expect(screen.getAllByRole('tab').map((t) => t.textContent?.replace(/\d+$/, ''))).toEqual([
      'Setup',
      'Status',
      'Activity',
      'Failures',
      'Sync',
      'Customers',
    ]);
    // The failure count is visible on the tab without changing its name.
    const failuresTab = screen.getByRole('tab', { name: 'Failures' });
    expect(failuresTab.getAttribute('aria-describedby')).toBe('tab-failures-count');
    expect(document.getElementById('tab-failures-count')?.textContent).toBe('4 changes failed to sync');

    fireEvent.keyDown(statusTab, { key: 'ArrowRight' });
    expect(screen.getByRole('tab', { name: 'Activity' }).getAttribute('aria-selected')).toBe('true');
    expect(window.location.hash).toBe('#activity');
    expect(await screen.findByText(/No activity yet/)).toBeTruthy();
    // The failing banner follows the merchant to other tabs.
    expect(screen.getByTestId('failing-banner').textContent).toContain('edrone is not answering.');
    expect(within(screen.getByTestId('failing-banner')).getByRole('button', { name: 'Review failures' })).toBeTruthy();

    fireEvent.click(screen.getByRole('tab', { name: 'Failures' }));
    expect(await screen.findByText('No failed changes')).toBeTruthy();
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe('tab-failures');
  });

  it('when only some changes failed, then no red banner follows the merchant to other tabs', async () => {
    fetchMock.on('GET /api/status', { body: { ...STATUS, state: 'some_failed', reason: '1 change could not be synced.', failures: 1 } });
    window.location.hash = '#activity';
    renderWithPolaris(<App />);
    expect(await screen.findByText(/No activity yet/)).toBeTruthy();
    expect(screen.queryByTestId('failing-banner')).toBeNull();
    expect(document.getElementById('tab-failures-count')?.textContent).toBe('1 change failed to sync');
  });

  it('lands on Setup when the store is not configured', async () => {
    fetchMock.on('GET /api/status', { body: { ...STATUS, state: 'not_configured', failures: 0 } });
    renderWithPolaris(<App />);
    expect(await screen.findByLabelText('edrone App ID')).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Setup' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByText("Save your edrone App ID first; your store's sync URL appears here.")).toBeTruthy();
  });

  it('opens the tab named in the URL hash', async () => {
    window.history.replaceState(null, '', '/?id_token=abc#failures');
    renderWithPolaris(<App />);
    await waitFor(() => expect(screen.getByRole('tab', { name: 'Failures' }).getAttribute('aria-selected')).toBe('true'));
    expect(await screen.findByText('No failed changes')).toBeTruthy();
  });

  it('opens the Sync tab from the URL hash with its three cards; toml topics that deliver are "Receiving", never "Missing"', async () => {
    fetchMock.on('GET /api/backfill', { body: { run: null } });
    fetchMock.on('GET /api/reconcile', { body: { intervalMinutes: 360, lastRunAt: null, nextRunAt: null, lastRun: null } });
    fetchMock.on('GET /api/webhook-health', { body: WEBHOOK_HEALTH });
    fetchMock.on('GET /api/webhook-subscriptions?*', { body: { items: [], page: 1, pageSize: 25, total: 0 } });
    window.history.replaceState(null, '', '/#sync');
    renderWithPolaris(<App />);
    await waitFor(() => expect(screen.getByRole('tab', { name: 'Sync' }).getAttribute('aria-selected')).toBe('true'));
    expect(await screen.findByRole('heading', { name: 'Initial sync' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Reconciliation' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Shopify webhooks' })).toBeTruthy();
    const rows = await screen.findAllByTestId('webhook-topic');
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringContaining('Email consent changes'),
      expect.stringContaining('SMS consent changes'),
      expect.stringContaining('App uninstalled'),
    ]);
    expect(rows[0]?.textContent).toContain('Receiving');
    expect(screen.queryByText('Missing')).toBeNull();
    // The Admin API list is a secondary action, loaded only when asked for.
    expect(fetchMock.callsTo('GET', '/api/webhook-subscriptions')).toHaveLength(0);
    expect(screen.getByRole('link', { name: 'Dev Dashboard' }).getAttribute('href')).toBe('https://dev.shopify.com/dashboard');
    fireEvent.click(screen.getByRole('button', { name: 'Manage Admin API subscriptions' }));
    expect(await screen.findByText('No subscriptions registered through the Admin API')).toBeTruthy();
    expect(fetchMock.callsTo('GET', '/api/webhook-subscriptions')[0]?.url).toBe(
      '/api/webhook-subscriptions?filter=all&page=1&pageSize=25',
    );
  });

  it('after setup, starting the offered initial sync opens the Sync tab showing its progress', async () => {
    const running = {
      id: 1,
      status: 'running',
      phase: 'exporting',
      read: 12,
      sent: 0,
      skipped: 0,
      failed: 0,
      startedAt: '2025-03-12T14:05:00.000Z',
      finishedAt: null,
      error: null,
    };
    fetchMock.on('GET /api/status', { body: { ...STATUS, state: 'not_configured', failures: 0 } });
    fetchMock.on('PUT /api/settings', { body: { ...SETTINGS, edroneAppId: 'app-1', edroneAppSecretSet: true } });
    fetchMock.on('GET /api/backfill', { body: { run: null } });
    fetchMock.on('POST /api/backfill', () => {
      fetchMock.on('GET /api/backfill', { body: { run: running } });
      return { body: { run: running } };
    });
    fetchMock.on('GET /api/reconcile', { body: { intervalMinutes: 360, lastRunAt: null, nextRunAt: null, lastRun: null } });
    fetchMock.on('GET /api/webhook-subscriptions?*', { body: { items: [], page: 1, pageSize: 25, total: 0 } });
    renderWithPolaris(<App />);
    fireEvent.change(await screen.findByLabelText('edrone App ID'), { target: { value: 'app-1' } });
    fireEvent.change(screen.getByLabelText('edrone App Secret'), { target: { value: 'secret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const offer = await screen.findByTestId('backfill-offer');
    fireEvent.click(within(offer).getByRole('button', { name: 'Start initial sync' }));
    await waitFor(() => expect(screen.getByRole('tab', { name: 'Sync' }).getAttribute('aria-selected')).toBe('true'));
    expect(window.location.hash).toBe('#sync');
    expect((await screen.findByTestId('backfill-progress')).textContent).toContain('Step 1 of 2');
  });
});
