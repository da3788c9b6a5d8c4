// The shapes of Shopify's answers (Admin GraphQL nodes, and the bulk export's
// lines, which are customer nodes too) and their mapping to the adapter's types.
import { z } from 'zod';
import { parseOptInLevel } from '../../core/opt-in-level.js';
import { SHOPIFY_STATES } from '../../core/types.js';
import { PermanentError } from '../../errors.js';
import { UnexpectedResponse, userErrorSchema } from './admin-errors.js';
import type { BulkOperation, ConsentSnapshot, ShopifyCustomer, WebhookSubscription } from './types.js';

// ---------------------------------------------------------------------------
// Ids

const CUSTOMER_GID = /^gid:\/\/shopify\/Customer\/(\d+)$/;

/** "gid://shopify/Customer/N" -> "N", as text: ids exceed 2^53. */
export function customerIdFromGid(gid: string): string {
  const id = CUSTOMER_GID.exec(gid)?.[1];
  if (!id) throw new UnexpectedResponse(`not a customer id: ${gid}`);
  return id;
}

export function customerGid(id: string): string {
  if (!/^\d+$/.test(id)) throw new PermanentError('invalid_customer_id', `"${id}" is not a Shopify customer id.`);
  return `gid://shopify/Customer/${id}`;
}

// ---------------------------------------------------------------------------
// Customers

const stateSchema = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(SHOPIFY_STATES));

const levelSchema = z.string().nullish().transform((v) => parseOptInLevel(v));

/** The older fields (Customer.emailMarketingConsent / smsMarketingConsent). */
const consentSchema = z
  .object({ marketingState: stateSchema, marketingOptInLevel: levelSchema, consentUpdatedAt: z.string().nullish() })
  .nullish();

/** 2025-04+: Customer.defaultEmailAddress. */
const emailAddressSchema = z
  .object({
    emailAddress: z.string().nullish(),
    marketingState: stateSchema,
    marketingOptInLevel: levelSchema,
    marketingUpdatedAt: z.string().nullish(),
  })
  .nullish();

/** 2026-10+: Customer.defaultPhoneNumber with its smsMarketingConsent (CustomerSmsMarketingConsent). */
const phoneNumberSchema = z
  .object({
    phoneNumber: z.string().nullish(),
    smsMarketingConsent: z
      .object({ state: stateSchema, optInLevel: levelSchema, updatedAt: z.string().nullish(), collectedFrom: z.string().nullish() })
      .nullish(),
  })
  .nullish();

