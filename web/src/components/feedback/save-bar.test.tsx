// @vitest-environment jsdom
import '../../test/setup.js';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SettingsAnswer } from '../../api-types.js';
import { mockFetch, type FetchMock } from '../../test/mock-fetch.js';
import { renderWithPolaris } from '../../test/render.js';
import { SetupPage } from '../setup/setup-page.js';

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
});

async function renderLoaded(): Promise<void> {
  renderWithPolaris(<SetupPage />);
  await screen.findByLabelText('edrone App ID');
}

describe('Save bar without App Bridge', () => {
  it('appears on the first edit, with Discard and Save, and goes when the edit is undone', async () => {
    await renderLoaded();
    expect(screen.queryByTestId('save-bar')).toBeNull();

    fireEvent.click(screen.getByLabelText('Create missing customers in Shopify'));
    const bar = screen.getByTestId('save-bar');
    expect(within(bar).getByText('Unsaved changes')).toBeTruthy();
    expect(within(bar).getByRole('button', { name: 'Discard' })).toBeTruthy();
    expect(within(bar).getByRole('button', { name: 'Save' })).toBeTruthy();
    // One Save at a time: the one under the form gives way to the bar's.
    expect(screen.getAllByRole('button', { name: 'Save' })).toHaveLength(1);

    fireEvent.click(screen.getByLabelText('Create missing customers in Shopify'));
    expect(screen.queryByTestId('save-bar')).toBeNull();
  });

  it('Discard puts every field back to the saved settings, without a request', async () => {
    await renderLoaded();
    fireEvent.change(screen.getByLabelText('edrone App ID'), { target: { value: 'typo' } });
    fireEvent.change(screen.getByLabelText('edrone App Secret'), { target: { value: 'new-secret' } });
    fireEvent.click(within(screen.getByTestId('save-bar')).getByRole('button', { name: 'Discard' }));

    expect(screen.getByLabelText<HTMLInputElement>('edrone App ID').value).toBe('app-123');
    expect(screen.getByLabelText<HTMLInputElement>('edrone App Secret').value).toBe('');
    expect(screen.queryByTestId('save-bar')).toBeNull();
    expect(fetchMock.callsTo('PUT', '/api/settings')).toHaveLength(0);
  });

  it("the bar's Save sends the edits and the bar goes once they are saved", async () => {
    fetchMock.on('PUT /api/settings', ({ body }) => ({ body: { ...SAVED, ...(body as object), edroneAppSecretSet: true } }));
    await renderLoaded();
    fireEvent.change(screen.getByLabelText('edrone App ID'), { target: { value: 'app-456' } });
    fireEvent.click(within(screen.getByTestId('save-bar')).getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(screen.queryByTestId('save-bar')).toBeNull());
    expect(fetchMock.callsTo('PUT', '/api/settings')[0]?.body).toMatchObject({ edroneAppId: 'app-456' });
  });

  it('stays up with the edits when the save is refused', async () => {
    fetchMock.on('PUT /api/settings', { status: 400, body: { error: 'Invalid settings', fieldErrors: { edroneAppId: 'Too long' } } });
    await renderLoaded();
    fireEvent.change(screen.getByLabelText('edrone App ID'), { target: { value: 'x'.repeat(300) } });
    fireEvent.click(within(screen.getByTestId('save-bar')).getByRole('button', { name: 'Save' }));
    await screen.findByTestId('settings-error');
    expect(screen.getByTestId('save-bar')).toBeTruthy();
  });
});

describe('Save bar with App Bridge', () => {
  it("drives the admin's save bar (<ui-save-bar>) instead of showing its own", async () => {
    const show = vi.fn(async () => undefined);
    const hide = vi.fn(async () => undefined);
    window.shopify = { idToken: async () => 'test-token', saveBar: { show, hide } };
    await renderLoaded();
    const element = document.querySelector('ui-save-bar#settings-save-bar');
    expect(element).not.toBeNull();

    fireEvent.click(screen.getByLabelText('Create missing customers in Shopify'));
    await waitFor(() => expect(show).toHaveBeenCalledWith('settings-save-bar'));
    expect(screen.queryByTestId('save-bar')).toBeNull();
    hide.mockClear();

    // Its Discard button is the form's discard.
    fireEvent.click(within(element as HTMLElement).getByText('Discard'));
    await waitFor(() => expect(hide).toHaveBeenCalledWith('settings-save-bar'));
    expect(screen.getByLabelText<HTMLInputElement>('Create missing customers in Shopify').checked).toBe(false);
  });
});
