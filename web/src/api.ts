// Typed fetch wrapper for /api/*. Expected failures come back as values (STYLE.md §5) so that every
// page can show them in words a merchant understands instead of crashing.

export interface ApiError {
  /** HTTP status; 0 when the server could not be reached at all. */
  status: number;
  message: string;
  /** Field path ("edroneAppId", "channels.email") -> message, from a 400 answer. */
  fieldErrors?: Record<string, string>;
}

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiError };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export const MESSAGES = {
  sessionExpired: 'Your session expired. Reload the app from your Shopify admin.',
  network: 'Could not reach the app server. Check your internet connection, then try again.',
  timeout: 'The app server took too long to answer. Try again in a moment.',
  badRequest: 'Some fields need your attention.',
  forbidden: 'This store is not allowed to do that. Reload the app from your Shopify admin.',
  notFound: 'This item no longer exists. Refresh the page to see the latest data.',
  conflict: 'This changed in the meantime. Refresh the page and try again.',
  tooMany: 'Too many requests at once. Wait a few seconds, then try again.',
  server: 'Something went wrong on our side. Try again in a minute; if it keeps happening, contact support.',
  unreadable: 'The app server sent an answer the app could not read. Reload the page and try again.',
} as const;

const TIMEOUT_MS = 20_000;
/** App Bridge outside the Shopify admin may never answer idToken(); do not hang every request on it. */
const ID_TOKEN_TIMEOUT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(null), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * The Shopify session token for the Authorization header.
 * App Bridge first (the real admin); then the test hooks: window.__SESSION_TOKEN__, then ?id_token=.
 */
export async function getSessionToken(): Promise<string | null> {
  const bridge = window.shopify;
  if (bridge && typeof bridge.idToken === 'function') {
    try {
      const token = await withTimeout(bridge.idToken(), ID_TOKEN_TIMEOUT_MS);
      if (token) return token;
    } catch {
      // App Bridge present but unable to give a token (e.g. opened outside the admin): try the hooks below.
    }
  }
  if (typeof window.__SESSION_TOKEN__ === 'string' && window.__SESSION_TOKEN__ !== '') {
    return window.__SESSION_TOKEN__;
  }
  const fromUrl = new URLSearchParams(window.location.search).get('id_token');
  return fromUrl && fromUrl !== '' ? fromUrl : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readFieldErrors(body: unknown): Record<string, string> | undefined {
  if (!isRecord(body) || !isRecord(body.fieldErrors)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body.fieldErrors)) {
    if (typeof value === 'string') out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function readServerMessage(body: unknown): string | null {
  if (!isRecord(body)) return null;
  for (const key of ['error', 'message'] as const) {
    const value = body[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return null;
}

/** Maps an HTTP failure to merchant language. 4xx keep the server's own message when it sent one. */
export function toApiError(status: number, body: unknown): ApiError {
  const serverMessage = readServerMessage(body);
  const fieldErrors = readFieldErrors(body);
  const withFields = (message: string): ApiError => (fieldErrors ? { status, message, fieldErrors } : { status, message });
  if (status === 401) return { status, message: MESSAGES.sessionExpired };
  if (status === 400 || status === 422) return withFields(serverMessage ?? MESSAGES.badRequest);
  if (status === 403) return withFields(serverMessage ?? MESSAGES.forbidden);
  if (status === 404) return withFields(serverMessage ?? MESSAGES.notFound);
  if (status === 409) return withFields(serverMessage ?? MESSAGES.conflict);
  if (status === 429) return { status, message: MESSAGES.tooMany };
  if (status >= 500) return { status, message: MESSAGES.server };
  return withFields(serverMessage ?? `The app server answered with an unexpected error (${status}). Try again.`);
}

async function send(method: HttpMethod, path: string, body: unknown, signal: AbortSignal, extra: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...extra };
  const token = await getSessionToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const init: RequestInit = { method, headers, signal };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  // Conditional reads manage their own validators; nothing is served from the browser cache.
  if (extra['If-None-Match']) init.cache = 'no-store';
  return fetch(path, init);
}

/**
 * One JSON call to the app server. Never throws: network errors, timeouts and HTTP errors are values.
 * T is an answer type of the API contract (app/api-contract/, via api-types.ts); the server is tested
 * against that contract (test/integration/api-contract.test.ts), so answers are not parsed again here,
 * which keeps zod out of the bundle.
 */
export async function request<T>(method: HttpMethod, path: string, body?: unknown): Promise<ApiResult<T>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    let response = await send(method, path, body, controller.signal);
    // Shopify's libraries ask for one retry with a fresh token when a token went stale mid-flight.
    if (response.status === 401 && response.headers.get('X-Shopify-Retry-Invalid-Session-Request') === '1' && window.shopify) {
      response = await send(method, path, body, controller.signal);
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (response.ok) return { ok: false, error: { status: response.status, message: MESSAGES.unreadable } };
        // Non-JSON error pages (proxies, HTML 404s) still map by status below.
      }
    }
    if (!response.ok) return { ok: false, error: toApiError(response.status, parsed) };
    return { ok: true, data: parsed as T };
  } catch {
    const timedOut = controller.signal.aborted;
    return { ok: false, error: { status: 0, message: timedOut ? MESSAGES.timeout : MESSAGES.network } };
  } finally {
    clearTimeout(timer);
  }
}

/** A GET that sends the last ETag: `notModified` when nothing changed (304), else the new answer and its ETag. */
export async function conditionalGet<T>(
  path: string,
  etag: string | null,
): Promise<{ ok: true; notModified: true } | { ok: true; notModified: false; data: T; etag: string | null } | { ok: false; error: ApiError }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const response = await send('GET', path, undefined, controller.signal, etag ? { 'If-None-Match': etag } : {});
    if (response.status === 304) return { ok: true, notModified: true };
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text.trim() === '' ? null : JSON.parse(text);
    } catch {
      if (response.ok) return { ok: false, error: { status: response.status, message: MESSAGES.unreadable } };
    }
    if (!response.ok) return { ok: false, error: toApiError(response.status, parsed) };
    return { ok: true, notModified: false, data: parsed as T, etag: response.headers.get('ETag') };
  } catch {
    const timedOut = controller.signal.aborted;
    return { ok: false, error: { status: 0, message: timedOut ? MESSAGES.timeout : MESSAGES.network } };
  } finally {
    clearTimeout(timer);
  }
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
};