export const customerNodeSchema = z.object({
  id: z.string(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  updatedAt: z.string().nullish(),
  emailMarketingConsent: consentSchema,
  smsMarketingConsent: consentSchema,
  defaultEmailAddress: emailAddressSchema,
  defaultPhoneNumber: phoneNumberSchema,
});
type CustomerNode = z.infer<typeof customerNodeSchema>;

/**
 * A line of the bulk export (CUSTOMER_EXPORT_QUERY): a customer node without
 * updatedAt, or a child object (`__parentId`). An id that is not a customer's
 * fails the schema, so such a line is no customer rather than an error.
 */
export const exportLineSchema = customerNodeSchema
  .omit({ updatedAt: true })
  .extend({ id: z.string().regex(CUSTOMER_GID), __parentId: z.string().optional() });

function toSnapshot(consent: z.infer<typeof consentSchema>): ConsentSnapshot | null {
  return consent
    ? { state: consent.marketingState, consentUpdatedAt: consent.consentUpdatedAt ?? null, optInLevel: consent.marketingOptInLevel }
    : null;
}

/** Email consent: the current field when the answer has it, else the older one. */
function emailSnapshot(node: Omit<CustomerNode, 'updatedAt'>): ConsentSnapshot | null {
  const current = node.defaultEmailAddress;
  if (current) return { state: current.marketingState, consentUpdatedAt: current.marketingUpdatedAt ?? null, optInLevel: current.marketingOptInLevel };
  return toSnapshot(node.emailMarketingConsent);
}

/** SMS consent: defaultPhoneNumber.smsMarketingConsent when the answer has it, else the older field. */
function smsSnapshot(node: Omit<CustomerNode, 'updatedAt'>): ConsentSnapshot | null {
  const current = node.defaultPhoneNumber?.smsMarketingConsent;
  if (current) return { state: current.state, consentUpdatedAt: current.updatedAt ?? null, optInLevel: current.optInLevel };
  return toSnapshot(node.smsMarketingConsent);
}

/** Identity and consents: what an API node and an export line both carry. */
function customerOf(node: Omit<CustomerNode, 'updatedAt'>): ShopifyCustomer {
  return {
    id: customerIdFromGid(node.id),
    email: node.email ?? node.defaultEmailAddress?.emailAddress ?? null,
    phone: node.phone ?? node.defaultPhoneNumber?.phoneNumber ?? null,
    emailConsent: emailSnapshot(node),
    smsConsent: smsSnapshot(node),
  };
}

export function toCustomer(node: CustomerNode): ShopifyCustomer {
  return { ...customerOf(node), updatedAt: node.updatedAt ?? null };
}

/** The customer of an export line's JSON; null for anything else (child object, not a customer). */
export function customerFromExportJson(json: unknown): ShopifyCustomer | null {
  const parsed = exportLineSchema.safeParse(json);
  if (!parsed.success || parsed.data.__parentId) return null;
  // The export has no updatedAt, and its customers carry none.
  return customerOf(parsed.data);
}

export const mutationPayloadSchema = z.object({
  customer: customerNodeSchema.nullish(),
  userErrors: z.array(userErrorSchema),
});

// ---------------------------------------------------------------------------
// Bulk operations, pages, webhook subscriptions

export const bulkOperationSchema = z.object({
  id: z.string(),
  status: z.enum(['CREATED', 'RUNNING', 'COMPLETED', 'CANCELING', 'CANCELED', 'FAILED', 'EXPIRED']),
  url: z.string().nullish(),
  // UnsignedInt64: a string on the wire.
  objectCount: z.union([z.string(), z.number()]).nullish(),
  errorCode: z.string().nullish(),
});

export const pageInfoSchema = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() });

export const webhookSubscriptionSchema = z.object({
  id: z.string(),
  topic: z.string(),
  uri: z.string().nullish(),
  endpoint: z
    .object({
      __typename: z.string(),
      callbackUrl: z.string().nullish(),
      arn: z.string().nullish(),
      pubSubProject: z.string().nullish(),
      pubSubTopic: z.string().nullish(),
    })
    .nullish(),
  apiVersion: z.object({ handle: z.string() }).nullish(),
  createdAt: z.string().nullish(),
  format: z.string().nullish(),
  includeFields: z.array(z.string()).nullish(),
  filter: z.string().nullish(),
});

export function toBulkOperation(node: z.infer<typeof bulkOperationSchema>): BulkOperation {
  return {
    id: node.id,
    status: node.status,
    url: node.url ?? null,
    objectCount: Number(node.objectCount ?? 0),
    errorCode: node.errorCode ?? null,
  };
}

export function toWebhookSubscription(node: z.infer<typeof webhookSubscriptionSchema>): WebhookSubscription {
  const e = node.endpoint;
  const fromEndpoint =
    e?.callbackUrl ?? e?.arn ?? (e?.pubSubProject && e.pubSubTopic ? `pubsub://${e.pubSubProject}:${e.pubSubTopic}` : null);
  return {
    id: node.id,
    topic: node.topic,
    address: node.uri ?? fromEndpoint ?? null,
    endpointType: e?.__typename ?? null,
    apiVersion: node.apiVersion?.handle ?? null,
    createdAt: node.createdAt ?? null,
    format: node.format ?? null,
    includeFields: node.includeFields ?? [],
    filter: node.filter ?? null,
  };
}

/** Data in the expected shape, or UnexpectedResponse naming what differs. */
export function parseResponse<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new UnexpectedResponse(z.prettifyError(parsed.error));
  return parsed.data;
}
