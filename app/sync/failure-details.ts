// One Failures row from a dead job: who (email or phone), which channel, which change, the side it
// could not reach, why and what to do. The payload is read with the job schemas; one that no longer
// reads still gets a row (its reason says so).
import { failureAdvice } from '../core/failure-advice.js';
import { shopifyToEdrone } from '../core/consent-mapping.js';
import type { Job } from '../queue/index.js';
import { JOB_KINDS, edroneEventJob, shopifyWebhookJob } from './job-payloads.js';

export type FailureChange = 'subscribe' | 'unsubscribe' | 'erase' | 'export_data';

export interface FailureSubject {
  customer: string | null;
  channel: 'email' | 'sms' | null;
  change: FailureChange | null;
  /** The side the change could not reach. */
  target: 'edrone' | 'shopify' | null;
  /** Further customers' changes in the same job (one edrone request can carry several). */
  otherChanges: number;
  summary: string;
}

const CHANGE_WORDS: Record<FailureChange, string> = {
  subscribe: 'Subscribe',
  unsubscribe: 'Unsubscribe',
  erase: 'Erase customer data',
  export_data: 'Customer data request',
};

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, payload: string): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function describe(s: Omit<FailureSubject, 'summary'>, fallback: string): FailureSubject {
  if (!s.change) return { ...s, summary: fallback };
  const channel = s.channel === 'sms' ? 'SMS' : s.channel === 'email' ? 'email' : '';
  const what = `${CHANGE_WORDS[s.change]}${channel ? ` (${channel})` : ''}`;
  const who = s.customer ?? 'a customer without email or phone';
  const more = s.otherChanges > 0 ? ` and ${s.otherChanges} more` : '';
  const outcome = s.target === 'edrone' ? 'could not reach edrone' : s.target === 'shopify' ? 'could not reach Shopify' : 'could not be completed';
  return { ...s, summary: `${what} of ${who}${more} ${outcome}` };
}

/** Who and what a dead job was about. */
export function failureSubject(job: Pick<Job, 'kind' | 'payload'>): FailureSubject {
  const none = { customer: null, channel: null, change: null, otherChanges: 0 } as const;
  switch (job.kind) {
    case JOB_KINDS.backfill:
      return { ...none, target: 'edrone', summary: 'Initial sync of existing customers' };
    case JOB_KINDS.reconcile:
      return { ...none, target: null, summary: 'Reconciliation of recently changed customers' };
    case JOB_KINDS.edroneEvent: {
      const p = parse(edroneEventJob, job.payload);
      const first = p?.events[0];
      if (!first) return { ...none, target: 'shopify', summary: 'edrone change to apply in Shopify' };
      const change = first.status === 'subscribed' ? 'subscribe' : first.status === 'unsubscribed' ? 'unsubscribe' : null;
      return describe(
        { customer: first.identity, channel: first.channel, change, target: 'shopify', otherChanges: p.events.length - 1 },
        'edrone change to apply in Shopify',
      );
    }
    default: {
      const p = parse(shopifyWebhookJob, job.payload);
      if (!p) return { ...none, target: 'edrone', summary: 'Shopify change to send to edrone' };
      if ('consent' in p) {
        const state = shopifyToEdrone(p.consent.state);
        const change = state === 'subscribed' ? 'subscribe' : state === 'unsubscribed' ? 'unsubscribe' : null;
        return describe(
          { customer: p.consent.identity, channel: p.consent.channel, change, target: 'edrone', otherChanges: 0 },
          'Shopify change to send to edrone',
        );
      }
      if ('customer' in p) {
        const change = p.topic === 'customers/redact' ? 'erase' : 'export_data';
        return describe({ customer: p.customer.email ?? p.customer.phone ?? null, channel: null, change, target: null, otherChanges: 0 }, '');
      }
      return { ...none, target: null, summary: `Shopify ${p.topic} notice` };
    }
  }
}

/** The Failures row of a dead job. */
export function failureItem(job: Job) {
  const subject = failureSubject(job);
  const advice = failureAdvice(job.lastError, job.attempts);
  return {
    id: job.id,
    kind: job.kind,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    attempts: job.attempts,
    lastError: job.lastError,
    ...subject,
    reason: advice.reason,
    action: advice.action,
  };
}
