// @vitest-environment jsdom
import '../../test/setup.js';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { FailureItem, FailuresPage as FailureList } from '../../api-types.js';
import { mockFetch, type FetchMock } from '../../test/mock-fetch.js';
import { renderWithPolaris } from '../../test/render.js';
import { FailuresPage } from './failures-page.js';
import { reconcile, watchIds } from './retry-tracker.js';

function failure(id: number, over: Partial<FailureItem> = {}): FailureItem {
  return {
    id: String(id),
    kind: 'shopify-webhook',
    createdAt: '2025-03-12T14:05:00.000Z',
    updatedAt: '2025-03-12T15:05:00.000Z',
    attempts: 8,
    lastError: 'edrone answered 503 Service Unavailable',
    summary: `Unsubscribe customer${id}@example.com in edrone`,
    ...over,
  };
}

function list(items: FailureItem[]): FailureList {
  return { items, page: 1, pageSize: 25, total: items.length };
}

let fetchMock: FetchMock;

beforeEach(() => {
  window.__SESSION_TOKEN__ = 'test-token';
  fetchMock = mockFetch();
});

describe('retry tracker', () => {
  it('counts a listed row whose attempts or error change as failed again', () => {
    let watches = watchIds({}, ['1', '2']);
    let r = reconcile(watches, [failure(1), failure(2)], 0);
    expect(r.syncedIds).toEqual([]);
    watches = r.watches;
    r = reconcile(watches, [failure(1), failure(2, { attempts: 9, lastError: 'still down' })], 0);
    expect(r.failedAgain.map((f) => f.id)).toEqual(['2']);
    expect(Object.keys(r.watches)).toEqual(['1']);
  });

  it('counts a row that left the list as synced only once the queue has drained', () => {
    let r = reconcile(watchIds({}, ['1']), [], 3);
    expect(r.syncedIds).toEqual([]);
    expect(r.watches['1']?.left).toBe(true);
    r = reconcile(r.watches, [], 0);
    expect(r.syncedIds).toEqual(['1']);
  });

  it('counts a row that comes back to the list as failed again', () => {
    const left = reconcile(watchIds({}, ['1']), [], 1).watches;
    const r = reconcile(left, [failure(1, { attempts: 8 })], 1);
    expect(r.failedAgain.map((f) => f.id)).toEqual(['1']);
    expect(r.watches).toEqual({});
  });

  it('trusts the list when the queue size is unknown', () => {
    expect(reconcile(watchIds({}, ['1']), [], null).syncedIds).toEqual(['1']);
  });
});

