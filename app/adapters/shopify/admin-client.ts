// The sync's Admin GraphQL operations for one shop, over the library's GraphQL client.
// Every failure leaves through toAppError, so callers see only the app's error family.
import {
  GraphqlQueryError,
  HttpMaxRetriesError,
  HttpRequestError,
  HttpResponseError,
  HttpThrottlingError,
  type Session,
} from '@shopify/shopify-api';
import { z } from 'zod';
import { SHOPIFY_STATES } from '../../core/types.js';
import { AppError, PermanentError, RetriableError, ShopAccessError, ThrottledError, coerceError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { ShopifyApi } from './shopify-api.js';
import type {
  BulkOperation,
  ConsentInputState,
  ConsentSnapshot,
  CustomerPage,
  ShopifyAdminClient,
  ShopifyCustomer,
  WebhookSubscription,
  WebhookSubscriptionPage,
} from './types.js';

export interface AdminClientOptions {
  shopify: ShopifyApi;
  session: Session;
  logger?: Pick<Logger, 'debug' | 'warn'>;
  /** A request that has not answered by then fails as retriable. */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
export const MIN_THROTTLE_WAIT_MS = 1_000;

// ---------------------------------------------------------------------------
// Documents. Customer.email / .phone are read for identity; consent comes from
// emailMarketingConsent / smsMarketingConsent (present in 2026-07).

const CUSTOMER_FIELDS = `id
    email
    phone
    updatedAt
    emailMarketingConsent { marketingState consentUpdatedAt }
    smsMarketingConsent { marketingState consentUpdatedAt }`;

export const CUSTOMER_BY_IDENTIFIER = `query CustomerByIdentifier($identifier: CustomerIdentifierInput!) {
  customerByIdentifier(identifier: $identifier) {
    ${CUSTOMER_FIELDS}
  }
}`;

export const EMAIL_CONSENT_UPDATE = `mutation CustomerEmailMarketingConsentUpdate($input: CustomerEmailMarketingConsentUpdateInput!) {
  customerEmailMarketingConsentUpdate(input: $input) {
    customer {
    ${CUSTOMER_FIELDS}
    }
    userErrors { field message code }
  }
}`;

export const SMS_CONSENT_UPDATE = `mutation CustomerSmsMarketingConsentUpdate($input: CustomerSmsMarketingConsentUpdateInput!) {
  customerSmsMarketingConsentUpdate(input: $input) {
    customer {
    ${CUSTOMER_FIELDS}
    }
    userErrors { field message code }
  }
}`;

export const CUSTOMER_CREATE = `mutation CustomerCreate($input: CustomerInput!) {
  customerCreate(input: $input) {
    customer {
    ${CUSTOMER_FIELDS}
    }
    userErrors { field message }
  }
}`;

/** The bulk export of the backfill: one JSONL line per customer (no nested connection). */
export const CUSTOMER_EXPORT_QUERY = `{
  customers {
    edges {
      node {
        id
        email
        phone
        emailMarketingConsent { marketingState consentUpdatedAt }
        smsMarketingConsent { marketingState consentUpdatedAt }
      }
    }
  }
}`;

const BULK_OPERATION_FIELDS = 'id status url objectCount errorCode';

export const BULK_OPERATION_RUN_QUERY = `mutation BulkOperationRunQuery($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { ${BULK_OPERATION_FIELDS} }
    userErrors { field message code }
  }
}`;

export const BULK_OPERATION_BY_ID = `query BulkOperationById($id: ID!) {
  node(id: $id) {
    ... on BulkOperation { ${BULK_OPERATION_FIELDS} }
  }
}`;

export const CUSTOMERS_UPDATED_SINCE = `query CustomersUpdatedSince($first: Int!, $after: String, $query: String!) {
  customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    edges {
      node {
    ${CUSTOMER_FIELDS}
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

// `uri` is the current field (2025-10+); `endpoint` is deprecated but still served, and
// names the kind of destination.
const WEBHOOK_SUBSCRIPTION_FIELDS = `id
    topic
    uri
    endpoint {
      __typename
      ... on WebhookHttpEndpoint { callbackUrl }
      ... on WebhookEventBridgeEndpoint { arn }
      ... on WebhookPubSubEndpoint { pubSubProject pubSubTopic }
    }
    apiVersion { handle }
    createdAt
    format
    includeFields
    filter`;

export const WEBHOOK_SUBSCRIPTIONS = `query WebhookSubscriptions($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    edges {
      node {
    ${WEBHOOK_SUBSCRIPTION_FIELDS}
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const WEBHOOK_SUBSCRIPTION_CREATE = `mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription {
    ${WEBHOOK_SUBSCRIPTION_FIELDS}
    }
    userErrors { field message }
  }
}`;

export const WEBHOOK_SUBSCRIPTION_DELETE = `mutation WebhookSubscriptionDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}`;

/** Shopify's search syntax for "updated at or after": customers(query:). */
export function updatedSinceQuery(since: Date, inclusive = false): string {
  return `updated_at:>${inclusive ? '=' : ''}'${since.toISOString().replace(/\.\d{3}Z$/, 'Z')}'`;
}

// ---------------------------------------------------------------------------
// Response shapes

const stateSchema = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(SHOPIFY_STATES));

const consentSchema = z
  .object({ marketingState: stateSchema, consentUpdatedAt: z.string().nullish() })
  .nullish();

const customerNodeSchema = z.object({
  id: z.string(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  updatedAt: z.string().nullish(),
  emailMarketingConsent: consentSchema,
  smsMarketingConsent: consentSchema,
});
type CustomerNode = z.infer<typeof customerNodeSchema>;

const userErrorSchema = z.object({
  field: z.array(z.string()).nullish(),
  message: z.string(),
  code: z.string().nullish(),
});
type UserError = z.infer<typeof userErrorSchema>;

const mutationPayloadSchema = z.object({
  customer: customerNodeSchema.nullish(),
  userErrors: z.array(userErrorSchema),
});

const bulkOperationSchema = z.object({
  id: z.string(),
  status: z.enum(['CREATED', 'RUNNING', 'COMPLETED', 'CANCELING', 'CANCELED', 'FAILED', 'EXPIRED']),
  url: z.string().nullish(),
  // UnsignedInt64: a string on the wire.
  objectCount: z.union([z.string(), z.number()]).nullish(),
  errorCode: z.string().nullish(),
});

const pageInfoSchema = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() });

const webhookSubscriptionSchema = z.object({
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

const costSchema = z.object({
  requestedQueryCost: z.number().nullish(),
  actualQueryCost: z.number().nullish(),
  throttleStatus: z
    .object({ maximumAvailable: z.number(), currentlyAvailable: z.number(), restoreRate: z.number() })
    .nullish(),
});
type Cost = z.infer<typeof costSchema>;

/** What the library puts in GraphqlQueryError.body for a 200 answer that carries errors. */
const failedBodySchema = z.object({
  errors: z
    .object({
      graphQLErrors: z
        .array(z.object({ message: z.string(), extensions: z.object({ code: z.string().nullish() }).nullish() }))
        .nullish(),
    })
    .nullish(),
  extensions: z.object({ cost: costSchema.nullish() }).nullish(),
});

// ---------------------------------------------------------------------------
// Ids and states

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

function toSnapshot(consent: z.infer<typeof consentSchema>): ConsentSnapshot | null {
  return consent ? { state: consent.marketingState, consentUpdatedAt: consent.consentUpdatedAt ?? null } : null;
}

function toCustomer(node: CustomerNode): ShopifyCustomer {
  return {
    id: customerIdFromGid(node.id),
    email: node.email ?? null,
    phone: node.phone ?? null,
    emailConsent: toSnapshot(node.emailMarketingConsent),
    smsConsent: toSnapshot(node.smsMarketingConsent),
    updatedAt: node.updatedAt ?? null,
  };
}

function toBulkOperation(node: z.infer<typeof bulkOperationSchema>): BulkOperation {
  return {
    id: node.id,
    status: node.status,
    url: node.url ?? null,
    objectCount: Number(node.objectCount ?? 0),
    errorCode: node.errorCode ?? null,
  };
}

function toWebhookSubscription(node: z.infer<typeof webhookSubscriptionSchema>): WebhookSubscription {
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

function consentInput(state: ConsentInputState, consentUpdatedAt: Date) {
  return { marketingState: state, marketingOptInLevel: 'SINGLE_OPT_IN', consentUpdatedAt: consentUpdatedAt.toISOString() };
}

// ---------------------------------------------------------------------------
// Failures

/** Shopify accepted the request and refused the change: a merchant reads the message. */
class ShopifyUserErrors extends Error {
  constructor(readonly userErrors: UserError[]) {
    super(userErrors.map((u) => u.message).join('; ') || 'Shopify rejected the change.');
  }
}

/** The answer did not have the shape this client was written for. */
class UnexpectedResponse extends Error {}

/** Wait until the bucket holds the cost of the refused request (at least 1 s). */
export function throttleWaitMs(cost: Cost | null | undefined): number {
  const status = cost?.throttleStatus;
  const requested = cost?.requestedQueryCost;
  if (!status || !requested || status.restoreRate <= 0) return MIN_THROTTLE_WAIT_MS;
  const needed = requested - status.currentlyAvailable;
  return Math.max(MIN_THROTTLE_WAIT_MS, Math.ceil((needed / status.restoreRate) * 1000));
}

/** The one mapping from anything a call can throw to the app's error family. */
export function toAppError(e: unknown, context: { timedOut?: boolean } = {}): Error {
  if (e instanceof AppError) return e;
  if (e instanceof ShopifyUserErrors) return new PermanentError('shopify_user_error', e.message, e);
  if (e instanceof UnexpectedResponse) {
    return new PermanentError('shopify_unexpected_response', `Shopify answered in an unexpected format: ${e.message}`, e);
  }
  if (e instanceof GraphqlQueryError) {
    // A 200 answer whose body carries errors; THROTTLED arrives this way.
    const body = failedBodySchema.safeParse(e.body);
    const errors = (body.success ? body.data.errors?.graphQLErrors : null) ?? [];
    const codes = errors.map((err) => err.extensions?.code);
    if (codes.includes('THROTTLED')) {
      return new ThrottledError('shopify', throttleWaitMs(body.success ? body.data.extensions?.cost : null));
    }
    if (codes.includes('ACCESS_DENIED')) {
      return new ShopAccessError('Shopify denied the app access to customer data. Check the app’s permissions in your Shopify admin.');
    }
    const message = errors.map((err) => err.message).join('; ') || e.message;
    if (codes.includes('INTERNAL_SERVER_ERROR')) return new RetriableError('shopify_unavailable', message, e);
    return new PermanentError('shopify_graphql_error', `Shopify rejected the request: ${message}`, e);
  }
  if (e instanceof HttpThrottlingError) {
    const seconds = e.response.retryAfter;
    const ms = seconds !== undefined && Number.isFinite(seconds) ? Math.ceil(seconds * 1000) : MIN_THROTTLE_WAIT_MS;
    return new ThrottledError('shopify', Math.max(MIN_THROTTLE_WAIT_MS, ms));
  }
  if (e instanceof HttpMaxRetriesError) return new RetriableError('shopify_unavailable', 'Shopify did not answer; the app will retry.', e);
  if (e instanceof HttpResponseError) {
    const status = e.response.code;
    if (status === 401) return new ShopAccessError();
    if (status >= 500) return new RetriableError('shopify_unavailable', `Shopify is temporarily unavailable (${status}); the app will retry.`, e);
    return new PermanentError('shopify_http_error', `Shopify refused the request (${status} ${e.response.statusText}).`, e);
  }
  if (e instanceof HttpRequestError) {
    return context.timedOut
      ? new RetriableError('shopify_timeout', 'Shopify did not answer in time; the app will retry.', e)
      : new RetriableError('shopify_unreachable', 'Could not reach Shopify; the app will retry.', e);
  }
  return coerceError(e);
}

// ---------------------------------------------------------------------------
// Client

export function createShopifyAdminClient({
  shopify,
  session,
  logger,
  timeoutMs = DEFAULT_TIMEOUT_MS,
}: AdminClientOptions): ShopifyAdminClient {
  const graphql = new shopify.clients.Graphql({ session });

  /**
   * One request. No library retries (the worker owns retrying and must see every
   * throttle), and an abort signal so a silent connection cannot hold a job.
   */
  async function run<T>(document: string, variables: Record<string, unknown>, pick: (data: unknown) => T): Promise<T> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await graphql.request<unknown>(document, { variables, signal });
      const cost = costSchema.safeParse(response.extensions?.cost);
      if (cost.success) logger?.debug({ shop: session.shop, cost: cost.data }, 'shopify graphql cost');
      return pick(response.data);
    } catch (e) {
      const mapped = toAppError(e, { timedOut: signal.aborted });
      if (mapped instanceof ThrottledError) {
        logger?.warn({ shop: session.shop, retryAfterMs: mapped.retryAfterMs }, 'shopify throttled the app');
      }
      throw mapped;
    }
  }

  function parse<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new UnexpectedResponse(z.prettifyError(parsed.error));
    return parsed.data;
  }

  async function findBy(identifier: { emailAddress: string } | { phoneNumber: string }): Promise<ShopifyCustomer | null> {
    const schema = z.object({ customerByIdentifier: customerNodeSchema.nullable() });
    return run(CUSTOMER_BY_IDENTIFIER, { identifier }, (data) => {
      const node = parse(schema, data).customerByIdentifier;
      return node ? toCustomer(node) : null;
    });
  }

  async function mutate(document: string, field: string, input: Record<string, unknown>): Promise<ShopifyCustomer> {
    const schema = z.object({ [field]: mutationPayloadSchema });
    return run(document, { input }, (data) => {
      const payload = parse(schema, data)[field];
      if (!payload) throw new UnexpectedResponse(`no ${field} payload`);
      if (payload.userErrors.length > 0) throw new ShopifyUserErrors(payload.userErrors);
      if (!payload.customer) throw new UnexpectedResponse(`${field} returned no customer`);
      return toCustomer(payload.customer);
    });
  }

  /** A mutation payload: throws on userErrors, else returns it. */
  function payloadOf<S extends z.ZodType>(schema: S, data: unknown, field: string): z.infer<S> {
    const payload = parse(z.object({ [field]: schema }), data)[field] as z.infer<S> | undefined;
    if (!payload) throw new UnexpectedResponse(`no ${field} payload`);
    const errors = (payload as { userErrors?: UserError[] }).userErrors ?? [];
    if (errors.length > 0) throw new ShopifyUserErrors(errors);
    return payload;
  }

  return {
    async startCustomerExport() {
      const schema = z.object({ bulkOperation: bulkOperationSchema.nullish(), userErrors: z.array(userErrorSchema) });
      return run(BULK_OPERATION_RUN_QUERY, { query: CUSTOMER_EXPORT_QUERY }, (data) => {
        const payload = payloadOf(schema, data, 'bulkOperationRunQuery');
        if (!payload.bulkOperation) throw new UnexpectedResponse('bulkOperationRunQuery returned no operation');
        return toBulkOperation(payload.bulkOperation);
      });
    },

    async bulkOperation(id) {
      const schema = z.object({ node: bulkOperationSchema.nullable() });
      return run(BULK_OPERATION_BY_ID, { id }, (data) => {
        const node = parse(schema, data).node;
        return node ? toBulkOperation(node) : null;
      });
    },

    async customersUpdatedSince(since, after, { inclusive = false, first = 250 } = {}) {
      const schema = z.object({
        customers: z.object({ edges: z.array(z.object({ node: customerNodeSchema })), pageInfo: pageInfoSchema }),
      });
      return run(CUSTOMERS_UPDATED_SINCE, { first, after, query: updatedSinceQuery(since, inclusive) }, (data): CustomerPage => {
        const { edges, pageInfo } = parse(schema, data).customers;
        return { customers: edges.map((e) => toCustomer(e.node)), endCursor: pageInfo.endCursor ?? null, hasNextPage: pageInfo.hasNextPage };
      });
    },

    async webhookSubscriptions(after, first = 100) {
      const schema = z.object({
        webhookSubscriptions: z.object({ edges: z.array(z.object({ node: webhookSubscriptionSchema })), pageInfo: pageInfoSchema }),
      });
      return run(WEBHOOK_SUBSCRIPTIONS, { first, after }, (data): WebhookSubscriptionPage => {
        const { edges, pageInfo } = parse(schema, data).webhookSubscriptions;
        return {
          subscriptions: edges.map((e) => toWebhookSubscription(e.node)),
          endCursor: pageInfo.endCursor ?? null,
          hasNextPage: pageInfo.hasNextPage,
        };
      });
    },

    async createWebhookSubscription(topic, address) {
      const schema = z.object({ webhookSubscription: webhookSubscriptionSchema.nullish(), userErrors: z.array(userErrorSchema) });
      return run(WEBHOOK_SUBSCRIPTION_CREATE, { topic, webhookSubscription: { uri: address, format: 'JSON' } }, (data) => {
        const payload = payloadOf(schema, data, 'webhookSubscriptionCreate');
        if (!payload.webhookSubscription) throw new UnexpectedResponse('webhookSubscriptionCreate returned no subscription');
        return toWebhookSubscription(payload.webhookSubscription);
      });
    },

    async deleteWebhookSubscription(id) {
      const schema = z.object({ deletedWebhookSubscriptionId: z.string().nullish(), userErrors: z.array(userErrorSchema) });
      return run(WEBHOOK_SUBSCRIPTION_DELETE, { id }, (data) => {
        const payload = payloadOf(schema, data, 'webhookSubscriptionDelete');
        if (!payload.deletedWebhookSubscriptionId) throw new UnexpectedResponse('webhookSubscriptionDelete returned no id');
        return payload.deletedWebhookSubscriptionId;
      });
    },

    findCustomerByEmail: (email) => findBy({ emailAddress: email.trim() }),
    findCustomerByPhone: (phone) => findBy({ phoneNumber: phone.trim() }),

    updateEmailConsent: async (customerId, state, consentUpdatedAt) =>
      mutate(EMAIL_CONSENT_UPDATE, 'customerEmailMarketingConsentUpdate', {
        customerId: customerGid(customerId),
        emailMarketingConsent: consentInput(state, consentUpdatedAt),
      }),

    updateSmsConsent: async (customerId, state, consentUpdatedAt) =>
      mutate(SMS_CONSENT_UPDATE, 'customerSmsMarketingConsentUpdate', {
        customerId: customerGid(customerId),
        smsMarketingConsent: consentInput(state, consentUpdatedAt),
      }),

    createCustomer: (input) =>
      mutate(CUSTOMER_CREATE, 'customerCreate', {
        ...(input.email !== undefined && { email: input.email }),
        ...(input.phone !== undefined && { phone: input.phone }),
        ...(input.emailConsent && {
          emailMarketingConsent: consentInput(input.emailConsent.state, input.emailConsent.consentUpdatedAt),
        }),
        ...(input.smsConsent && {
          smsMarketingConsent: consentInput(input.smsConsent.state, input.smsConsent.consentUpdatedAt),
        }),
      }),
  };
}
