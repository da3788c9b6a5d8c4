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
// the older formats). In this order, before storing anything: `readEdroneRequest`
// (cheap: lengths and exact formats), `matchEdroneSignature` against the shop's
// App Secret, then `edroneEventsOf` (normalised consent events).
// `parseEdroneRequest` does read + events in one step (tests). `signNative5` signs as edrone does (fake
// edrone, tests).
export {
  EDRONE_FORMATS,
  type EdroneFormat,
  type EdroneRequestInput,
  type ParseResult,
  type ParsedEdroneRequest,
  type ReadEdroneRequest,
  type RejectedEdroneRequest,
} from './sync-request-types.js';
export { edroneEventsOf, parseEdroneRequest, readEdroneRequest } from './sync-request.js';
export {
  SIGNATURE_VARIANTS,
  matchEdroneSignature,
  signNative5,
  verifyEdroneSignature,
  type Native5SignedFields,
  type SignatureVariant,
} from './signature.js';
export { MAX_FUTURE_MS, isStrictEmail, isStrictPhone } from './field-formats.js';

// For people and for dates edrone sends elsewhere: `edroneReasonName` names a
// reason code; `parseEdroneDate` reads edrone's date formats.
export { edroneReasonName } from './reason-codes.js';
export { parseEdroneDate } from './event-date.js';