describe('Failures page', () => {
  it('lists failed changes with their error and a Retry button each', async () => {
    fetchMock.on('GET /api/failures?*', { body: list([failure(1), failure(2, { lastError: 'Shopify: customer not found' })]) });
    fetchMock.on('GET /api/status', { body: { queued: 0 } });
    renderWithPolaris(<FailuresPage />);
    const rows = await screen.findAllByTestId('failure-row');
    expect(rows).toHaveLength(2);
    expect(fetchMock.callsTo('GET', '/api/failures')[0]?.url).toBe('/api/failures?page=1&pageSize=25');
    expect(within(rows[1] as HTMLElement).getByText('Shopify: customer not found')).toBeTruthy();
    expect(screen.getAllByRole('button', { name: 'Retry' })).toHaveLength(2);
  });

  it('when Retry is pressed, then it POSTs to that job and, once it ran, says it synced', async () => {
    // Like the real server: the job leaves the dead-letter list at once and sits in the queue
    // until the worker has run it.
    let retried = false;
    let statusCalls = 0;
    fetchMock.on('GET /api/failures?*', () => ({ body: list(retried ? [failure(41)] : [failure(41), failure(42)]) }));
    fetchMock.on('GET /api/status', () => {
      statusCalls += 1;
      return { body: { queued: statusCalls < 2 ? 1 : 0 } };
    });
    fetchMock.on('POST /api/failures/42/retry', () => {
      retried = true;
      return { body: { ok: true, job: { id: '42', status: 'queued' } } };
    });
    renderWithPolaris(<FailuresPage pollMs={20} />);
    const rows = await screen.findAllByTestId('failure-row');
    fireEvent.click(within(rows[1] as HTMLElement).getByRole('button', { name: 'Retry' }));

    await screen.findByText('Retrying 1 change');
    const posts = fetchMock.callsTo('POST', '/api/failures/');
    expect(posts.map((c) => c.url)).toEqual(['/api/failures/42/retry']);
    expect(posts[0]?.headers.authorization).toBe('Bearer test-token');

    expect(await screen.findByText('1 change synced')).toBeTruthy();
    expect(statusCalls).toBeGreaterThanOrEqual(2);
    expect(screen.queryByText('Retrying 1 change')).toBeNull();
    expect(screen.getAllByTestId('failure-row').map((r) => r.dataset.id)).toEqual(['41']);
    // Polling stops once nothing is pending.
    const calls = fetchMock.callsTo('GET', '/api/failures').length;
    await new Promise((r) => setTimeout(r, 100));
    expect(fetchMock.callsTo('GET', '/api/failures').length).toBe(calls);
  });

  it('when a retried change fails again, then it says so with the new error', async () => {
    let polls = 0;
    let retried = false;
    fetchMock.on('GET /api/status', { body: { queued: 1 } });
    fetchMock.on('GET /api/failures?*', () => {
      if (!retried) return { body: list([failure(5)]) };
      polls += 1;
      // Gone while queued, then back in the dead-letter list with a new error.
      return { body: list(polls < 2 ? [] : [failure(5, { attempts: 8, lastError: 'edrone rejected the App ID' })]) };
    });
    fetchMock.on('POST /api/failures/5/retry', () => {
      retried = true;
      return { body: { ok: true, job: { id: '5', status: 'queued' } } };
    });
    renderWithPolaris(<FailuresPage pollMs={20} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Retry' }));
    const banner = await screen.findByTestId('retry-failed');
    expect(banner.textContent).toContain('1 change failed again');
    expect(banner.textContent).toContain('edrone rejected the App ID');
    expect(screen.queryByText('1 change synced')).toBeNull();
  });

  it('when "Retry all" is pressed, then it POSTs retry-all and reports how many were retried', async () => {
    let retried = false;
    fetchMock.on('GET /api/failures?*', () => ({ body: list(retried ? [] : [failure(1), failure(2)]) }));
    fetchMock.on('GET /api/status', { body: { queued: 0 } });
    fetchMock.on('POST /api/failures/retry-all', () => {
      retried = true;
      return { body: { retried: 2 } };
    });
    renderWithPolaris(<FailuresPage pollMs={20} />);
    await screen.findAllByTestId('failure-row');
    fireEvent.click(screen.getByRole('button', { name: 'Retry all' }));
    expect(await screen.findByText('2 changes synced')).toBeTruthy();
    expect(fetchMock.callsTo('POST', '/api/failures/retry-all')).toHaveLength(1);
    expect(await screen.findByText('No failed changes')).toBeTruthy();
  });

  it('when the retry is refused, then the error is shown and the row is retryable again', async () => {
    fetchMock.on('GET /api/failures?*', { body: list([failure(9)]) });
    fetchMock.on('POST /api/failures/9/retry', { status: 404, body: { error: 'This failure was already retried.' } });
    renderWithPolaris(<FailuresPage pollMs={20} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Retry' }));
    const alert = await screen.findByTestId('api-error');
    expect(alert.textContent).toContain('This failure was already retried.');
    expect(screen.getByRole('button', { name: 'Retry' }).getAttribute('aria-disabled')).toBeNull();
  });

  it('when nothing failed, then an empty state shows and Retry all is disabled', async () => {
    fetchMock.on('GET /api/failures?*', { body: list([]) });
    renderWithPolaris(<FailuresPage />);
    expect(await screen.findByText('No failed changes')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Retry all' }).getAttribute('aria-disabled')).toBe('true');
  });
});
