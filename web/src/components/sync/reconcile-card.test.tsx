// @vitest-environment jsdom
import '../../test/setup.js';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ReconcileAnswer, ReconcileLastRun, ReconcileRun } from '../../api-types.js';
import { mockFetch, type FetchMock } from '../../test/mock-fetch.js';
import { renderWithPolaris } from '../../test/render.js';
import { ReconcileCard, intervalOptions } from './reconcile-card.js';

const SETTINGS: ReconcileAnswer = {
  intervalMinutes: 360,
  lastRunAt: '2025-03-12T14:05:00.000Z',
  nextRunAt: '2025-03-12T20:05:00.000Z',
  lastRun: { checked: 1234, repaired: 3, at: '2025-03-12T14:05:00.000Z', status: 'completed', failed: 0, error: null },
  running: false,
  currentRun: null,
  blockedBy: null,
};

function describedText(el: HTMLElement): string {
  const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
}

let fetchMock: FetchMock;

beforeEach(() => {
  window.__SESSION_TOKEN__ = 'test-token';
  fetchMock = mockFetch();
  fetchMock.on('GET /api/reconcile', { body: SETTINGS });
});

async function renderLoaded(): Promise<HTMLSelectElement> {
  renderWithPolaris(<ReconcileCard />);
  return screen.findByLabelText<HTMLSelectElement>('Check every');
}

describe('intervalOptions', () => {
  it('offers 15 min, 1 h, 6 h (default), 12 h and 24 h, plus a saved value outside the list', () => {
    expect(intervalOptions(360).map((o) => o.value)).toEqual(['15', '60', '360', '720', '1440']);
    expect(intervalOptions(360)[2]?.label).toBe('6 hours (default)');
    const custom = intervalOptions(10080);
    expect(custom.map((o) => o.value)).toEqual(['15', '60', '360', '720', '1440', '10080']);
    expect(custom.at(-1)?.label).toBe('7 days');
  });
});

