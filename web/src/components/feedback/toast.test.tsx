// @vitest-environment jsdom
import '../../test/setup.js';
import { act, fireEvent, screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SettingsAnswer } from '../../api-types.js';
import { mockFetch, type FetchMock } from '../../test/mock-fetch.js';
import { renderWithPolaris } from '../../test/render.js';
import { SetupPage } from '../setup/setup-page.js';
import { TOAST_MS } from './toast.js';

const SAVED: SettingsAnswer = {
  edroneAppId: 'app-123',
  edroneAppSecretSet: true,
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
  fetchMock.on('GET /api/settings', { body: SAVED });
  fetchMock.on('PUT /api/settings', { body: SAVED });
});

async function saveOnce(): Promise<void> {
  renderWithPolaris(<SetupPage />);
  await screen.findByLabelText('edrone App ID');
  fireEvent.click(screen.getByLabelText('Create missing customers in Shopify'));
  // Without App Bridge the page's own save bar; with it, the <ui-save-bar> the admin shows.
  const bar = screen.queryByTestId('save-bar') ?? (document.querySelector('ui-save-bar') as HTMLElement);
  fireEvent.click(within(bar).getByText('Save'));
}

describe('Toast after saving', () => {
  it('without App Bridge: "Settings saved" in a live region, not as a banner at the top, gone after a few seconds', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    await saveOnce();
    const toast = await screen.findByTestId('settings-saved');
    expect(toast.textContent).toContain('Settings saved');
    // Announced politely by screen readers, from a region outside the form.
    const region = toast.closest('[role="status"]');
    expect(region?.getAttribute('aria-live')).toBe('polite');
    expect(region?.className).toContain('ecs-toast-region');
    expect(toast.closest('form')).toBeNull();

    act(() => {
      vi.advanceTimersByTime(TOAST_MS - 100);
    });
    expect(screen.queryByTestId('settings-saved')).not.toBeNull();
    act(() => {
      vi.advanceTimersByTime(200);
    });
    expect(screen.queryByTestId('settings-saved')).toBeNull();
  });

  it('can be dismissed at once', async () => {
    await saveOnce();
    const toast = await screen.findByTestId('settings-saved');
    fireEvent.click(within(toast).getByRole('button', { name: 'Dismiss message' }));
    expect(screen.queryByTestId('settings-saved')).toBeNull();
  });

  it("with App Bridge: the admin's toast shows it, and the page adds none of its own", async () => {
    const show = vi.fn(() => 'toast-1');
    window.shopify = { idToken: async () => 'test-token', toast: { show } };
    await saveOnce();
    await vi.waitFor(() => expect(show).toHaveBeenCalledWith('Settings saved', { isError: false }));
    expect(screen.queryByTestId('settings-saved')).toBeNull();
  });
});
