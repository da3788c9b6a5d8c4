// edrone's Subscription Status API (seeds/002, reference/edrone.md §3): is the
// visitor behind an fp_ccid cookie known to edrone, and subscribed? Called
// server-side for the storefront, so it waits briefly and never throws: every
// failure is a value the caller turns into "unknown".
import { z } from 'zod';

/** A storefront must not wait on edrone: the default wait (seeds/002 "Use with delay"). */
export const SUBSCRIPTION_STATUS_TIMEOUT_MS = 2_000;

export interface SubscriptionStatusQuery {
  appId: string;
  fpcid: string;
  /** Ask edrone to bypass its own cache (`force=true`). */
  force?: boolean;
}

/** edrone's answer, as documented: identified, status true/false/null, message. */
export interface SubscriptionStatusAnswer {
  identified: boolean;
  status: boolean | null;
  message: string;
}

export type SubscriptionStatusFailure = 'invalid_app_id' | 'timeout' | 'unreachable' | 'unavailable' | 'unreadable';

export type SubscriptionStatusResult =
  | { ok: true; answer: SubscriptionStatusAnswer }
  | { ok: false; reason: SubscriptionStatusFailure; message: string };

export interface SubscriptionStatusClient {
  check(query: SubscriptionStatusQuery): Promise<SubscriptionStatusResult>;
}

export interface SubscriptionStatusClientOptions {
  /** e.g. https://api.edrone.me (EDRONE_API_URL); a trailing slash is ignored. */
  baseUrl: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const answerSchema = z.object({
  identified: z.boolean(),
  status: z.boolean().nullable(),
  message: z.string().max(500).optional(),
});

export function createSubscriptionStatusClient(options: SubscriptionStatusClientOptions): SubscriptionStatusClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? SUBSCRIPTION_STATUS_TIMEOUT_MS;

  return {
    async check({ appId, fpcid, force }) {
      const params = new URLSearchParams({ app_id: appId, fpcid });
      if (force) params.set('force', 'true');
      let status: number;
      let text: string;
      try {
        // One signal for headers and body: a slow body counts against the same wait.
        const signal = AbortSignal.timeout(timeoutMs);
        const res = await doFetch(`${baseUrl}/subscription_status?${params}`, { signal, headers: { accept: 'application/json' } });
        status = res.status;
        text = await res.text();
      } catch (e) {
        const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
        return timedOut
          ? { ok: false, reason: 'timeout', message: `edrone did not answer within ${timeoutMs} ms.` }
          : { ok: false, reason: 'unreachable', message: 'edrone could not be reached.' };
      }
      if (status === 400) return { ok: false, reason: 'invalid_app_id', message: 'edrone does not recognise the shop’s App ID.' };
      if (status !== 200) return { ok: false, reason: 'unavailable', message: `edrone answered HTTP ${status}.` };
      let parsed: z.infer<typeof answerSchema>;
      try {
        parsed = answerSchema.parse(JSON.parse(text));
      } catch {
        return { ok: false, reason: 'unreadable', message: 'edrone’s answer could not be read.' };
      }
      return { ok: true, answer: { identified: parsed.identified, status: parsed.status, message: parsed.message ?? 'Success' } };
    },
  };
}
