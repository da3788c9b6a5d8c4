// @vitest-environment jsdom
import '../../test/setup.js';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SettingsAnswer } from '../../api-types.js';
import { mockFetch, type FetchMock } from '../../test/mock-fetch.js';
import { renderWithPolaris } from '../../test/render.js';
import { SetupPage } from './setup-page.js';

const SAVED: SettingsAnswer = {
  edroneAppId: 'app-123',
  edroneAppSecretSet: true,
  direction: 'both',
  edroneStatuses: 'unsubscribes',
  channels: { email: true, sms: false },
  createMissingCustomers: false,
  syncUrl: 'https://sync.example.com/edrone/sync/tok_abc',
  edroneSignatureVariant: null,
};

function describedText(el: HTMLElement): string {
  const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
}

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

describe('Setup page', () => {
  it('when settings load, then the form shows them and the secret field stays empty', async () => {
    // A server bug that leaked the secret must still not prefill the field.
    fetchMock.on('GET /api/settings', { body: { ...SAVED, edroneAppSecret: 'leaked-secret' } });
    await renderLoaded();

    expect(screen.getByLabelText<HTMLInputElement>('edrone App ID').value).toBe('app-123');
    const secret = screen.getByLabelText<HTMLInputElement>('edrone App Secret');
    expect(secret.type).toBe('password');
    expect(secret.value).toBe('');
    expect(describedText(secret)).toContain('A secret is saved');
    expect(screen.getByLabelText<HTMLSelectElement>('Sync direction').value).toBe('both');
    expect(screen.getByLabelText<HTMLSelectElement>('edrone changes to apply in Shopify').value).toBe('unsubscribes');
    expect(screen.getByLabelText<HTMLInputElement>('Email marketing consent').checked).toBe(true);
    expect(screen.getByLabelText<HTMLInputElement>('SMS marketing consent').checked).toBe(false);
    const create = screen.getByLabelText<HTMLInputElement>('Create missing customers in Shopify');
    expect(create.checked).toBe(false);
    expect(describedText(create)).toContain("edrone's own sync never creates customers");
    expect(screen.getByLabelText<HTMLInputElement>('Sync URL').value).toBe(SAVED.syncUrl);
    expect(fetchMock.calls[0]?.headers.authorization).toBe('Bearer test-token');
  });

  it('shows which encoding of edrone\'s signature last verified, or that none arrived yet (issue 9, point 10)', async () => {
    await renderLoaded();
    expect(screen.getByTestId('signature-status').textContent).toMatch(/No signed request from edrone has been received yet/);
  });

  it('when edrone\'s requests verified as bare hex, then Setup says so', async () => {
    fetchMock.on('GET /api/settings', { body: { ...SAVED, edroneSignatureVariant: 'hex' } });
    await renderLoaded();
    expect(screen.getByTestId('signature-status').textContent).toMatch(/signed as a hexadecimal hash; the last one was verified with your App Secret/);
  });

  it('when no secret is saved, then the hint does not claim one is', async () => {
    fetchMock.on('GET /api/settings', { body: { ...SAVED, edroneAppSecretSet: false } });
    await renderLoaded();
    expect(screen.queryByText(/A secret is saved/)).toBeNull();
  });

  it('when the merchant edits and saves, then PUT /api/settings gets exactly the contract fields', async () => {
    fetchMock.on('PUT /api/settings', (call) => ({ body: { ...SAVED, ...(call.body as object), edroneAppSecretSet: true } }));
    await renderLoaded();

    fireEvent.change(screen.getByLabelText('edrone App ID'), { target: { value: '  app-999 ' } });
    fireEvent.change(screen.getByLabelText('edrone App Secret'), { target: { value: 's3cret' } });
    fireEvent.change(screen.getByLabelText('Sync direction'), { target: { value: 'edrone_to_shopify' } });
    fireEvent.change(screen.getByLabelText('edrone changes to apply in Shopify'), { target: { value: 'all' } });
    fireEvent.click(screen.getByLabelText('SMS marketing consent'));
    fireEvent.click(screen.getByLabelText('Create missing customers in Shopify'));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    await screen.findByText('Settings saved');
    const puts = fetchMock.callsTo('PUT', '/api/settings');
    expect(puts).toHaveLength(1);
    expect(puts[0]?.body).toEqual({
      edroneAppId: 'app-999',
      edroneAppSecret: 's3cret',
      direction: 'edrone_to_shopify',
      edroneStatuses: 'all',
      channels: { email: true, sms: true },
      createMissingCustomers: true,
    });
    expect(puts[0]?.headers['content-type']).toBe('application/json');
    expect(puts[0]?.headers.authorization).toBe('Bearer test-token');
    // After saving, the typed secret is cleared again.
    expect(screen.getByLabelText<HTMLInputElement>('edrone App Secret').value).toBe('');
  });

  it('when the secret field is left blank, then the body has no edroneAppSecret (the saved one is kept)', async () => {
    fetchMock.on('PUT /api/settings', { body: SAVED });
    await renderLoaded();
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Settings saved');
    const body = fetchMock.callsTo('PUT', '/api/settings')[0]?.body;
    expect(body).not.toHaveProperty('edroneAppSecret');
    expect(body).not.toHaveProperty('syncUrl');
    expect(body).not.toHaveProperty('edroneAppSecretSet');
  });

  it('when the API rejects fields, then each message is shown next to its own field', async () => {
    fetchMock.on('PUT /api/settings', {
      status: 400,
      body: {
        error: 'Invalid settings',
        fieldErrors: {
          edroneAppId: 'App ID is required: copy it from edrone Mission Control',
          'channels.email': 'must be true or false',
        },
      },
    });
    await renderLoaded();
    fireEvent.change(screen.getByLabelText('edrone App ID'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    const appId = screen.getByLabelText('edrone App ID');
    await waitFor(() => expect(describedText(appId)).toContain('App ID is required'));
    expect(appId.getAttribute('aria-invalid')).toBe('true');
    // Focus moves to the first field to fix.
    await waitFor(() => expect(document.activeElement).toBe(appId));
    expect(describedText(screen.getByLabelText('Email marketing consent'))).toContain('must be true or false');
    // Not leaked onto unrelated fields.
    expect(describedText(screen.getByLabelText('SMS marketing consent'))).not.toContain('must be true or false');
    expect(describedText(screen.getByLabelText('edrone App Secret'))).not.toContain('App ID is required');
    expect(within(screen.getByTestId('settings-error')).getByText(/highlighted fields/)).toBeTruthy();

    // Editing the field clears its stale message.
    fireEvent.change(appId, { target: { value: 'x' } });
    expect(describedText(appId)).not.toContain('App ID is required');
  });

  it('when a field error has no field on the form, then it is shown in the banner', async () => {
    fetchMock.on('PUT /api/settings', { status: 400, body: { error: 'Invalid settings', fieldErrors: { _: 'unknown field(s): foo' } } });
    await renderLoaded();
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const banner = await screen.findByTestId('settings-error');
    expect(banner.textContent).toContain('unknown field(s): foo');
  });

  it('when the session expired, then the merchant is told to reload from the admin', async () => {
    fetchMock.on('PUT /api/settings', { status: 401, body: { error: 'jwt expired' } });
    await renderLoaded();
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const banner = await screen.findByTestId('settings-error');
    expect(banner.textContent).toContain('Your session expired. Reload the app from your Shopify admin.');
    expect(banner.textContent).not.toContain('jwt');
  });

  it('when "Test connection" fails, then the reason is shown as a banner', async () => {
    fetchMock.on('POST /api/settings/test-connection', { body: { ok: false, reason: 'edrone rejected the App ID' } });
    await renderLoaded();
    fireEvent.click(screen.getByRole('button', { name: 'Test App ID' }));
    expect(await screen.findByText('edrone rejected the App ID')).toBeTruthy();
    expect(screen.getByText('edrone did not recognise the App ID')).toBeTruthy();
    expect(fetchMock.callsTo('POST', '/api/settings/test-connection').map((c) => c.body)).toEqual([{ edroneAppId: 'app-123' }]);

    // An unsaved, typed App ID is what gets tested.
    fireEvent.change(screen.getByLabelText('edrone App ID'), { target: { value: 'typed-id' } });
    expect(screen.getByText(/Tests the App ID typed above/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Test App ID' }));
    await waitFor(() => expect(fetchMock.callsTo('POST', '/api/settings/test-connection')).toHaveLength(2));
    expect(fetchMock.callsTo('POST', '/api/settings/test-connection')[1]?.body).toEqual({ edroneAppId: 'typed-id' });
  });

  it('when "Test connection" works, then a success banner shows', async () => {
    fetchMock.on('POST /api/settings/test-connection', { body: { ok: true } });
    await renderLoaded();
    fireEvent.click(screen.getByRole('button', { name: 'Test App ID' }));
    expect(await screen.findByText('edrone recognised the App ID')).toBeTruthy();
  });

  it('shows the Mission Control steps and copies the sync URL', async () => {
    let copied = '';
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText: async (text: string) => void (copied = text) },
      configurable: true,
    });
    await renderLoaded();
    const guide = screen.getByTestId('connect-guide');
    expect(guide.textContent).toContain('Subscription status synchronisation');
    expect(guide.textContent).toContain('NATIVE_5');
    expect(within(guide).getAllByRole('listitem')).toHaveLength(5);
    fireEvent.click(screen.getByRole('button', { name: 'Copy' }));
    await screen.findByText('Copied to the clipboard.');
    expect(copied).toBe(SAVED.syncUrl);
  });

  it('when settings cannot load, then a merchant-language error with "Try again" shows', async () => {
    fetchMock.on('GET /api/settings', { status: 500, body: { error: 'TypeError: x is undefined' } });
    renderWithPolaris(<SetupPage />);
    const alert = await screen.findByTestId('api-error');
    expect(alert.textContent).toContain('Something went wrong on our side');
    expect(alert.textContent).not.toContain('TypeError');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('when saved and no initial sync ever ran, then it offers one, which POSTs /api/backfill and opens the Sync tab', async () => {
    fetchMock.on('PUT /api/settings', { body: SAVED });
    fetchMock.on('GET /api/backfill', { body: { run: null } });
    fetchMock.on('POST /api/backfill', {
      body: { run: { id: 1, status: 'running', phase: 'exporting', read: 0, sent: 0, skipped: 0, failed: 0, startedAt: '2025-03-12T14:05:00.000Z', finishedAt: null, error: null } },
    });
    const openSync = vi.fn();
    renderWithPolaris(<SetupPage onOpenSync={openSync} />);
    await screen.findByLabelText('edrone App ID');
    expect(screen.queryByTestId('backfill-offer')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    const offer = await screen.findByTestId('backfill-offer');
    expect(within(offer).getByText("Send your existing customers' consent to edrone?")).toBeTruthy();
    expect(offer.textContent).toContain('never subscribed again');
    fireEvent.click(within(offer).getByRole('button', { name: 'Start initial sync' }));
    await waitFor(() => expect(openSync).toHaveBeenCalledTimes(1));
    expect(fetchMock.callsTo('POST', '/api/backfill').map((c) => c.url)).toEqual(['/api/backfill']);
    expect(screen.queryByTestId('backfill-offer')).toBeNull();
  });

  it('when the offered initial sync cannot start, then the banner stays with the reason', async () => {
    fetchMock.on('PUT /api/settings', { body: SAVED });
    fetchMock.on('GET /api/backfill', { body: { run: null } });
    fetchMock.on('POST /api/backfill', { status: 400, body: { error: 'Save your edrone App Secret first.' } });
    const openSync = vi.fn();
    renderWithPolaris(<SetupPage onOpenSync={openSync} />);
    await screen.findByLabelText('edrone App ID');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const offer = await screen.findByTestId('backfill-offer');
    fireEvent.click(within(offer).getByRole('button', { name: 'Start initial sync' }));
    await waitFor(() => expect(offer.textContent).toContain('Save your edrone App Secret first.'));
    expect(openSync).not.toHaveBeenCalled();
  });

  it('when an initial sync already ran, or nothing flows to edrone, then no offer shows', async () => {
    fetchMock.on('PUT /api/settings', { body: SAVED });
    fetchMock.on('GET /api/backfill', {
      body: { run: { id: 1, status: 'completed', phase: 'done', read: 5, sent: 5, skipped: 0, failed: 0, startedAt: '2025-03-12T14:05:00.000Z', finishedAt: '2025-03-12T14:06:00.000Z', error: null } },
    });
    renderWithPolaris(<SetupPage />);
    await screen.findByLabelText('edrone App ID');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Settings saved');
    await waitFor(() => expect(fetchMock.callsTo('GET', '/api/backfill')).toHaveLength(1));
    expect(screen.queryByTestId('backfill-offer')).toBeNull();

    // edrone -> Shopify only: the initial sync would send nothing, so it is not offered (nor asked about).
    fetchMock.on('PUT /api/settings', { body: { ...SAVED, direction: 'edrone_to_shopify' } });
    fetchMock.on('GET /api/backfill', { body: { run: null } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fetchMock.callsTo('PUT', '/api/settings')).toHaveLength(2));
    await new Promise((r) => setTimeout(r, 50));
    expect(fetchMock.callsTo('GET', '/api/backfill')).toHaveLength(1);
    expect(screen.queryByTestId('backfill-offer')).toBeNull();
  });
});
