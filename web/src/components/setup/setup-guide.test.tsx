// @vitest-environment jsdom
import '../../test/setup.js';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AppProviders } from '../../app-providers.js';
import { mockFetch, type FetchMock } from '../../test/mock-fetch.js';
import { renderWithPolaris } from '../../test/render.js';
import { setupGuide } from '../../test/setup-guide-fixture.js';
import { HealthBanner } from '../status/health-banner.js';
import { DISMISSED_KEY, SetupGuide, whatIsLeft } from './setup-guide.js';

let fetchMock: FetchMock;

beforeEach(() => {
  window.__SESSION_TOKEN__ = 'test-token';
  window.localStorage.clear();
  fetchMock = mockFetch();
});

const NEW_STORE = setupGuide({ credentials: 'todo', sync_url: 'todo', first_request: 'todo', initial_sync: 'todo' });

function step(id: string): HTMLElement {
  return screen.getByTestId(`setup-step-${id}`);
}

describe('Setup guide', () => {
  it('a new store: 0 of 4, the first step open with its action, the others closed', () => {
    renderWithPolaris(<SetupGuide guide={NEW_STORE} place="setup" onNavigate={() => undefined} />);
    expect(screen.getByTestId('setup-guide-progress').textContent).toBe('0 of 4 steps done');
    expect(screen.getByRole('heading', { name: 'Setup guide' })).toBeTruthy();
    expect(step('credentials').getAttribute('data-expanded')).toBe('true');
    expect(within(step('credentials')).getByRole('button', { name: 'Go to the App ID field' })).toBeTruthy();
    expect(step('sync_url').getAttribute('data-expanded')).toBe('false');
    // Each step says whether it is done, also to screen readers.
    expect(within(step('credentials')).getByRole('button', { expanded: true }).textContent).toContain('(to do)');
  });

  it('ticked steps show as done; the next one to do is open; a step can be opened by its title', () => {
    const guide = setupGuide({ first_request: 'in_progress', initial_sync: 'todo' }, { first_request: 'edrone reached the sync URL, but the request was refused: Signature does not match' });
    renderWithPolaris(<SetupGuide guide={guide} place="setup" onNavigate={() => undefined} />);
    expect(screen.getByTestId('setup-guide-progress').textContent).toBe('2 of 4 steps done');
    expect(step('credentials').getAttribute('data-state')).toBe('done');
    expect(step('first_request').getAttribute('data-expanded')).toBe('true');
    expect(screen.getByTestId('setup-step-first_request-detail').textContent).toContain('Signature does not match');

    fireEvent.click(within(step('initial_sync')).getByRole('button', { name: /Run the initial sync/ }));
    expect(step('initial_sync').getAttribute('data-expanded')).toBe('true');
    expect(step('first_request').getAttribute('data-expanded')).toBe('false');
  });

  it('"Start initial sync" posts /api/backfill and opens the Sync tab', async () => {
    fetchMock.on('POST /api/backfill', { status: 202, body: { run: null } });
    const onNavigate = vi.fn();
    renderWithPolaris(<SetupGuide guide={setupGuide({ initial_sync: 'todo' })} place="status" onNavigate={onNavigate} />);
    fireEvent.click(screen.getByRole('button', { name: 'Start initial sync' }));
    await waitFor(() => expect(onNavigate).toHaveBeenCalledWith('sync'));
    expect(fetchMock.callsTo('POST', '/api/backfill')).toHaveLength(1);
  });

  it('a refused start keeps the merchant here with the reason', async () => {
    fetchMock.on('POST /api/backfill', { status: 400, body: { error: 'Enter your edrone App ID and App Secret in Setup before the initial sync.' } });
    const onNavigate = vi.fn();
    renderWithPolaris(<SetupGuide guide={setupGuide({ initial_sync: 'todo' })} place="status" onNavigate={onNavigate} />);
    fireEvent.click(screen.getByRole('button', { name: 'Start initial sync' }));
    expect(await screen.findByText(/The initial sync did not start\. Enter your edrone App ID/)).toBeTruthy();
    expect(onNavigate).not.toHaveBeenCalled();
  });

  it('before the credentials are saved the initial sync cannot be started, and says why', () => {
    renderWithPolaris(<SetupGuide guide={NEW_STORE} place="status" onNavigate={() => undefined} />);
    fireEvent.click(within(step('initial_sync')).getByRole('button', { name: /Run the initial sync/ }));
    const start = screen.getByRole('button', { name: 'Start initial sync' });
    expect(start.hasAttribute('disabled') || start.getAttribute('aria-disabled') === 'true').toBe(true);
    fireEvent.click(start);
    expect(fetchMock.callsTo('POST', '/api/backfill')).toHaveLength(0);
    expect(screen.getByText('Save your edrone App ID and App Secret first.')).toBeTruthy();
  });

  it('a running initial sync is followed on the Sync tab; on Status the other steps open Setup', () => {
    const onNavigate = vi.fn();
    renderWithPolaris(<SetupGuide guide={setupGuide({ sync_url: 'todo', first_request: 'todo', initial_sync: 'in_progress' })} place="status" onNavigate={onNavigate} />);
    fireEvent.click(within(step('sync_url')).getByRole('button', { name: 'Open Setup' }));
    expect(onNavigate).toHaveBeenCalledWith('setup');
    fireEvent.click(within(step('initial_sync')).getByRole('button', { name: /Run the initial sync/ }));
    fireEvent.click(within(step('initial_sync')).getByRole('button', { name: 'View progress' }));
    expect(onNavigate).toHaveBeenCalledWith('sync');
  });

  it('done: folded on Setup, can be opened again and dismissed for good; absent from Status', () => {
    const done = setupGuide();
    const { unmount } = renderWithPolaris(<SetupGuide guide={done} place="setup" onNavigate={() => undefined} />);
    expect(screen.getByRole('heading', { name: 'Setup complete' })).toBeTruthy();
    expect(screen.getByTestId('setup-guide-progress').textContent).toBe('4 of 4 steps done');
    expect(screen.queryByTestId('setup-step-credentials')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Show the setup steps' }));
    expect(screen.getAllByTestId(/^setup-step-[a-z_]+$/).map((s) => s.getAttribute('data-state'))).toEqual(['done', 'done', 'done', 'done']);

    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByTestId('setup-guide')).toBeNull();
    expect(window.localStorage.getItem(DISMISSED_KEY)).toBe('1');
    unmount();
    renderWithPolaris(<SetupGuide guide={done} place="setup" onNavigate={() => undefined} />);
    expect(screen.queryByTestId('setup-guide')).toBeNull();

    window.localStorage.clear();
    renderWithPolaris(<SetupGuide guide={done} place="status" onNavigate={() => undefined} />);
    expect(screen.queryAllByTestId('setup-guide')).toHaveLength(0);
  });

  it('a guide that finishes while open folds away by itself', () => {
    const { rerender } = renderWithPolaris(<SetupGuide guide={setupGuide({ initial_sync: 'in_progress' })} place="setup" onNavigate={() => undefined} />);
    expect(screen.getByTestId('setup-step-initial_sync')).toBeTruthy();
    rerender(
      <AppProviders>
        <SetupGuide guide={setupGuide()} place="setup" onNavigate={() => undefined} />
      </AppProviders>,
    );
    expect(screen.queryByTestId('setup-step-initial_sync')).toBeNull();
    expect(screen.getByRole('heading', { name: 'Setup complete' })).toBeTruthy();
  });
});

describe('Health while the setup is not finished', () => {
  it('never says "Sync is working" before the initial sync ran: it says what is left', () => {
    renderWithPolaris(<HealthBanner state="healthy" reason={null} failures={0} setup={setupGuide({ initial_sync: 'todo' })} onNavigate={() => undefined} />);
    const health = screen.getByTestId('health');
    expect(health.textContent).not.toContain('Sync is working');
    expect(health.textContent).toContain('Almost set up');
    expect(health.textContent).toContain('Left to do: run the initial sync.');
  });

  it('says "Sync is working" once every step is done', () => {
    renderWithPolaris(<HealthBanner state="healthy" reason={null} failures={0} setup={setupGuide()} onNavigate={() => undefined} />);
    expect(screen.getByTestId('health').textContent).toContain('Sync is working');
  });

  it('lists what is left in plain words', () => {
    expect(whatIsLeft(setupGuide({ sync_url: 'todo', first_request: 'in_progress', initial_sync: 'todo' }))).toBe(
      'paste the sync URL in edrone, receive the first change from edrone and run the initial sync',
    );
  });
});
