// Everything the app knows about edrone's protocols, and nothing else does.
//
// Outbound: the trace API (`createEdroneTraceClient`), used by the worker to
// send a consent state to edrone.
// Inbound: edrone's subscription-status synchronisation request (NATIVE_5 and
// the older formats): `parseEdroneRequest` turns the received body into
// consent events, `verifyEdroneSignature` checks it against a shop's App
// Secret (call both before storing anything), `edroneReasonName` names a
// reason code for people.
export { createEdroneTraceClient, createPacer, retryAfterMs, type EdroneTraceClientOptions, type Pacer } from './trace-client.js';
export type { EdroneTraceClient, SubscribeTrace } from './types.js';
export {
  EDRONE_FORMATS,
  edroneReasonName,
  parseEdroneDate,
  parseEdroneRequest,
  signNative5,
  verifyEdroneSignature,
  type EdroneFormat,
  type EdroneRequestInput,
  type Native5SignedFields,
  type ParseResult,
  type ParsedEdroneRequest,
  type RejectedEdroneRequest,
} from './sync-request.js';
