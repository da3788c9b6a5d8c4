// @vitest-environment jsdom
import '../../test/setup.js';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { FailureItem, Paged } from '../../api-types.js';
import { mockFetch, type FetchMock } from '../../test/mock-fetch.js';
import { renderWithPolaris } from '../../test/render.js';
import { FailuresPage } from './failures-page.js';
import { reconcile, watchIds } from './retry-tracker.js';

function failure(id: number, over: Partial<FailureItem> = {}): FailureItem {
  return {
    id,
    kind: 'push_to_edrone',
    createdAt: '2025-03-12T14:05:00.000Z',
    updatedAt: '2025-03-12T15:05:00.000Z',
    attempts: 8,
    lastError: 'edrone answered 503 Service Unavailable',
    summary: `Unsubscribe customer${id}@example.com in edrone`,
    ...over,
  };
}

function list(items: FailureItem[]): Paged<FailureItem> {
  return { items, page: 1, pageSize: 25, total: items.length };
}

let fetchMock: FetchMock;

beforeEach(() => {
  window.__SESSION_TOKEN__ = 'test-token';
  fetchMock = mockFetch();
});

describe('retry tracker', () => {
  it('counts a vanished row as synced and a changed row as failed again', () => {
    let watches = watchIds({}, ['1', '2', '3']);
    // First answer after the retry: baseline for rows still listed.
    let r = reconcile(watches, [failure(1), failure(2), failure(3)]);
    expect(r.syncedIds).toEqual([]);
    watches = r.watches;
    r = reconcile(watches, [failure(2), failure(3, { attempts: 9, lastError: 'still down' })]);
    expect(r.syncedIds).toEqual(['1']);
    expect(r.failedAgain.map((f) => f.id)).toEqual([3]);
    expect(Object.keys(r.watches)).toEqual(['2']);
  });
});

describe('Failures page', () => {
  it('lists failed changes with their error and a Retry button each', async () => {
    fetchMock.on('GET /api/failures?*', { body: list([failure(1), failure(2, { lastError: 'Shopify: customer not found' })]) });
    renderWithPolaris(<FailuresPage />);
    const rows = await screen.findAllByTestId('failure-row');
    expect(rows).toHaveLength(2);
    expect(fetchMock.callsTo('GET', '/api/failures')[0]?.url).toBe('/api/failures?page=1&pageSize=25');
    expect(within(rows[1] as HTMLElement).getByText('Shopify: customer not found')).toBeTruthy();
    expect(screen.getAllByRole('button', { name: 'Retry' })).toHaveLength(2);
  });

  it('when Retry is pressed, then it POSTs to that job and, once the row is gone, says it synced', async () => {
    let retried = false;
    let pollsAfterRetry = 0;
    fetchMock.on('GET /api/failures?*', () => {
      if (!retried) return { body: list([failure(41), failure(42)]) };
      pollsAfterRetry += 1;
      // The worker needs a moment: the row stays for one poll, then the job succeeds.
      return { body: list(pollsAfterRetry < 2 ? [failure(41), failure(42)] : [failure(41)]) };
    });
    fetchMock.on('POST /api/failures/42/retry', () => {
      retried = true;
      return { body: { ok: true, job: { id: 42, status: 'pending' } } };
    });
    renderWithPolaris(<FailuresPage pollMs={20} />);
    const rows = await screen.findAllByTestId('failure-row');
    fireEvent.click(within(rows[1] as HTMLElement).getByRole('button', { name: 'Retry' }));

    await screen.findByText('Retrying 1 change');
    const posts = fetchMock.callsTo('POST', '/api/failures/');
    expect(posts.map((c) => c.url)).toEqual(['/api/failures/42/retry']);
    expect(posts[0]?.headers.authorization).toBe('Bearer test-token');

    expect(await screen.findByText('1 change synced')).toBeTruthy();
    await waitFor(() => expect(screen.getAllByTestId('failure-row')).toHaveLength(1));
    expect(screen.getByTestId('failure-row').dataset.id).toBe('41');
    // Polling stops once nothing is pending.
    const calls = fetchMock.callsTo('GET', '/api/failures').length;
    await new Promise((r) => setTimeout(r, 100));
    expect(fetchMock.callsTo('GET', '/api/failures').length).toBe(calls);
  });

  it('when a retried change fails again, then it says so with the new error', async () => {
    let polls = 0;
    fetchMock.on('GET /api/failures?*', () => {
      polls += 1;
      return { body: list([polls < 3 ? failure(5) : failure(5, { attempts: 9, lastError: 'edrone rejected the App ID' })]) };
    });
    fetchMock.on('POST /api/failures/5/retry', { body: { ok: true, job: { id: 5, status: 'pending' } } });
    renderWithPolaris(<FailuresPage pollMs={20} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Retry' }));
    const banner = await screen.findByTestId('retry-failed');
    expect(banner.textContent).toContain('1 change failed again');
    expect(banner.textContent).toContain('edrone rejected the App ID');
  });

  it('when "Retry all" is pressed, then it POSTs retry-all and reports how many were retried', async () => {
    let retried = false;
    fetchMock.on('GET /api/failures?*', () => ({ body: list(retried ? [] : [failure(1), failure(2)]) }));
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
