// @vitest-environment jsdom
import '../../test/setup.js';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ActivityItem, ActivityPage as ActivityList } from '../../api-types.js';
import { mockFetch, type FetchMock } from '../../test/mock-fetch.js';
import { renderWithPolaris } from '../../test/render.js';
import { ActivityPage } from './activity-page.js';
import { EMPTY_FILTERS, activityPath } from './activity-query.js';

function item(id: number, over: Partial<ActivityItem> = {}): ActivityItem {
  return {
    id: String(id),
    shopId: 'demo-store.myshopify.com',
    jobId: null,
    eventId: null,
    createdAt: '2025-03-12T14:05:00.000Z',
    origin: 'shopify',
    target: 'edrone',
    channel: 'email',
    identity: `customer${id}@example.com`,
    customerId: `gid://shopify/Customer/${id}`,
    previousState: 'subscribed',
    newState: 'unsubscribed',
    result: 'sent',
    reason: null,
    reasonCode: null,
    retried: false,
    kind: 'live',
    summary: 'Email unsubscribe from Shopify',
    echo: false,
    ...over,
    // As the server words it: the stored reason without wire words (app/core/activity-words.ts).
    explanation: over.explanation !== undefined ? over.explanation : (over.reason ?? null),
  };
}

function page(items: ActivityItem[], p = 1, total = items.length): ActivityList {
  return { items, page: p, pageSize: 25, total };
}

let fetchMock: FetchMock;

beforeEach(() => {
  window.__SESSION_TOKEN__ = 'test-token';
  fetchMock = mockFetch();
});

const lastActivityUrl = (): string | undefined => fetchMock.callsTo('GET', '/api/activity').at(-1)?.url;

describe('activityPath', () => {
  it('leaves out empty filters', () => {
    expect(activityPath(EMPTY_FILTERS, 1)).toBe('/api/activity?page=1&pageSize=25&show=live&echoes=hide');
  });

  it('encodes every filter, trimming and escaping the search', () => {
    expect(
      activityPath({ direction: 'shopify_to_edrone', channel: 'sms', result: 'no_customer', q: ' +48500100200 ', show: 'all', run: '', echoes: false }, 3, 10),
    ).toBe('/api/activity?page=3&pageSize=10&direction=shopify_to_edrone&channel=sms&result=no_customer&q=%2B48500100200&show=all&echoes=hide');
    expect(activityPath({ ...EMPTY_FILTERS, run: 'job-1' }, 1)).toBe('/api/activity?page=1&pageSize=25&run=job-1&echoes=hide');
  });
});

