// The sync's Admin GraphQL operations for one shop, over the library's GraphQL client.
// Every failure leaves through toAppError, so callers see only the app's error family.
import type { Session } from '@shopify/shopify-api';
import { z } from 'zod';
import type { OptInLevel } from '../../core/opt-in-level.js';
import { ThrottledError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import {
  BULK_OPERATION_BY_ID,
  BULK_OPERATION_RUN_QUERY,
  customerDocuments,
  updatedSinceQuery,
  WEBHOOK_SUBSCRIPTION_CREATE,
  WEBHOOK_SUBSCRIPTION_DELETE,
  WEBHOOK_SUBSCRIPTIONS,
} from './admin-documents.js';
import { costSchema, ShopifyUserErrors, toAppError, UnexpectedResponse, userErrorSchema, type UserError } from './admin-errors.js';
import {
  bulkOperationSchema,
  customerGid,
  customerNodeSchema,
  mutationPayloadSchema,
  pageInfoSchema,
  parseResponse,
  toBulkOperation,
  toCustomer,
  toWebhookSubscription,
  webhookSubscriptionSchema,
} from './admin-responses.js';
import type { ShopifyApi } from './shopify-api.js';
import type { ConsentInputState, CustomerPage, ShopifyAdminClient, ShopifyCustomer, WebhookSubscriptionPage } from './types.js';

export interface AdminClientOptions {
  shopify: ShopifyApi;
  session: Session;
  logger?: Pick<Logger, 'debug' | 'warn'>;
  /** A request that has not answered by then fails as retriable. */
  timeoutMs?: number;
  /**
   * Waits until the store's cost budget (shared by every process) has room for a call
   * of about `points`; Shopify's THROTTLED answer stays the last word.
   */
  budget?: (points: number) => Promise<void>;
  /** The call cost `unused` points less than reserved (Shopify's actualQueryCost): give them back. */
  refund?: (unused: number) => Promise<void>;
}

/** What one call is assumed to cost before Shopify says (a consent mutation costs about 11). */
export const ESTIMATED_CALL_POINTS = 10;

export const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * CustomerEmailMarketingConsentInput and CustomerSmsMarketingConsentInput take the same
 * fields in 2026-10 (marketingState, marketingOptInLevel, consentUpdatedAt, sourceLocationId);
 * the app sends the first three. The level is what edrone's reason proves, never more.
 */
function consentInput(state: ConsentInputState, consentUpdatedAt: Date, optInLevel: OptInLevel = 'UNKNOWN') {
  return { marketingState: state, marketingOptInLevel: optInLevel, consentUpdatedAt: consentUpdatedAt.toISOString() };
}

// ---------------------------------------------------------------------------
// Client

export function createShopifyAdminClient({
  shopify,
  session,
  logger,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  budget,
  refund,
}: AdminClientOptions): ShopifyAdminClient {
  const graphql = new shopify.clients.Graphql({ session });
  // The consent fields this API version has (current ones from 2026-10, the older ones always).
  const documents = customerDocuments(String(shopify.config.apiVersion));

  /**
   * One request. No library retries (the worker owns retrying and must see every
   * throttle), and an abort signal so a silent connection cannot hold a job.
   */
  async function run<T>(document: string, variables: Record<string, unknown>, pick: (data: unknown) => T): Promise<T> {
    await budget?.(ESTIMATED_CALL_POINTS);
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await graphql.request<unknown>(document, { variables, signal });
      const cost = costSchema.safeParse(response.extensions?.cost);
      if (cost.success) logger?.debug({ shop: session.shop, cost: cost.data }, 'shopify graphql cost');
      const actual = cost.success ? cost.data.actualQueryCost : undefined;
      if (budget && refund && typeof actual === 'number' && actual < ESTIMATED_CALL_POINTS) await refund(ESTIMATED_CALL_POINTS - actual).catch(() => {});
      return pick(response.data);
    } catch (e) {
      const mapped = toAppError(e, { timedOut: signal.aborted });
      if (mapped instanceof ThrottledError) {
        logger?.warn({ shop: session.shop, retryAfterMs: mapped.retryAfterMs }, 'shopify throttled the app');
      }
      throw mapped;
    }
  }

  async function findBy(identifier: { emailAddress: string } | { phoneNumber: string } | { id: string }): Promise<ShopifyCustomer | null> {
    const schema = z.object({ customerByIdentifier: customerNodeSchema.nullable() });
    return run(documents.CUSTOMER_BY_IDENTIFIER, { identifier }, (data) => {
      const node = parseResponse(schema, data).customerByIdentifier;
      return node ? toCustomer(node) : null;
    });
  }

  async function mutate(document: string, field: string, input: Record<string, unknown>): Promise<ShopifyCustomer> {
    const schema = z.object({ [field]: mutationPayloadSchema });
    return run(document, { input }, (data) => {
      const payload = parseResponse(schema, data)[field];
      if (!payload) throw new UnexpectedResponse(`no ${field} payload`);
      if (payload.userErrors.length > 0) throw new ShopifyUserErrors(payload.userErrors);
      if (!payload.customer) throw new UnexpectedResponse(`${field} returned no customer`);
      return toCustomer(payload.customer);
    });
  }

  /** A mutation payload: throws on userErrors, else returns it. */
  function payloadOf<S extends z.ZodType>(schema: S, data: unknown, field: string): z.infer<S> {
    const payload = parseResponse(z.object({ [field]: schema }), data)[field] as z.infer<S> | undefined;
    if (!payload) throw new UnexpectedResponse(`no ${field} payload`);
    const errors = (payload as { userErrors?: UserError[] }).userErrors ?? [];
    if (errors.length > 0) throw new ShopifyUserErrors(errors);
    return payload;
  }

  return {
    async startCustomerExport() {
      const schema = z.object({ bulkOperation: bulkOperationSchema.nullish(), userErrors: z.array(userErrorSchema) });
      return run(BULK_OPERATION_RUN_QUERY, { query: documents.CUSTOMER_EXPORT_QUERY }, (data) => {
        const payload = payloadOf(schema, data, 'bulkOperationRunQuery');
        if (!payload.bulkOperation) throw new UnexpectedResponse('bulkOperationRunQuery returned no operation');
        return toBulkOperation(payload.bulkOperation);
      });
    },

    async bulkOperation(id) {
      const schema = z.object({ node: bulkOperationSchema.nullable() });
      return run(BULK_OPERATION_BY_ID, { id }, (data) => {
        const node = parseResponse(schema, data).node;
        return node ? toBulkOperation(node) : null;
      });
    },

    async customersUpdatedSince(since, after, { inclusive = false, first = 250 } = {}) {
      const schema = z.object({
        customers: z.object({ edges: z.array(z.object({ node: customerNodeSchema })), pageInfo: pageInfoSchema }),
      });
      return run(documents.CUSTOMERS_UPDATED_SINCE, { first, after, query: updatedSinceQuery(since, inclusive) }, (data): CustomerPage => {
        const { edges, pageInfo } = parseResponse(schema, data).customers;
        return { customers: edges.map((e) => toCustomer(e.node)), endCursor: pageInfo.endCursor ?? null, hasNextPage: pageInfo.hasNextPage };
      });
    },

    async webhookSubscriptions(after, first = 100) {
      const schema = z.object({
        webhookSubscriptions: z.object({ edges: z.array(z.object({ node: webhookSubscriptionSchema })), pageInfo: pageInfoSchema }),
      });
      return run(WEBHOOK_SUBSCRIPTIONS, { first, after }, (data): WebhookSubscriptionPage => {
        const { edges, pageInfo } = parseResponse(schema, data).webhookSubscriptions;
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
    findCustomerById: (customerId) => findBy({ id: customerGid(customerId) }),

    updateEmailConsent: async (customerId, state, consentUpdatedAt, optInLevel) =>
      mutate(documents.EMAIL_CONSENT_UPDATE, 'customerEmailMarketingConsentUpdate', {
        customerId: customerGid(customerId),
        emailMarketingConsent: consentInput(state, consentUpdatedAt, optInLevel),
      }),

    updateSmsConsent: async (customerId, state, consentUpdatedAt, optInLevel) =>
      mutate(documents.SMS_CONSENT_UPDATE, 'customerSmsMarketingConsentUpdate', {
        customerId: customerGid(customerId),
        smsMarketingConsent: consentInput(state, consentUpdatedAt, optInLevel),
      }),

    createCustomer: (input) =>
      mutate(documents.CUSTOMER_CREATE, 'customerCreate', {
        ...(input.email !== undefined && { email: input.email }),
        ...(input.phone !== undefined && { phone: input.phone }),
        ...(input.emailConsent && {
          emailMarketingConsent: consentInput(input.emailConsent.state, input.emailConsent.consentUpdatedAt, input.emailConsent.optInLevel),
        }),
        ...(input.smsConsent && {
          smsMarketingConsent: consentInput(input.smsConsent.state, input.smsConsent.consentUpdatedAt, input.smsConsent.optInLevel),
        }),
      }),
  };
}
