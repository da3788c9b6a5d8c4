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
    lastError: 'edrone is unavailable (HTTP 503).',
    summary: `Unsubscribe (email) of customer${id}@example.com could not reach edrone`,
    customer: `customer${id}@example.com`,
    channel: 'email',
    change: 'unsubscribe',
    target: 'edrone',
    otherChanges: 0,
    reason: 'edrone could not be reached: all 8 tries failed. edrone is unavailable (HTTP 503).',
    action: 'Nothing to fix on your side: select Retry once edrone is reachable again.',
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
  it('lists failed changes with their reason and a Retry button each', async () => {
    fetchMock.on('GET /api/failures?*', { body: list([failure(1), failure(2, { reason: 'Shopify refused this change: customer not found' })]) });
    fetchMock.on('GET /api/status', { body: { queued: 0 } });
    renderWithPolaris(<FailuresPage />);
    const rows = await screen.findAllByTestId('failure-row');
    expect(rows).toHaveLength(2);
    expect(fetchMock.callsTo('GET', '/api/failures')[0]?.url).toBe('/api/failures?page=1&pageSize=25');
    expect(within(rows[1] as HTMLElement).getByText('Shopify refused this change: customer not found')).toBeTruthy();
    expect(screen.getAllByRole('button', { name: 'Retry' })).toHaveLength(2);
  });

  it('a row says who, which change to which side, why, what to do, and the real number of tries', async () => {
    const refused = failure(7, {
      customer: '+48500100200',
      channel: 'sms',
      change: 'subscribe',
      target: 'edrone',
      attempts: 1,
      summary: 'Subscribe (SMS) of +48500100200 could not reach edrone',
      reason: 'edrone refused this change on the first try, so it was not tried again. edrone rejected the update (HTTP 400).',
      action: 'Check that the email or phone is valid, then select Retry.',
    });
    fetchMock.on('GET /api/failures?*', { body: list([refused]) });
    renderWithPolaris(<FailuresPage liveMs={0} />);
    const row = await screen.findByTestId('failure-row');
    const cell = (label: string) => row.querySelector(`td[data-label="${label}"]`)?.textContent ?? '';
    expect(cell('Customer')).toContain('+48500100200');
    expect(cell('Customer')).toContain('SMS');
    expect(within(row).getByTestId('failure-change').textContent).toBe('Subscribe');
    expect(cell('Change')).toContain('Could not reach edrone');
    expect(within(row).getByTestId('failure-reason').textContent).toBe(refused.reason);
    expect(within(row).getByTestId('failure-action').textContent).toBe('What to do: Check that the email or phone is valid, then select Retry.');
    expect(within(row).getByTestId('failure-tries').textContent).toBe('1');
    // The Retry button is described by the change it retries.
    const retry = within(row).getByRole('button', { name: 'Retry' });
    const describedBy = document.getElementById(retry.getAttribute('aria-describedby') ?? '');
    expect(describedBy?.textContent).toBe('Subscribe (SMS) of +48500100200 could not reach edrone');
    expect(screen.getByText(/1 change could not be synced\./)).toBeTruthy();
    expect(screen.queryByText(/several automatic tries/)).toBeNull();
  });

  it('an edrone request with several changes says how many more', async () => {
    fetchMock.on('GET /api/failures?*', {
      body: list([failure(8, { target: 'shopify', change: 'unsubscribe', otherChanges: 2, summary: 'x' })]),
    });
    renderWithPolaris(<FailuresPage liveMs={0} />);
    const row = await screen.findByTestId('failure-row');
    expect(row.textContent).toContain('Could not reach Shopify');
    expect(row.textContent).toContain('and 2 other changes in the same request');
  });

  it('updates by itself while open, keeping the page; under the pointer a changed list waits behind a button', async () => {
    fetchMock.on('GET /api/failures?*', { body: { ...list([failure(1)]), total: 30 } });
    renderWithPolaris(<FailuresPage liveMs={30} pageSize={1} />);
    await screen.findByTestId('failure-row');
    fireEvent.click(screen.getByRole('button', { name: /next/i }));
    await waitFor(() => expect(fetchMock.calls.at(-1)?.url).toBe('/api/failures?page=2&pageSize=1'));
    fetchMock.on('GET /api/failures?*', { body: { ...list([failure(2)]), page: 2, pageSize: 1, total: 31 } });
    await waitFor(() => expect(screen.getByTestId('failure-row').dataset.id).toBe('2'));
    // Polling stays on the merchant's page.
    expect(new Set(fetchMock.callsTo('GET', '/api/failures').slice(-3).map((c) => c.url))).toEqual(new Set(['/api/failures?page=2&pageSize=1']));

    const table = screen.getByTestId('failures-table').parentElement?.parentElement as HTMLElement;
    fireEvent.pointerEnter(table);
    fetchMock.on('GET /api/failures?*', { body: { ...list([failure(3)]), page: 2, pageSize: 1, total: 32 } });
    const show = await screen.findByRole('button', { name: 'The list changed: show it' });
    expect(screen.getByTestId('failure-row').dataset.id).toBe('2');
    fireEvent.click(show);
    await waitFor(() => expect(screen.getByTestId('failure-row').dataset.id).toBe('3'));
  });

  it('keeps keyboard focus on a row while the list updates around it', async () => {
    fetchMock.on('GET /api/failures?*', { body: list([failure(1), failure(2)]) });
    renderWithPolaris(<FailuresPage liveMs={30} />);
    const rows = await screen.findAllByTestId('failure-row');
    const retry = within(rows[1] as HTMLElement).getByRole('button', { name: 'Retry' });
    retry.focus();
    fireEvent.focus(retry);
    fetchMock.on('GET /api/failures?*', { body: list([failure(0), failure(1), failure(2)]) });
    await screen.findByRole('button', { name: 'The list changed: show it' });
    expect(screen.getAllByTestId('failure-row')).toHaveLength(2);
    expect(document.activeElement).toBe(retry);
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
      const again = { attempts: 8, lastError: 'edrone 401: bad app_id', reason: 'edrone rejected the App ID' };
      return { body: list(polls < 2 ? [] : [failure(5, again)]) };
    });
    fetchMock.on('POST /api/failures/5/retry', () => {
      retried = true;
      return { body: { ok: true, job: { id: '5', status: 'queued' } } };
    });
    renderWithPolaris(<FailuresPage pollMs={20} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Retry' }));
    const banner = await screen.findByTestId('retry-failed');
    expect(banner.textContent).toContain('1 change failed again');
    // The new failure's reason in plain words, not the raw error.
    expect(banner.textContent).toContain('edrone rejected the App ID');
    expect(banner.textContent).not.toContain('bad app_id');
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
