// How Shopify reports a failure (userErrors, error bodies, query cost) and the one
// mapping from anything an Admin call can throw to the app's error family.
import {
  GraphqlQueryError,
  HttpMaxRetriesError,
  HttpRequestError,
  HttpResponseError,
  HttpThrottlingError,
} from '@shopify/shopify-api';
import { z } from 'zod';
import { AppError, PermanentError, RetriableError, ShopAccessError, ThrottledError, coerceError } from '../../errors.js';

export const MIN_THROTTLE_WAIT_MS = 1_000;

// ---------------------------------------------------------------------------
// Failure shapes

export const userErrorSchema = z.object({
  field: z.array(z.string()).nullish(),
  message: z.string(),
  code: z.string().nullish(),
});
export type UserError = z.infer<typeof userErrorSchema>;

export const costSchema = z.object({
  requestedQueryCost: z.number().nullish(),
  actualQueryCost: z.number().nullish(),
  throttleStatus: z
    .object({ maximumAvailable: z.number(), currentlyAvailable: z.number(), restoreRate: z.number() })
    .nullish(),
});
export type Cost = z.infer<typeof costSchema>;

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
// Failures raised inside the adapter (never leave it: toAppError maps them)

/** Shopify accepted the request and refused the change: a merchant reads the message. */
export class ShopifyUserErrors extends Error {
  constructor(readonly userErrors: UserError[]) {
    super(userErrors.map((u) => u.message).join('; ') || 'Shopify rejected the change.');
  }
}

/** The answer did not have the shape this client was written for. */
export class UnexpectedResponse extends Error {}

// ---------------------------------------------------------------------------
// Mapping

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
