// @vitest-environment jsdom
import '../../test/setup.js';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { WebhookSubscription, WebhookSubscriptionDetail, WebhookSubscriptionsPage } from '../../api-types.js';
import { mockFetch, type FetchMock } from '../../test/mock-fetch.js';
import { renderWithPolaris } from '../../test/render.js';
import { webhookListPath, webhookPath } from './webhook-query.js';
import { WebhookSubscriptionsCard } from './webhook-subscriptions-card.js';

const ADDRESS = 'https://sync.example.com/webhooks';

function sub(n: number, over: Partial<WebhookSubscription> = {}): WebhookSubscription {
  return {
    id: `gid://shopify/WebhookSubscription/${n}`,
    topic: 'customers_marketing_consent/update',
    address: ADDRESS,
    apiVersion: '2026-07',
    status: 'active',
    createdAt: '2025-03-01T10:00:00.000Z',
    lastDeliveryAt: '2025-03-12T14:05:00.000Z',
    ...over,
  };
}

const ITEMS: WebhookSubscription[] = [
  sub(1),
  sub(2, { topic: 'customers_email_marketing_consent/update', status: 'failing' }),
  sub(3, { id: 'missing:app/uninstalled', topic: 'app/uninstalled', status: 'missing', address: ADDRESS, apiVersion: null, createdAt: null, lastDeliveryAt: null }),
];

function list(items: WebhookSubscription[], page = 1, total = items.length, pageSize = 25): WebhookSubscriptionsPage {
  return {
    items,
    page,
    pageSize,
    total,
    expectedAddress: ADDRESS,
    managedByAppConfig: (['customers/data_request', 'customers/redact', 'shop/redact'] as const).map((topic) => ({
      topic,
      address: ADDRESS,
      status: 'managed by app config' as const,
    })),
    note: 'Lists the subscriptions the app created through the Admin API for this store.',
  };
}

let fetchMock: FetchMock;

beforeEach(() => {
  window.__SESSION_TOKEN__ = 'test-token';
  // Polaris' modal locks page scrolling; jsdom has no window.scroll.
  window.scroll = () => undefined;
  fetchMock = mockFetch();
  fetchMock.on('GET /api/webhook-subscriptions?*', { body: list(ITEMS) });
});

const listUrls = (): string[] => fetchMock.callsTo('GET', '/api/webhook-subscriptions?').map((c) => c.url);

describe('webhook query strings', () => {
  it('always sends filter, page and pageSize, and escapes ids as one path segment', () => {
    expect(webhookListPath('all', 1)).toBe('/api/webhook-subscriptions?filter=all&page=1&pageSize=25');
    expect(webhookListPath('failing', 3, 10)).toBe('/api/webhook-subscriptions?filter=failing&page=3&pageSize=10');
    expect(webhookPath('gid://shopify/WebhookSubscription/1')).toBe(
      '/api/webhook-subscriptions/gid%3A%2F%2Fshopify%2FWebhookSubscription%2F1',
    );
  });
});

