// @vitest-environment jsdom
import '../../test/setup.js';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BackfillRun } from '../../api-types.js';
import { mockFetch, type FetchMock } from '../../test/mock-fetch.js';
import { renderWithPolaris } from '../../test/render.js';
import { backfillPercent } from './backfill-progress.js';
import { InitialSyncCard } from './initial-sync-card.js';

function run(over: Partial<BackfillRun> = {}): BackfillRun {
  return {
    id: '7',
    status: 'running',
    phase: 'sending',
    read: 200,
    sent: 30,
    skipped: 15,
    failed: 5,
    startedAt: '2025-03-12T14:05:00.000Z',
    finishedAt: null,
    error: null,
    cancelRequested: false,
    total: null,
    ...over,
  };
}

function counts(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['read', 'sent', 'skipped', 'failed']) {
    out[key] = screen.getByTestId(`backfill-${key}`).querySelector('dd')?.textContent ?? '';
  }
  return out;
}

let fetchMock: FetchMock;

/** The Start button, once the current state has loaded (it is disabled until then). */
async function startButton(): Promise<HTMLElement> {
  await waitFor(() => expect(screen.getByTestId('initial-sync').dataset.status).not.toBe('loading'));
  return screen.getByRole('button', { name: 'Start initial sync' });
}

beforeEach(() => {
  window.__SESSION_TOKEN__ = 'test-token';
  fetchMock = mockFetch();
});

describe('backfillPercent', () => {
  it('stays at 0 while exporting, follows processed/read while sending, and shows 100 only when completed', () => {
    expect(backfillPercent(run({ phase: 'exporting', read: 500, sent: 0, skipped: 0, failed: 0 }))).toBe(0);
    expect(backfillPercent(run({ read: 200, sent: 30, skipped: 15, failed: 5 }))).toBe(25);
    expect(backfillPercent(run({ read: 0, sent: 0, skipped: 0, failed: 0 }))).toBe(0);
    expect(backfillPercent(run({ read: 10, sent: 10, skipped: 0, failed: 0 }))).toBe(99);
    expect(backfillPercent(run({ status: 'completed', phase: 'done', read: 0 }))).toBe(100);
  });

  it('uses the export size when the server sends it (read then grows while sending)', () => {
    expect(backfillPercent(run({ total: 400, read: 100, sent: 60, skipped: 30, failed: 10 }))).toBe(25);
    expect(backfillPercent(run({ total: 400, read: 400, sent: 300, skipped: 90, failed: 10 }))).toBe(99);
    expect(backfillPercent(run({ total: null, read: 200, sent: 30, skipped: 15, failed: 5 }))).toBe(25);
  });
});

