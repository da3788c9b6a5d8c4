// The jobs of the app and their payloads. Ingest parses and normalises each
// delivery once and stores the result here; a job reads its payload with these
// schemas and never sees the raw request.
import { z } from 'zod';
import { OPT_IN_LEVELS } from '../core/opt-in-level.js';
import { CHANNELS, SHOPIFY_STATES } from '../core/types.js';
import type { HeldJobs } from '../queue/index.js';
import type { DataLayer } from '../db/index.js';
import { PermanentError } from '../errors.js';

export const JOB_KINDS = {
  shopifyWebhook: 'shopify-webhook',
  edroneEvent: 'edrone-event',
  backfill: 'backfill',
  reconcile: 'reconcile',
} as const;
export type JobKind = (typeof JOB_KINDS)[keyof typeof JOB_KINDS];

/** Kinds that call the Shopify Admin API: they wait while a shop is throttled or its token is revoked. */
export const SHOPIFY_CALLING_KINDS: readonly JobKind[] = [JOB_KINDS.edroneEvent, JOB_KINDS.backfill, JOB_KINDS.reconcile];

/** The queue's hook: jobs of throttled or blocked shops that call Shopify wait. */
export function heldJobs(data: Pick<DataLayer, 'shops'>): (now: Date) => Promise<HeldJobs> {
  return async (now) => ({ shopIds: await data.shops.heldIds(now), kinds: SHOPIFY_CALLING_KINDS });
}

const isoDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const channel = z.enum(CHANNELS);

/** A ShopifyConsentEvent as stored (dates as ISO text). */
const shopifyConsentEvent = z.object({
  origin: z.literal('webhook'),
  channel,
  customerId: z.string(),
  identity: z.string().nullable(),
  state: z.enum(SHOPIFY_STATES),
  at: isoDate.nullable(),
  optInLevel: z.enum(OPT_IN_LEVELS).nullish(),
});

/** How a compliance request names the customer, as Shopify sent it. */
const complianceCustomer = z.object({
  id: z.string().optional(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
});

/** 'shopify-webhook': one verified delivery, by topic. `eventId` is its stored raw event. */
export const shopifyWebhookJob = z.discriminatedUnion('topic', [
  z.object({ eventId: z.string(), topic: z.literal('customers_email_marketing_consent/update'), consent: shopifyConsentEvent }),
  z.object({ eventId: z.string(), topic: z.literal('customers_marketing_consent/update'), consent: shopifyConsentEvent }),
  z.object({ eventId: z.string(), topic: z.literal('customers/redact'), customer: complianceCustomer }),
  z.object({ eventId: z.string(), topic: z.literal('customers/data_request'), customer: complianceCustomer }),
  z.object({ eventId: z.string(), topic: z.literal('shop/redact') }),
  z.object({ eventId: z.string(), topic: z.literal('app/uninstalled') }),
  z.object({ eventId: z.string(), topic: z.literal('app/scopes_update'), current: z.array(z.string()) }),
]);
export type ShopifyWebhookJob = z.output<typeof shopifyWebhookJob>;
export type ShopifyWebhookJobInput = z.input<typeof shopifyWebhookJob>;

/** 'edrone-event': the consent events of one verified edrone request. */
export const edroneEventJob = z.object({
  eventId: z.string(),
  events: z.array(
    z.object({
      channel,
      identity: z.string().nullable(),
      status: z.enum(['subscribed', 'unsubscribed']).nullable(),
      at: isoDate,
      reason: z.string().nullable(),
      reasonCode: z.string().nullable(),
    }),
  ),
});
export type EdroneEventJobInput = z.input<typeof edroneEventJob>;

/** 'backfill' and 'reconcile': the run the job drives. */
export const runJob = z.object({ runId: z.string() });

/** Reads a job's payload with its schema; one that does not match will never work, so it is not retried. */
export function readPayload<S extends z.ZodType>(schema: S, payload: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    throw new PermanentError('invalid_payload', 'The stored job is not valid JSON.');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new PermanentError('invalid_payload', `The stored job does not match its kind: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}