describe('Activity page', () => {
  it('renders one row per change with a badge per result and the reason beside it', async () => {
    fetchMock.on('GET /api/activity?*', {
      body: page([
        item(1),
        item(2, { result: 'skipped', reason: 'Echo of our own change' }),
        item(3, { result: 'failed', reason: 'edrone answered 500' }),
        item(4, { result: 'no_customer', reason: 'No Shopify customer with this email', origin: 'edrone', target: 'shopify' }),
      ]),
    });
    renderWithPolaris(<ActivityPage />);
    const rows = await screen.findAllByTestId('activity-row');
    expect(rows).toHaveLength(4);
    expect(lastActivityUrl()).toBe('/api/activity?page=1&pageSize=25&show=live&echoes=hide');

    // Polaris prefixes a visually hidden tone ("Success", "Critical") for screen readers.
    const results = screen.getAllByTestId('result-badge').map((b) => [b.dataset.result, b.textContent]);
    expect(results).toEqual([
      ['sent', 'SuccessSent'],
      ['skipped', 'Skipped'],
      ['failed', 'CriticalFailed'],
      ['no_customer', 'AttentionNo customer'],
    ]);
    expect(within(rows[1] as HTMLElement).getByText('Echo of our own change')).toBeTruthy();
    expect(within(rows[2] as HTMLElement).getByText('edrone answered 500')).toBeTruthy();
    expect(within(rows[3] as HTMLElement).getByText('edrone → Shopify')).toBeTruthy();
    expect(within(rows[0] as HTMLElement).getByText('customer1@example.com')).toBeTruthy();
  });

  it('when filters change, then the query string carries them and paging restarts at 1', async () => {
    fetchMock.on('GET /api/activity?*', { body: page([item(1)], 1, 80) });
    renderWithPolaris(<ActivityPage searchDelayMs={10} />);
    await screen.findAllByTestId('activity-row');

    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(lastActivityUrl()).toBe('/api/activity?page=2&pageSize=25&show=live&echoes=hide'));

    fireEvent.change(screen.getByLabelText('Direction'), { target: { value: 'edrone_to_shopify' } });
    await waitFor(() => expect(lastActivityUrl()).toBe('/api/activity?page=1&pageSize=25&direction=edrone_to_shopify&show=live&echoes=hide'));

    fireEvent.change(screen.getByLabelText('Channel'), { target: { value: 'sms' } });
    fireEvent.change(screen.getByLabelText('Result'), { target: { value: 'failed' } });
    fireEvent.change(screen.getByLabelText('Search by email or phone'), { target: { value: 'jane@example.com' } });
    await waitFor(() =>
      expect(lastActivityUrl()).toBe(
        '/api/activity?page=1&pageSize=25&direction=edrone_to_shopify&channel=sms&result=failed&q=jane%40example.com&show=live&echoes=hide',
      ),
    );
    for (const call of fetchMock.calls) expect(call.headers.authorization).toBe('Bearer test-token');
  });

  it('pages forward and back with a "Page x of y" label', async () => {
    fetchMock.on('GET /api/activity?*', (call) => {
      const p = Number(new URL(call.url, 'http://x').searchParams.get('page'));
      return { body: page([item(p * 100)], p, 60) };
    });
    renderWithPolaris(<ActivityPage />);
    await screen.findByText('Page 1 of 3 (60 changes)');
    // Polaris disables buttons with aria-disabled, not the disabled attribute.
    expect(screen.getByRole('button', { name: 'Previous page' }).getAttribute('aria-disabled')).toBe('true');

    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByText('Page 2 of 3 (60 changes)');
    expect(screen.getByText('customer200@example.com')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByText('Page 3 of 3 (60 changes)');
    expect(screen.getByRole('button', { name: 'Next page' }).getAttribute('aria-disabled')).toBe('true');

    fireEvent.click(screen.getByRole('button', { name: 'Previous page' }));
    await screen.findByText('Page 2 of 3 (60 changes)');
    expect(fetchMock.callsTo('GET', '/api/activity').map((c) => new URL(c.url, 'http://x').searchParams.get('page'))).toEqual([
      '1',
      '2',
      '3',
      '2',
    ]);
  });

  it('when a row is opened, then every field shows, including the edrone reason code', async () => {
    fetchMock.on('GET /api/activity?*', {
      body: page([
        item(7, {
          origin: 'edrone',
          target: 'shopify',
          channel: 'sms',
          identity: '+48500100200',
          result: 'skipped',
          reason: 'Only unsubscribes are applied',
          reasonCode: 'TRACE_SUBSCRIBED (10)',
        }),
      ]),
    });
    renderWithPolaris(<ActivityPage />);
    const row = await screen.findByTestId('activity-row');
    fireEvent.click(within(row).getByRole('button', { name: /View details/ }));

    const detail = await screen.findByTestId('activity-detail');
    expect(within(detail).getByTestId('reason-code').textContent).toBe('TRACE_SUBSCRIBED (10)');
    for (const text of ['+48500100200', 'gid://shopify/Customer/7', 'Only unsubscribes are applied', 'SMS', 'Subscribed', 'Unsubscribed']) {
      expect(within(detail).getByText(text)).toBeTruthy();
    }
  });

  it('when there is no activity, then the empty state explains when rows appear', async () => {
    fetchMock.on('GET /api/activity?*', { body: page([]) });
    renderWithPolaris(<ActivityPage />);
    expect(
      await screen.findByText(
        'No activity yet: changes appear here as soon as a customer subscribes or unsubscribes on either side.',
      ),
    ).toBeTruthy();
  });

  it('when filters match nothing, then "Clear filters" resets them', async () => {
    fetchMock.on('GET /api/activity?*', { body: page([]) });
    renderWithPolaris(<ActivityPage />);
    await screen.findByTestId('empty');
    fireEvent.change(screen.getByLabelText('Result'), { target: { value: 'failed' } });
    await screen.findByText('No changes match these filters');
    fireEvent.click(screen.getAllByRole('button', { name: 'Clear filters' })[0] as HTMLElement);
    await waitFor(() => expect(lastActivityUrl()).toBe('/api/activity?page=1&pageSize=25&show=live&echoes=hide'));
    expect((screen.getByLabelText('Result') as HTMLSelectElement).value).toBe('');
  });

  it('when the server cannot be reached, then the merchant sees a plain message', async () => {
    fetchMock.on('GET /api/activity?*', () => {
      throw new TypeError('Failed to fetch');
    });
    renderWithPolaris(<ActivityPage />);
    const alert = await screen.findByTestId('api-error');
    expect(alert.textContent).toContain('Could not reach the app server');
  });

  it('a bulk run is one summary row; it lists the run\'s customers and "Back to live changes" returns', async () => {
    fetchMock.on('GET /api/activity?*', {
      body: page([item(1), item(2, { origin: 'backfill', channel: 'none', identity: null, result: 'recorded', kind: 'run_summary', jobId: 'job-run-1', reason: 'Initial sync finished' })]),
    });
    renderWithPolaris(<ActivityPage liveMs={0} />);
    const rows = await screen.findAllByTestId('activity-row');
    expect(rows[1]?.getAttribute('data-kind')).toBe('run_summary');
    fireEvent.click(within(rows[1] as HTMLElement).getByRole('button', { name: 'Initial sync: show its customers' }));
    await waitFor(() => expect(lastActivityUrl()).toBe('/api/activity?page=1&pageSize=25&run=job-run-1&echoes=hide'));
    fireEvent.click(screen.getByRole('button', { name: 'Back to live changes' }));
    await waitFor(() => expect(lastActivityUrl()).toBe('/api/activity?page=1&pageSize=25&show=live&echoes=hide'));
  });

  it('updates by itself while open, and holds new rows while the pointer is over the list', async () => {
    fetchMock.on('GET /api/activity?*', { body: page([item(1)]) });
    renderWithPolaris(<ActivityPage liveMs={30} />);
    await screen.findAllByTestId('activity-row');
    fetchMock.on('GET /api/activity?*', { body: page([item(2), item(1)]) });
    await waitFor(() => expect(screen.getAllByTestId('activity-row')).toHaveLength(2));

    const list = screen.getByTestId('activity-table').parentElement?.parentElement as HTMLElement;
    fireEvent.pointerEnter(list);
    fetchMock.on('GET /api/activity?*', { body: page([item(3), item(2), item(1)]) });
    const more = await screen.findByRole('button', { name: 'New changes: show them' });
    expect(screen.getAllByTestId('activity-row')).toHaveLength(2);
    fireEvent.click(more);
    await waitFor(() => expect(screen.getAllByTestId('activity-row')).toHaveLength(3));
  });
});