describe('Reconciliation card', () => {
  it('shows the saved interval, when it last ran, what it repaired and the next check', async () => {
    const select = await renderLoaded();
    expect(select.value).toBe('360');
    expect(Array.from(select.options).map((o) => o.textContent)).toEqual([
      '15 minutes',
      '1 hour',
      '6 hours (default)',
      '12 hours',
      '24 hours',
    ]);
    const lastRun = screen.getByTestId('reconcile-last-run');
    expect(lastRun.textContent).toContain('Checked 1,234 customers; repaired 3 that did not match.');
    expect(lastRun.querySelectorAll('time')[0]?.getAttribute('datetime')).toBe(SETTINGS.lastRunAt);
    expect(lastRun.querySelectorAll('time')[1]?.getAttribute('datetime')).toBe(SETTINGS.nextRunAt);
    // Nothing changed yet, so there is nothing to save.
    expect(screen.getByRole('button', { name: 'Save interval' }).getAttribute('aria-disabled')).toBe('true');
  });

  it('when it never ran, then it says so', async () => {
    fetchMock.on('GET /api/reconcile', { body: { ...SETTINGS, lastRunAt: null, nextRunAt: null, lastRun: null } });
    await renderLoaded();
    const lastRun = screen.getByTestId('reconcile-last-run');
    expect(lastRun.textContent).toContain('Not run yet');
    expect(lastRun.textContent).toContain('the first check has not run');
  });

  it('when a new interval is saved, then PUT /api/reconcile gets { intervalMinutes } as a number', async () => {
    fetchMock.on('PUT /api/reconcile', (call) => ({ body: { ...SETTINGS, ...(call.body as object) } }));
    const select = await renderLoaded();
    fireEvent.change(select, { target: { value: '15' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save interval' }));
    expect(await screen.findByTestId('reconcile-saved')).toBeTruthy();
    expect(screen.getByTestId('reconcile-saved').textContent).toContain('every 15 minutes');
    const puts = fetchMock.callsTo('PUT', '/api/reconcile');
    expect(puts.map((c) => c.body)).toEqual([{ intervalMinutes: 15 }]);
    expect(puts[0]?.headers['content-type']).toBe('application/json');
    expect(puts[0]?.headers.authorization).toBe('Bearer test-token');
    expect(screen.getByLabelText<HTMLSelectElement>('Check every').value).toBe('15');
  });

  it('when the API rejects the interval, then its message shows on the select, which gets focus', async () => {
    fetchMock.on('PUT /api/reconcile', {
      status: 400,
      body: { error: 'Invalid settings', fieldErrors: { intervalMinutes: 'Choose between 15 minutes and 7 days.' } },
    });
    const select = await renderLoaded();
    fireEvent.change(select, { target: { value: '1440' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save interval' }));

    await waitFor(() => expect(describedText(select)).toContain('Choose between 15 minutes and 7 days.'));
    expect(select.getAttribute('aria-invalid')).toBe('true');
    await waitFor(() => expect(document.activeElement).toBe(select));
    expect(screen.queryByTestId('reconcile-saved')).toBeNull();
    // Picking another value clears the stale message.
    fireEvent.change(select, { target: { value: '60' } });
    expect(describedText(select)).not.toContain('Choose between');
  });

  it('when saving fails without a field error, then a banner explains it', async () => {
    fetchMock.on('PUT /api/reconcile', { status: 503, body: {} });
    const select = await renderLoaded();
    fireEvent.change(select, { target: { value: '60' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save interval' }));
    const alert = await screen.findByTestId('api-error');
    expect(alert.textContent).toContain('The interval was not saved');
    expect(alert.textContent).toContain('Something went wrong on our side');
  });

  it('when "Run now" is pressed, then it POSTs and shows what the check repaired', async () => {
    const lastRun: ReconcileLastRun = { checked: 1300, repaired: 0, at: '2025-03-12T16:00:00.000Z', status: 'completed', failed: 0, error: null };
    const run: ReconcileRun = {
      id: 'rec-1',
      status: 'completed',
      state: 'completed',
      trigger: 'manual',
      since: '2025-03-12T13:55:00.000Z',
      checked: 1300,
      repaired: 0,
      failed: 0,
      startedAt: '2025-03-12T15:59:00.000Z',
      finishedAt: lastRun.at,
      error: null,
    };
    fetchMock.on('POST /api/reconcile/run', () => {
      fetchMock.on('GET /api/reconcile', { body: { ...SETTINGS, lastRun, lastRunAt: lastRun.at, nextRunAt: '2025-03-12T22:00:00.000Z' } });
      return { body: { lastRun, run } };
    });
    await renderLoaded();
    fireEvent.click(screen.getByRole('button', { name: 'Run now' }));
    const result = await screen.findByTestId('reconcile-result');
    expect(result.textContent).toBe('Check finished. Checked 1,300 customers; everything matched, nothing needed repairing.');
    expect(fetchMock.callsTo('POST', '/api/reconcile/run')).toHaveLength(1);
    await waitFor(() =>
      expect(screen.getByTestId('reconcile-last-run').querySelectorAll('time')[1]?.getAttribute('datetime')).toBe(
        '2025-03-12T22:00:00.000Z',
      ),
    );
    expect(screen.getByTestId('reconcile-last-run').textContent).toContain('Checked 1,300 customers');
  });

  it('when the last check stopped because of a problem, then it says so with the reason', async () => {
    fetchMock.on('GET /api/reconcile', {
      body: { ...SETTINGS, lastRun: { ...SETTINGS.lastRun, status: 'failed', repaired: 2, failed: 1, error: 'Shopify refused the app.' } },
    });
    await renderLoaded();
    const lastRun = screen.getByTestId('reconcile-last-run');
    expect(lastRun.textContent).toContain('Checked 1,234 customers and repaired 2, then stopped because of a problem: Shopify refused the app.');
    expect(lastRun.textContent).not.toContain('everything matched');
  });

  it('when "Run now" outlives the server\'s wait (202), then it says a check is running and reports it once it ended', async () => {
    const lastRun: ReconcileLastRun = { checked: 40, repaired: 1, at: '2025-03-12T16:00:00.000Z', status: 'completed', failed: 1, error: null };
    const run: ReconcileRun = {
      id: 'rec-2',
      status: 'running',
      state: 'queued',
      trigger: 'manual',
      since: '2025-03-12T13:55:00.000Z',
      checked: 0,
      repaired: 0,
      failed: 0,
      startedAt: '2025-03-12T15:59:00.000Z',
      finishedAt: null,
      error: null,
    };
    fetchMock.on('POST /api/reconcile/run', () => {
      fetchMock.on('GET /api/reconcile', { body: { ...SETTINGS, running: true, currentRun: run } });
      return { status: 202, body: { lastRun: null, run } };
    });
    renderWithPolaris(<ReconcileCard pollMs={20} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Run now' }));
    expect((await screen.findByTestId('reconcile-running')).textContent).toContain('Queued: the check starts in a moment.');
    expect(screen.queryByTestId('reconcile-result')).toBeNull();
    // The card follows the run: its progress shows as the server reports it, and Run now waits.
    fetchMock.on('GET /api/reconcile', { body: { ...SETTINGS, running: true, currentRun: { ...run, state: 'running', checked: 4200, repaired: 3 } } });
    await waitFor(() => expect(screen.getByTestId('reconcile-running').textContent).toContain('Running: checked 4,200 customers; repaired 3 so far.'));
    expect(screen.getByRole('button', { name: 'Run now' }).getAttribute('aria-disabled')).toBe('true');

    fetchMock.on('GET /api/reconcile', { body: { ...SETTINGS, lastRun, lastRunAt: lastRun.at } });
    const result = await screen.findByTestId('reconcile-result');
    expect(result.textContent).toBe(
      'Check finished. Checked 40 customers; repaired 1 that did not match. 1 customer could not be repaired; Activity says why.',
    );
    expect(screen.queryByTestId('reconcile-running')).toBeNull();
    // Polling stops once nothing is running.
    const calls = fetchMock.callsTo('GET', '/api/reconcile').length;
    await new Promise((r) => setTimeout(r, 100));
    expect(fetchMock.callsTo('GET', '/api/reconcile').length).toBe(calls);
  });

  it('while the initial sync runs, Run now is disabled and says why', async () => {
    fetchMock.on('GET /api/reconcile', { body: { ...SETTINGS, blockedBy: 'The initial sync is running. A reconciliation can start once it has finished.' } });
    await renderLoaded();
    expect(screen.getByTestId('reconcile-blocked').textContent).toContain('The initial sync is running');
    expect(screen.getByRole('button', { name: 'Run now' }).getAttribute('aria-disabled')).toBe('true');
  });

  it('when reconciliation cannot load, then a merchant-language error with "Try again" shows', async () => {
    fetchMock.on('GET /api/reconcile', { status: 502, body: 'Bad gateway' });
    renderWithPolaris(<ReconcileCard />);
    const alert = await screen.findByTestId('api-error');
    expect(alert.textContent).toContain('Reconciliation could not be loaded');
    expect(alert.textContent).toContain('Something went wrong on our side');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
