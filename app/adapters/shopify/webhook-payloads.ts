// Shopify webhook bodies, validated with zod. Customer and shop ids exceed
// Number.MAX_SAFE_INTEGER, so they are turned into strings before JSON.parse
// ever sees them as numbers.
import { z } from 'zod';
import { parseOptInLevel, type OptInLevel } from '../../core/opt-in-level.js';
import { SHOPIFY_STATES, type ShopifyState } from '../../core/types.js';

export const CONSENT_TOPICS = ['customers_email_marketing_consent/update', 'customers_marketing_consent/update'] as const;
export const COMPLIANCE_TOPICS = ['customers/data_request', 'customers/redact', 'shop/redact'] as const;
export const KNOWN_TOPICS = [...CONSENT_TOPICS, ...COMPLIANCE_TOPICS, 'app/uninstalled', 'app/scopes_update'] as const;
export type KnownTopic = (typeof KNOWN_TOPICS)[number];

export function isKnownTopic(topic: string): topic is KnownTopic {
  return (KNOWN_TOPICS as readonly string[]).includes(topic);
}

/** JSON.parse that keeps every integer id as its exact decimal string. */
export function parseJsonKeepingIds(raw: string): unknown {
  return JSON.parse(raw.replace(/("(?:id|customer_id|shop_id)"\s*:\s*)(-?\d+)(?=\s*[,}\]])/g, '$1"$2"'));
}

const id = z.string().regex(/^\d+$/, 'must be a numeric id');
const consentState = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(SHOPIFY_STATES, { error: `must be one of ${SHOPIFY_STATES.join(', ')}` }))
  .nullable();
const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date').nullable().optional();

const emailConsentBody = z.object({
  customer_id: id,
  email_address: z.string().nullable().optional(),
  email_marketing_consent: z
    .object({ state: consentState, opt_in_level: z.string().nullable().optional(), consent_updated_at: timestamp })
    .nullable(),
});

const smsConsentBody = z.object({
  id,
  phone: z.string().nullable().optional(),
  sms_marketing_consent: z
    .object({
      state: consentState,
      opt_in_level: z.string().nullable().optional(),
      consent_updated_at: timestamp,
      consent_collected_from: z.string().nullable().optional(),
    })
    .nullable(),
});

const complianceCustomer = z.object({
  id: id.optional(),
  email: z.string().max(320).nullable().optional(),
  phone: z.string().max(64).nullable().optional(),
});

// Shopify always names the shop in a compliance body; it must be the header's shop (see shopOfBody).
const shopDomain = z.string().max(255);
/** Keys that belong to another topic's body: a body carrying them was signed for that topic. */
const notHere = z.undefined({ error: 'belongs to another topic' }).optional();

const schemas = {
  'customers_email_marketing_consent/update': emailConsentBody,
  'customers_marketing_consent/update': smsConsentBody,
  'customers/data_request': z.object({
    shop_domain: shopDomain,
    customer: complianceCustomer,
    orders_requested: z.array(z.unknown()),
    data_request: z.object({ id }).partial().optional(),
    orders_to_redact: notHere,
  }),
  'customers/redact': z.object({
    shop_domain: shopDomain,
    customer: complianceCustomer,
    orders_to_redact: z.array(z.unknown()),
    orders_requested: notHere,
    data_request: notHere,
  }),
  'shop/redact': z.object({ shop_domain: shopDomain, customer: notHere }),
  // The shop resource: its numeric id and name, and never another topic's fields.
  'app/uninstalled': z
    .object({
      id,
      name: z.string(),
      myshopify_domain: shopDomain.optional(),
      shop_domain: notHere,
      customer: notHere,
      customer_id: notHere,
      email_marketing_consent: notHere,
      sms_marketing_consent: notHere,
    })
    .loose(),
  // The grant after the change (`current`) and before it (`previous`), as scope handles.
  'app/scopes_update': z
    .object({
      id: z.union([z.string(), z.number()]).optional(),
      previous: z.array(z.string().max(100)).max(200).default([]),
      current: z.array(z.string().max(100)).max(200),
      updated_at: z.string().nullish(),
    })
    .loose(),
} satisfies Record<KnownTopic, z.ZodType>;

/**
 * The shop a signed body names, if it names one. The HMAC covers only the
 * body, so this must equal the X-Shopify-Shop-Domain header before the
 * delivery is trusted for that shop.
 */
export function shopOfBody(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as { shop_domain?: unknown; myshopify_domain?: unknown };
  const named = b.shop_domain ?? b.myshopify_domain;
  return typeof named === 'string' ? named.toLowerCase() : null;
}

export type ShopifyPayload<T extends KnownTopic> = z.infer<(typeof schemas)[T]>;

/** A consent webhook reduced to what the rules need. */
export interface ShopifyConsentPayload {
  channel: 'email' | 'sms';
  customerId: string;
  address: string | null;
  state: ShopifyState;
  consentUpdatedAt: string | null;
  /** opt_in_level as Shopify recorded it; null when absent or not one of its levels. */
  optInLevel: OptInLevel | null;
}

export type ParsedWebhook =
  | { ok: true; topic: KnownTopic; body: unknown }
  | { ok: false; message: string };

/** Parses and validates a webhook body for its topic. */
export function parseWebhookBody(topic: KnownTopic, raw: string): ParsedWebhook {
  let json: unknown;
  try {
    json = parseJsonKeepingIds(raw);
  } catch {
    return { ok: false, message: 'body is not valid JSON' };
  }
  const result = schemas[topic].safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, message: `invalid ${topic} body: ${issue?.path.join('.') || 'body'} ${issue?.message ?? ''}`.trim() };
  }
  return { ok: true, topic, body: result.data };
}

/** The other known topic this body is valid for, if any: a body replayed under the wrong topic. */
export function otherTopicOf(topic: KnownTopic, raw: string): KnownTopic | null {
  let json: unknown;
  try {
    json = parseJsonKeepingIds(raw);
  } catch {
    return null;
  }
  return KNOWN_TOPICS.find((t) => t !== topic && schemas[t].safeParse(json).success) ?? null;
}

export function consentPayloadOf(topic: KnownTopic, body: unknown): ShopifyConsentPayload | null {
  if (topic === 'customers_email_marketing_consent/update') {
    const b = body as ShopifyPayload<typeof topic>;
    return consentPayload('email', b.customer_id, b.email_address, b.email_marketing_consent);
  }
  if (topic === 'customers_marketing_consent/update') {
    const b = body as ShopifyPayload<typeof topic>;
    return consentPayload('sms', b.id, b.phone, b.sms_marketing_consent);
  }
  return null;
}

/** Both consent topics: no consent object, or no state in it, reads as not subscribed. */
function consentPayload(
  channel: ShopifyConsentPayload['channel'],
  customerId: string,
  address: string | null | undefined,
  consent: { state: ShopifyState | null; consent_updated_at?: string | null | undefined; opt_in_level?: string | null | undefined } | null,
): ShopifyConsentPayload {
  return {
    channel,
    customerId,
    address: address ?? null,
    state: consent?.state ?? 'not_subscribed',
    consentUpdatedAt: consent?.consent_updated_at ?? null,
    optInLevel: parseOptInLevel(consent?.opt_in_level),
  };
}
