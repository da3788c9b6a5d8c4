// @vitest-environment jsdom
import './test/setup.js';
import { describe, expect, it, vi } from 'vitest';
import { MESSAGES, getSessionToken, request } from './api.js';
import { mockFetch } from './test/mock-fetch.js';

describe('getSessionToken', () => {
  it('prefers App Bridge, then window.__SESSION_TOKEN__, then ?id_token=', async () => {
    window.history.replaceState(null, '', '/?shop=x.myshopify.com&id_token=from-url');
    expect(await getSessionToken()).toBe('from-url');
    window.__SESSION_TOKEN__ = 'from-hook';
    expect(await getSessionToken()).toBe('from-hook');
    window.shopify = { idToken: vi.fn(async () => 'from-app-bridge') };
    expect(await getSessionToken()).toBe('from-app-bridge');
  });

  it('falls back to the hooks when App Bridge cannot give a token', async () => {
    window.shopify = { idToken: vi.fn(async () => Promise.reject(new Error('not embedded'))) };
    window.__SESSION_TOKEN__ = 'from-hook';
    expect(await getSessionToken()).toBe('from-hook');
  });

  it('does not hang when App Bridge never answers (opened outside the admin)', async () => {
    vi.useFakeTimers();
    window.shopify = { idToken: () => new Promise<string>(() => undefined) };
    window.__SESSION_TOKEN__ = 'from-hook';
    const token = getSessionToken();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await token).toBe('from-hook');
  });

  it('is null without any source', async () => {
    expect(await getSessionToken()).toBeNull();
  });
});

describe('request', () => {
  it('sends the bearer token and JSON, and returns the parsed answer', async () => {
    window.history.replaceState(null, '', '/?id_token=tok-1');
    const fetchMock = mockFetch();
    fetchMock.on('PUT /api/settings', { body: { saved: true } });
    const result = await request<{ saved: boolean }>('PUT', '/api/settings', { a: 1 });
    expect(result).toEqual({ ok: true, data: { saved: true } });
    expect(fetchMock.calls[0]).toMatchObject({
      method: 'PUT',
      url: '/api/settings',
      body: { a: 1 },
      headers: { authorization: 'Bearer tok-1', 'content-type': 'application/json', accept: 'application/json' },
    });
  });

  it.each([
    [401, { error: 'Invalid JWT' }, MESSAGES.sessionExpired],
    [400, { error: 'Invalid settings' }, 'Invalid settings'],
    [404, '<html>Not Found</html>', MESSAGES.notFound],
    [429, {}, MESSAGES.tooMany],
    [500, { error: 'PrismaClientKnownRequestError: ...' }, MESSAGES.server],
  ])('maps HTTP %i to merchant language', async (status, body, message) => {
    const fetchMock = mockFetch();
    fetchMock.on('GET /api/x', { status, body });
    const result = await request('GET', '/api/x');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.status).toBe(status);
      expect(result.error.message).toBe(message);
    }
  });

  it('keeps field errors from a 400', async () => {
    const fetchMock = mockFetch();
    fetchMock.on('PUT /api/settings', { status: 400, body: { error: 'Invalid', fieldErrors: { edroneAppId: 'required', bad: 5 } } });
    const result = await request('PUT', '/api/settings', {});
    expect(result).toEqual({ ok: false, error: { status: 400, message: 'Invalid', fieldErrors: { edroneAppId: 'required' } } });
  });

  it('turns a network failure into a value with status 0', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const result = await request('GET', '/api/status');
    expect(result).toEqual({ ok: false, error: { status: 0, message: MESSAGES.network } });
    expect(MESSAGES.network).toMatch(/^Could not reach the app server/);
  });
});
