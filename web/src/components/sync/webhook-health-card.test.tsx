// @vitest-environment jsdom
import '../../test/setup.js';
import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { WebhookHealthAnswer } from '../../api-types.js';
import { mockFetch, type FetchMock } from '../../test/mock-fetch.js';
import { renderWithPolaris } from '../../test/render.js';
import { WebhookHealthCard, topicStateLook } from './webhook-health-card.js';

const topic = (t: string, label: string, state: WebhookHealthAnswer['topics'][number]['state'], hours: number | null, source: 'app_config' | 'api' = 'app_config') => ({
  topic: t,
  label,
  source,
  state,
  lastDeliveryAt: hours === null ? null : new Date(Date.now() - hours * 3_600_000).toISOString(),
  hoursSinceDelivery: hours,
});

let fetchMock: FetchMock;
beforeEach(() => {
  window.__SESSION_TOKEN__ = 'test-token';
  fetchMock = mockFetch();
  fetchMock.on('GET /api/webhook-subscriptions?*', { body: { items: [], page: 1, pageSize: 25, total: 0, expectedAddress: 'https://a.example/webhooks', managedByAppConfig: [], note: '' } });
});

describe('topicStateLook', () => {
  it('says how long a quiet topic has been without deliveries', () => {
    expect(topicStateLook({ state: 'quiet', hoursSinceDelivery: 30 })).toEqual({ label: 'No delivery for 30 hours', tone: 'warning' });
    expect(topicStateLook({ state: 'receiving', hoursSinceDelivery: 0 }).label).toBe('Receiving');
  });
});

describe('Shopify webhooks card', () => {
  it('shows receiving, quiet and never-delivered topics in merchant words; the API list stays closed', async () => {
    fetchMock.on('GET /api/webhook-health', {
      body: {
        topics: [
          topic('customers_email_marketing_consent/update', 'Email consent changes', 'receiving', 0),
          topic('customers_marketing_consent/update', 'SMS consent changes', 'quiet', 30),
          topic('app/uninstalled', 'App uninstalled', 'never', null),
        ],
        quietAfterHours: 24,
        monitoringUrl: 'https://dev.shopify.com/dashboard',
        apiRegistration: false,
      },
    });
    renderWithPolaris(<WebhookHealthCard />);
    const rows = await screen.findAllByTestId('webhook-topic');
    expect(rows.map((r) => r.getAttribute('data-state'))).toEqual(['receiving', 'quiet', 'never']);
    expect(within(rows[1] as HTMLElement).getByText('No delivery for 30 hours')).toBeTruthy();
    expect(within(rows[2] as HTMLElement).getByText('No delivery yet')).toBeTruthy();
    expect(screen.queryByText('Missing')).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Subscriptions registered through the Admin API' })).toBeNull();
  });

  it('a missing API-registered subscription opens the Admin API list with its secondary re-register', async () => {
    fetchMock.on('GET /api/webhook-health', {
      body: {
        topics: [topic('customers_email_marketing_consent/update', 'Email consent changes', 'missing', null, 'api')],
        quietAfterHours: 24,
        monitoringUrl: 'https://dev.shopify.com/dashboard',
        apiRegistration: true,
      },
    });
    renderWithPolaris(<WebhookHealthCard />);
    expect((await screen.findByTestId('webhook-topic')).textContent).toContain('Missing');
    expect(await screen.findByRole('heading', { name: 'Subscriptions registered through the Admin API' })).toBeTruthy();
    const button = screen.getByRole('button', { name: 'Re-register missing' });
    expect(button.className).not.toContain('primary');
  });

  it('while open, a first delivery shows by itself; with API registration (each read asks Shopify) it re-reads less often', async () => {
    const answer = (hours: number | null, apiRegistration = false) => ({
      body: {
        topics: [topic('customers_email_marketing_consent/update', 'Email consent changes', hours === null ? 'never' : 'receiving', hours)],
        quietAfterHours: 24,
        monitoringUrl: 'https://dev.shopify.com/dashboard',
        apiRegistration,
      },
    });
    fetchMock.on('GET /api/webhook-health', answer(null));
    const { unmount } = renderWithPolaris(<WebhookHealthCard liveMs={30} apiLiveMs={10_000} />);
    expect((await screen.findByTestId('webhook-topic')).dataset.state).toBe('never');
    fetchMock.on('GET /api/webhook-health', answer(0));
    await waitFor(() => expect(screen.getByTestId('webhook-topic').dataset.state).toBe('receiving'));
    unmount();

    fetchMock.on('GET /api/webhook-health', answer(0, true));
    renderWithPolaris(<WebhookHealthCard liveMs={30} apiLiveMs={10_000} />);
    await screen.findByTestId('webhook-topic');
    await new Promise((r) => setTimeout(r, 100));
    const reads = fetchMock.callsTo('GET', '/api/webhook-health').length;
    await new Promise((r) => setTimeout(r, 150));
    expect(fetchMock.callsTo('GET', '/api/webhook-health').length).toBe(reads);
  });
});