describe('Initial sync card', () => {
  it('explains what it sends and, when never run, offers "Start initial sync"', async () => {
    fetchMock.on('GET /api/backfill', { body: { run: null } });
    renderWithPolaris(<InitialSyncCard />);
    const card = await screen.findByTestId('initial-sync');
    await waitFor(() => expect(card.dataset.status).toBe('none'));
    expect(card.textContent).toContain('never subscribed again');
    expect(card.textContent).toContain('pending confirmation, or who never subscribed, are not sent');
    expect(screen.getByText('Not run yet for this store.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Start initial sync' }).getAttribute('aria-disabled')).not.toBe('true');
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
    expect(fetchMock.calls[0]?.headers.authorization).toBe('Bearer test-token');
  });

  it('when started, then it POSTs, shows the progress with counts, polls while running and reports the end', async () => {
    // What the server reports; the test moves it forward.
    let current: BackfillRun | null = null;
    fetchMock.on('GET /api/backfill', () => ({ body: { run: current } }));
    fetchMock.on('POST /api/backfill', () => {
      current = run({ phase: 'exporting', read: 0, sent: 0, skipped: 0, failed: 0, total: null });
      return { body: { run: current } };
    });
    renderWithPolaris(<InitialSyncCard pollMs={30} />);
    fireEvent.click(await startButton());

    const progress = await screen.findByTestId('backfill-progress');
    expect(fetchMock.callsTo('POST', '/api/backfill').map((c) => c.url)).toEqual(['/api/backfill']);
    expect(progress.textContent).toContain('Step 1 of 2: Shopify is preparing the list of your customers');
    expect(progress.dataset.percent).toBe('0');
    // The bar is a real <progress> named by the step text.
    const bar = progress.querySelector('progress');
    expect(bar?.getAttribute('aria-labelledby')).toBeTruthy();
    expect(document.getElementById(bar?.getAttribute('aria-labelledby') ?? '')?.textContent).toContain('Step 1 of 2');
    expect(counts()).toEqual({ read: '0', sent: '0', skipped: '0', failed: '0' });
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Start initial sync' })).toBeNull();

    // Polling picks up the progress.
    const before = fetchMock.callsTo('GET', '/api/backfill').length;
    current = run({ phase: 'sending', total: 200, read: 150, sent: 100, skipped: 40, failed: 10 });
    await waitFor(() => expect(screen.getByTestId('backfill-progress').dataset.percent).toBe('75'));
    expect(screen.getByTestId('backfill-progress').textContent).toContain('(150 of 200 customers)');
    expect(fetchMock.callsTo('GET', '/api/backfill').length).toBeGreaterThan(before);
    expect(screen.getByTestId('backfill-progress').textContent).toContain('Step 2 of 2');
    expect(counts()).toEqual({ read: '150', sent: '100', skipped: '40', failed: '10' });

    current = run({ status: 'completed', phase: 'done', read: 200, sent: 140, skipped: 50, failed: 10, finishedAt: '2025-03-12T14:15:00.000Z' });
    expect(await screen.findByText('Initial sync finished')).toBeTruthy();
    expect(screen.getByTestId('backfill-outcome').textContent).toContain('140 customers sent to edrone, 50 skipped, 10 failed');
    expect(screen.queryByTestId('backfill-progress')).toBeNull();
    expect(screen.getByTestId('initial-sync').dataset.status).toBe('completed');
    expect(screen.getByRole('button', { name: 'Start initial sync' })).toBeTruthy();

    // The fast polling stops once the run is over (the slow live re-read, 1 s by default, goes on).
    const calls = fetchMock.callsTo('GET', '/api/backfill').length;
    await new Promise((r) => setTimeout(r, 120));
    expect(fetchMock.callsTo('GET', '/api/backfill').length).toBe(calls);
  });

  it('when Cancel is pressed, then it POSTs cancel and says the run was cancelled', async () => {
    fetchMock.on('GET /api/backfill', { body: { run: run() } });
    fetchMock.on('POST /api/backfill/cancel', {
      body: { run: run({ status: 'cancelled', finishedAt: '2025-03-12T14:09:00.000Z' }) },
    });
    renderWithPolaris(<InitialSyncCard pollMs={10_000} />);
    const progress = await screen.findByTestId('backfill-progress');
    expect(progress.dataset.percent).toBe('25');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));

    const outcome = await screen.findByText('Initial sync cancelled');
    expect(outcome).toBeTruthy();
    expect(screen.getByTestId('backfill-outcome').textContent).toContain('after 50 customers');
    expect(fetchMock.callsTo('POST', '/api/backfill/cancel')).toHaveLength(1);
    expect(fetchMock.callsTo('POST', '/api/backfill/cancel')[0]?.headers.authorization).toBe('Bearer test-token');
    expect(screen.queryByTestId('backfill-progress')).toBeNull();
    expect(screen.getByRole('button', { name: 'Start initial sync' })).toBeTruthy();
  });

  it('when a cancel is waiting for the current batch, then it says so and Cancel cannot be pressed again', async () => {
    fetchMock.on('GET /api/backfill', { body: { run: run({ cancelRequested: true }) } });
    renderWithPolaris(<InitialSyncCard pollMs={10_000} />);
    const progress = await screen.findByTestId('backfill-progress');
    expect(progress.textContent).toContain('Cancelling');
    expect(screen.getByRole('button', { name: 'Cancel' }).getAttribute('aria-disabled')).toBe('true');
  });

  it('when one is already running (409), then the server message shows and the running sync appears', async () => {
    fetchMock.on('GET /api/backfill', { body: { run: null } });
    fetchMock.on('POST /api/backfill', () => {
      fetchMock.on('GET /api/backfill', { body: { run: run() } });
      return { status: 409, body: { error: 'An initial sync is already running.' } };
    });
    renderWithPolaris(<InitialSyncCard pollMs={10_000} />);
    fireEvent.click(await startButton());
    const alert = await screen.findByTestId('api-error');
    expect(alert.textContent).toContain('The initial sync did not start');
    expect(alert.textContent).toContain('An initial sync is already running.');
    expect(await screen.findByTestId('backfill-progress')).toBeTruthy();
  });

  it('when the last run failed, then its error is shown in merchant words with a way to start again', async () => {
    fetchMock.on('GET /api/backfill', {
      body: { run: run({ status: 'failed', error: 'edrone rejected the App Secret.', finishedAt: '2025-03-12T14:09:00.000Z' }) },
    });
    renderWithPolaris(<InitialSyncCard />);
    const outcome = await screen.findByTestId('backfill-outcome');
    await waitFor(() => expect(outcome.textContent).toContain('edrone rejected the App Secret.'));
    expect(outcome.textContent).toContain('Initial sync stopped because of a problem');
    expect(screen.getByRole('button', { name: 'Start initial sync' })).toBeTruthy();
  });

  it('while open, a run started elsewhere (command line, another tab) shows by itself, with its progress', async () => {
    let current: BackfillRun | null = null;
    fetchMock.on('GET /api/backfill', () => ({ body: { run: current } }));
    renderWithPolaris(<InitialSyncCard liveMs={30} pollMs={30} />);
    await startButton();
    current = run({ phase: 'sending', total: 200, read: 100, sent: 90, skipped: 10, failed: 0 });
    await waitFor(() => expect(screen.getByTestId('initial-sync').dataset.status).toBe('running'));
    expect(screen.getByTestId('backfill-progress').dataset.percent).toBe('50');
    // It came with the live re-read: nothing was clicked.
    expect(fetchMock.callsTo('GET', '/api/backfill').length).toBeGreaterThan(1);
  });

  it('when the state cannot be loaded, then a merchant-language error with "Try again" shows', async () => {
    fetchMock.on('GET /api/backfill', { status: 500, body: { error: 'TypeError: run is undefined' } });
    renderWithPolaris(<InitialSyncCard />);
    const alert = await screen.findByTestId('api-error');
    expect(alert.textContent).toContain('Something went wrong on our side');
    expect(alert.textContent).not.toContain('TypeError');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Start initial sync' }).getAttribute('aria-disabled')).toBe('true');
  });
});
