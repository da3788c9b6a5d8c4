// edrone's trace API (reference/edrone.md §2): subscribe traces and an App ID check.
import { PermanentError, RetriableError, ThrottledError } from '../../errors.js';
import { createPacer, type Pacer } from './pacer.js';
import type { EdroneTraceClient, SubscribeTrace } from './types.js';

/** Sent as `version` so edrone can tell integrations apart (its own modules do the same). */
export const INTEGRATION_VERSION = '0.1.0';
export const INTEGRATION_PLATFORM = 'shopify';

export interface EdroneTraceClientOptions {
  /** e.g. https://api.edrone.me (EDRONE_API_URL); a trailing slash is ignored. */
  baseUrl: string;
  fetch?: typeof fetch;
  /** Per app_id. edrone allows 100 requests/s from servers; 90 leaves headroom. */
  ratePerSecond?: number;
  /**
   * The pacing of sends per app_id. Default: this process alone (ratePerSecond).
   * The app passes one shared by every process on the database (app/db/rate-limits.ts).
   */
  pacer?: Pacer;
  timeoutMs?: number;
}

export const DEFAULT_THROTTLE_MS = 1000;

export function createEdroneTraceClient(options: EdroneTraceClientOptions): EdroneTraceClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pacer = options.pacer ?? createPacer(options.ratePerSecond ?? 90);

  return {
    async sendSubscribe(trace: SubscribeTrace): Promise<void> {
      const body = traceForm(trace);
      await pacer.wait(trace.appId);
      let response: { status: number; headers: Headers; text: string };
      try {
        const res = await doFetch(`${baseUrl}/trace`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: body.toString(),
          signal: AbortSignal.timeout(timeoutMs),
        });
        response = { status: res.status, headers: res.headers, text: await res.text() };
      } catch (e) {
        throw transportError(e, timeoutMs);
      }
      const error = traceResponseError(response.status, response.headers, response.text);
      if (error instanceof ThrottledError) pacer.pause(trace.appId, error.retryAfterMs);
      if (error) throw error;
    },

    async checkAppId(appId: string): Promise<{ ok: true } | { ok: false; reason: string }> {
      if (appId.trim() === '') return { ok: false, reason: 'The App ID is empty.' };
      // The subscription-status API is the cheapest read that names the app; the cookie id is a placeholder.
      const url = `${baseUrl}/subscription_status?${new URLSearchParams({ app_id: appId, fpcid: 'connection-check' })}`;
      try {
        const res = await doFetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        const text = await res.text();
        if (res.status === 200) return { ok: true };
        if (res.status === 400) return { ok: false, reason: 'edrone does not recognise this App ID' };
        return { ok: false, reason: `edrone answered HTTP ${res.status}${describeBody(text)}; try again later` };
      } catch (e) {
        const cause = isTimeout(e) ? `no answer within ${timeoutMs} ms` : errorText(e);
        return { ok: false, reason: `Could not reach edrone: ${cause}` };
      }
    },
  };
}

/** The form edrone documents for a server-side subscribe (§2.2, §2.6); only the fields given. */
export function traceForm(trace: SubscribeTrace): URLSearchParams {
  if (!trace.appId.trim()) throw new PermanentError('edrone_invalid_trace', 'No edrone App ID is configured.');
  const hasEmail = trace.email !== undefined && trace.subscriberStatus !== undefined;
  const hasSms = trace.phone !== undefined && trace.smsSubscriberStatus !== undefined;
  if (!hasEmail && !hasSms) {
    throw new PermanentError(
      'edrone_invalid_trace',
      'A subscribe trace needs email with subscriberStatus, or phone with smsSubscriberStatus.',
    );
  }
  const form = new URLSearchParams({
    app_id: trace.appId,
    action_type: 'subscribe',
    // "Subscription change won't work without that." (§2.1)
    sender_type: 'server',
    version: INTEGRATION_VERSION,
    platform: INTEGRATION_PLATFORM,
  });
  if (trace.email !== undefined) form.set('email', trace.email);
  if (trace.subscriberStatus !== undefined) form.set('subscriber_status', trace.subscriberStatus);
  if (trace.phone !== undefined) form.set('phone', trace.phone);
  if (trace.smsSubscriberStatus !== undefined) form.set('sms_subscriber_status', trace.smsSubscriberStatus);
  return form;
}

/**
 * The one place that decides what an edrone answer means. null: success.
 * 429 waits (Retry-After, else 1 s); 5xx and 408 may pass; any other 4xx will
 * fail again, so it is permanent and carries edrone's error text.
 */
export function traceResponseError(status: number, headers: Headers, body: string): Error | null {
  if (status >= 200 && status < 300) return null;
  if (status === 429) return new ThrottledError('edrone', retryAfterMs(headers.get('retry-after')));
  if (status >= 500 || status === 408) {
    return new RetriableError('edrone_unavailable', `edrone is unavailable (HTTP ${status})${describeBody(body)}.`);
  }
  if (status >= 400) {
    return new PermanentError('edrone_rejected', `edrone rejected the update (HTTP ${status})${describeBody(body)}.`);
  }
  // 1xx/3xx after fetch followed redirects: unexpected, but nothing says it will last.
  return new RetriableError('edrone_unexpected', `edrone answered HTTP ${status}.`);
}

/** Retry-After as seconds or an HTTP date; missing or unreadable: 1 s. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number {
  if (header === null || header.trim() === '') return DEFAULT_THROTTLE_MS;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? DEFAULT_THROTTLE_MS : Math.max(0, at - now);
}

/** edrone's error text: {"error": "..."} when JSON, else the body itself, shortened. */
function describeBody(body: string): string {
  const trimmed = body.trim();
  if (trimmed === '') return '';
  let message = trimmed;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (typeof parsed === 'object' && parsed !== null && 'error' in parsed && typeof parsed.error === 'string') {
      message = parsed.error;
    } else if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') {
      message = parsed.message;
    }
  } catch {
    // Not JSON: use the text.
  }
  return `: ${message.length > 300 ? `${message.slice(0, 300)}…` : message}`;
}

function isTimeout(e: unknown): boolean {
  return e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
}

function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  // undici hides the useful part (ECONNREFUSED, ENOTFOUND) in the cause.
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return `${e.message}${cause}`;
}

function transportError(e: unknown, timeoutMs: number): RetriableError {
  if (isTimeout(e)) return new RetriableError('edrone_timeout', `edrone did not answer within ${timeoutMs} ms.`, e);
  return new RetriableError('edrone_unreachable', `Could not reach edrone: ${errorText(e)}`, e);
}