describe('Webhook subscriptions card', () => {
  it('lists each subscription with topic, address, API version, status badge, dates and a compliance note', async () => {
    renderWithPolaris(<WebhookSubscriptionsCard />);
    const rows = await screen.findAllByTestId('webhook-row');
    expect(rows).toHaveLength(3);
    expect(listUrls()).toEqual(['/api/webhook-subscriptions?filter=all&page=1&pageSize=25']);
    expect(fetchMock.calls[0]?.headers.authorization).toBe('Bearer test-token');
    const headers = Array.from(screen.getByTestId('webhooks-table').querySelectorAll('thead th')).map((th) => th.textContent);
    expect(headers).toEqual(['Topic', 'Address', 'API version', 'Status', 'Created', 'Last delivery', 'Actions']);
    const first = rows[0] as HTMLElement;
    expect(first.textContent).toContain('customers_marketing_consent/update');
    expect(first.textContent).toContain(ADDRESS);
    expect(first.textContent).toContain('2026-07');
    expect(rows.map((r) => within(r).getByTestId('webhook-status').dataset.status)).toEqual(['active', 'failing', 'missing']);
    expect(within(rows[1] as HTMLElement).getByText('Failing')).toBeTruthy();
    // A missing subscription has nothing to delete.
    expect(within(rows[2] as HTMLElement).queryByRole('button', { name: 'Delete' })).toBeNull();
    expect(within(rows[2] as HTMLElement).getByText('Not registered')).toBeTruthy();
    expect(screen.getAllByRole('button', { name: 'Delete' })).toHaveLength(2);
    expect(screen.getByTestId('webhooks').textContent).toContain('Compliance topics');
    expect(screen.getByTestId('webhooks').textContent).toContain('managed by the app configuration');
  });

  it('when the filter changes, then the query string carries it and paging starts again at page 1', async () => {
    fetchMock.on('GET /api/webhook-subscriptions?*', (call) => {
      const params = new URL(call.url, 'http://x').searchParams;
      return { body: list(ITEMS.slice(0, 2), Number(params.get('page')), 4, 2) };
    });
    renderWithPolaris(<WebhookSubscriptionsCard pageSize={2} />);
    await screen.findAllByTestId('webhook-row');
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(listUrls().at(-1)).toBe('/api/webhook-subscriptions?filter=all&page=2&pageSize=2'));

    fireEvent.change(screen.getByLabelText('Subscription status'), { target: { value: 'missing' } });
    await waitFor(() => expect(listUrls().at(-1)).toBe('/api/webhook-subscriptions?filter=missing&page=1&pageSize=2'));
    fireEvent.change(screen.getByLabelText('Subscription status'), { target: { value: 'failing' } });
    await waitFor(() => expect(listUrls().at(-1)).toBe('/api/webhook-subscriptions?filter=failing&page=1&pageSize=2'));
    expect(Array.from(screen.getByLabelText<HTMLSelectElement>('Subscription status').options).map((o) => o.textContent)).toEqual([
      'All',
      'Missing',
      'Failing',
    ]);
  });

  it('when a filter matches nothing, then it says so in plain words', async () => {
    fetchMock.on('GET /api/webhook-subscriptions?filter=failing*', { body: list([]) });
    renderWithPolaris(<WebhookSubscriptionsCard />);
    await screen.findAllByTestId('webhook-row');
    fireEvent.change(screen.getByLabelText('Subscription status'), { target: { value: 'failing' } });
    expect(await screen.findByText('Nothing is failing')).toBeTruthy();
  });

  it('when a row is opened, then its details and recent deliveries load', async () => {
    const detail: WebhookSubscriptionDetail = {
      ...sub(1),
      format: 'json',
      filter: null,
      endpointType: 'WebhookHttpEndpoint',
      includeFields: ['id', 'email_marketing_consent'],
      recentDeliveries: [
        { receivedAt: '2025-03-12T14:05:00.000Z', topic: 'customers_marketing_consent/update' },
        { receivedAt: '2025-03-12T13:00:00.000Z', topic: 'customers_marketing_consent/update' },
      ],
    };
    fetchMock.on(`GET ${webhookPath(detail.id as string)}`, { body: detail });
    renderWithPolaris(<WebhookSubscriptionsCard />);
    const rows = await screen.findAllByTestId('webhook-row');
    fireEvent.click(within(rows[0] as HTMLElement).getByRole('button', { name: 'View details for customers_marketing_consent/update' }));
    const panel = await screen.findByTestId('webhook-detail');
    await waitFor(() => expect(within(panel).getAllByTestId('webhook-delivery')).toHaveLength(2));
    expect(fetchMock.callsTo('GET', '/api/webhook-subscriptions/').map((c) => c.url)).toEqual([
      '/api/webhook-subscriptions/gid%3A%2F%2Fshopify%2FWebhookSubscription%2F1',
    ]);
    expect(panel.textContent).toContain('JSON');
    expect(panel.textContent).toContain('id, email_marketing_consent');
    expect(panel.textContent).toContain('None (every event)');
  });

  it('when a missing row is opened, then it explains there is nothing in Shopify without asking the server', async () => {
    renderWithPolaris(<WebhookSubscriptionsCard />);
    const rows = await screen.findAllByTestId('webhook-row');
    fireEvent.click(rows[2] as HTMLElement);
    const panel = await screen.findByTestId('webhook-detail');
    expect(panel.textContent).toContain('Shopify has no subscription for this topic');
    expect(fetchMock.callsTo('GET', '/api/webhook-subscriptions/')).toHaveLength(0);
    // Its `missing:<topic>` id is not a Shopify subscription id.
    expect(panel.textContent).not.toContain('Subscription ID');
    expect(panel.textContent).not.toContain('missing:app/uninstalled');
  });

  it('when Delete is confirmed, then it sends DELETE for that subscription and refreshes the list', async () => {
    fetchMock.on(`DELETE ${webhookPath(ITEMS[1]?.id as string)}`, () => {
      fetchMock.on('GET /api/webhook-subscriptions?*', { body: list([ITEMS[0] as WebhookSubscription, ITEMS[2] as WebhookSubscription]) });
      return { body: { ok: true } };
    });
    renderWithPolaris(<WebhookSubscriptionsCard />);
    const rows = await screen.findAllByTestId('webhook-row');

    // First press only asks; "Keep it" sends nothing.
    fireEvent.click(within(rows[1] as HTMLElement).getByRole('button', { name: 'Delete' }));
    let confirm = await screen.findByTestId('webhook-delete-confirm');
    expect(screen.getByText('Delete the subscription to customers_email_marketing_consent/update?')).toBeTruthy();
    expect(confirm.textContent).toContain(ADDRESS);
    fireEvent.click(screen.getByRole('button', { name: 'Keep it' }));
    await waitFor(() => expect(screen.queryByTestId('webhook-delete-confirm')).toBeNull());
    expect(fetchMock.calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);

    fireEvent.click(within(rows[1] as HTMLElement).getByRole('button', { name: 'Delete' }));
    confirm = await screen.findByTestId('webhook-delete-confirm');
    expect(confirm).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Delete subscription' }));

    expect(await screen.findByText('Subscription to customers_email_marketing_consent/update deleted')).toBeTruthy();
    const deletes = fetchMock.calls.filter((c) => c.method === 'DELETE');
    expect(deletes.map((c) => c.url)).toEqual(['/api/webhook-subscriptions/gid%3A%2F%2Fshopify%2FWebhookSubscription%2F2']);
    expect(deletes[0]?.headers.authorization).toBe('Bearer test-token');
    await waitFor(() => expect(screen.getAllByTestId('webhook-row')).toHaveLength(2));
    await waitFor(() => expect(screen.queryByTestId('webhook-delete-confirm')).toBeNull());
  });

  it('when Delete is refused, then the dialog stays open with the reason', async () => {
    fetchMock.on(`DELETE ${webhookPath(ITEMS[0]?.id as string)}`, { status: 403, body: { error: 'Shopify refused: access denied.' } });
    renderWithPolaris(<WebhookSubscriptionsCard />);
    const rows = await screen.findAllByTestId('webhook-row');
    fireEvent.click(within(rows[0] as HTMLElement).getByRole('button', { name: 'Delete' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete subscription' }));
    const confirm = screen.getByTestId('webhook-delete-confirm');
    await waitFor(() => expect(confirm.textContent).toContain('Shopify refused: access denied.'));
    expect(confirm.textContent).toContain('The subscription was not deleted');
  });

  it('when "Re-register missing" is pressed, then it POSTs register, reports how many and reloads', async () => {
    fetchMock.on('POST /api/webhook-subscriptions/register', () => {
      fetchMock.on('GET /api/webhook-subscriptions?*', { body: list([ITEMS[0] as WebhookSubscription, sub(4, { topic: 'app/uninstalled' })]) });
      return { body: { items: [sub(4, { topic: 'app/uninstalled' })] } };
    });
    renderWithPolaris(<WebhookSubscriptionsCard />);
    await screen.findAllByTestId('webhook-row');
    fireEvent.click(screen.getByRole('button', { name: 'Re-register missing' }));
    expect(await screen.findByText('1 subscription registered')).toBeTruthy();
    const posts = fetchMock.callsTo('POST', '/api/webhook-subscriptions/register');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.headers.authorization).toBe('Bearer test-token');
    await waitFor(() =>
      expect(screen.getAllByTestId('webhook-row').map((r) => r.dataset.status)).toEqual(['active', 'active']),
    );
    expect(listUrls()).toHaveLength(2);
  });

  it('when the list cannot load, then a merchant-language error with "Try again" shows', async () => {
    fetchMock.on('GET /api/webhook-subscriptions?*', { status: 500, body: { error: 'GraphQL error: throttled' } });
    renderWithPolaris(<WebhookSubscriptionsCard />);
    const alert = await screen.findByTestId('api-error');
    expect(alert.textContent).toContain('Webhook subscriptions could not be loaded');
    expect(alert.textContent).not.toContain('GraphQL');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
