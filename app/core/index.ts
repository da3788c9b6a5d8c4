// The pure core: consent decisions and policies over plain data, no I/O. The
// use cases (app/sync) call these; the property tests drive them directly.
//
// - `decideShopifyEvent` / `decideEdroneEvent`: what one observed change means
//   for a customer's record, and which side must be written.
// - `afterShopifyWrite` / `afterEdroneWrite`: the record after the app's own write.
// - `catchUpWrites`: the one catch-up round after a job's writes.
// - `decideOnce`: a report decided again (a retried job) writes only what is still missing.
// - Mapping between the two systems' states, identity normalisation (email,
//   E.164 phone), the settings schema, retry backoff and webhook topics.
export * from './types.js';
export * from './decide.js';
export * from './plan-writes.js';
export * from './report-memory.js';
export * from './consent-mapping.js';
export * from './identity.js';
export * from './settings.js';
export * from './backoff.js';
export * from './webhook-subscriptions.js';
export * from './setup-steps.js';
