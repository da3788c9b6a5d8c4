// Everything the app knows about Shopify's protocols, and nothing else does.
// Import only from this file; the files behind it are the adapter's own.

// The library instance: build it once at start-up with `createShopifyApi` (webhook
// HMAC, session tokens, token exchange, GraphQL client). `rewriteAdminUrl` and
// `SHOP_TARGET_HEADER` are the admin-origin override, for local fakes only.
// Keep this export first: it loads the library's node adapter.
export {
  createShopifyApi,
  rewriteAdminUrl,
  SHOP_TARGET_HEADER,
  type OfflineSessionStore,
  type ShopifyApi,
} from './shopify-api.js';

// The offline token's lifecycle: `exchangeForOfflineSession` when a shop opens
// the app; `ensureFreshOfflineSession` before every background call.
export { ensureFreshOfflineSession, exchangeForOfflineSession, REFRESH_MARGIN_MS } from './offline-session.js';

// App Bridge session tokens: which shop an embedded-admin request comes from
// (null: answer 401).
export { shopOfSessionToken } from './session-token.js';

// The sync's Admin GraphQL operations for one shop (`createShopifyAdminClient`);
// every failure comes out as the app's error family through `toAppError`, and a
// throttle waits `throttleWaitMs`.
export { createShopifyAdminClient, type AdminClientOptions } from './admin-client.js';
export { throttleWaitMs, toAppError } from './admin-errors.js';
export type {
  BulkOperation,
  BulkOperationStatus,
  ConsentInputState,
  ConsentSnapshot,
  CustomerPage,
  ShopifyAdminClient,
  ShopifyCustomer,
  WebhookSubscription,
  WebhookSubscriptionPage,
} from './types.js';

// The app proxy (storefront requests on the store's domain): `verifyAppProxyQuery`
// checks the signature with the library before anything in the query is read;
// `signAppProxyQuery` signs as Shopify does (sandbox, tests).
export {
  MAX_APP_PROXY_QUERY_LENGTH,
  signAppProxyQuery,
  verifyAppProxyQuery,
  type AppProxyRejection,
  type AppProxyVerification,
} from './app-proxy.js';

// A webhook's HMAC and required headers, checked by the library (`validateWebhook`).
export { shopifyWebhookHeaders, validateWebhook, type WebhookValidation } from './webhook-validation.js';

// Webhook payloads: what a verified webhook body says, validated per topic.
export {
  COMPLIANCE_TOPICS,
  CONSENT_TOPICS,
  KNOWN_TOPICS,
  consentPayloadOf,
  isKnownTopic,
  parseJsonKeepingIds,
  otherTopicOf,
  parseWebhookBody,
  shopOfBody,
  type KnownTopic,
  type ParsedWebhook,
  type ShopifyConsentPayload,
  type ShopifyPayload,
} from './webhook-payloads.js';

// Bulk export: reading the initial sync's JSONL result, line by line.
export { customerFromExportLine, jsonLines } from './bulk-export.js';
export { openBulkResult, type BulkDownloadOptions, type BulkResult, type ExportLine } from './bulk-download.js';
