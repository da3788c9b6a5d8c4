// Everything the app knows about edrone's protocols, and nothing else does.
// Import only from this file; the files behind it are the adapter's own.

// Outbound: the trace API (`createEdroneTraceClient`), used by the worker to
// send a consent state to edrone. `createPacer` is the per-App-ID rate limit the
// client uses; `retryAfterMs` reads a 429's Retry-After.
export { createEdroneTraceClient, retryAfterMs, type EdroneTraceClientOptions } from './trace-client.js';
export { createPacer, type Pacer } from './pacer.js';
export type { EdroneTraceClient, SubscribeTrace } from './types.js';

// Storefront: the Subscription Status API (`createSubscriptionStatusClient`),
// asked about a visitor's own fp_ccid cookie. Waits at most 2 s; failures,
// timeouts and 400s (bad App ID) are values, never thrown.
export {
  createSubscriptionStatusClient,
  SUBSCRIPTION_STATUS_TIMEOUT_MS,
  type SubscriptionStatusAnswer,
  type SubscriptionStatusClient,
  type SubscriptionStatusClientOptions,
  type SubscriptionStatusFailure,
  type SubscriptionStatusQuery,
  type SubscriptionStatusResult,
} from './subscription-status.js';

// Inbound: edrone's subscription-status synchronisation request (NATIVE_5 and
// the older formats). Call both before storing anything: `parseEdroneRequest`
// turns the received body into consent events, `verifyEdroneSignature` checks
// it against a shop's App Secret. `signNative5` signs as edrone does (fake
// edrone, tests).
export {
  EDRONE_FORMATS,
  type EdroneFormat,
  type EdroneRequestInput,
  type ParseResult,
  type ParsedEdroneRequest,
  type RejectedEdroneRequest,
} from './sync-request-types.js';
export { parseEdroneRequest } from './sync-request.js';
export { signNative5, verifyEdroneSignature, type Native5SignedFields } from './signature.js';

// For people and for dates edrone sends elsewhere: `edroneReasonName` names a
// reason code; `parseEdroneDate` reads edrone's date formats.
export { edroneReasonName } from './reason-codes.js';
export { parseEdroneDate } from './event-date.js';
