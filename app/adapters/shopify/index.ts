// Everything the app knows about Shopify's protocols, and nothing else does.
//
// - `createShopifyApi`: the @shopify/shopify-api instance (webhook HMAC,
//   session tokens, token exchange, GraphQL client); build it once at start-up.
// - `exchangeForOfflineSession` / `ensureFreshOfflineSession`: the offline
//   token's lifecycle; call the latter before every background call.
// - `createShopifyAdminClient`: the sync's Admin GraphQL operations for one
//   shop; every failure comes out as the app's error family.
// - Webhook payloads (`parseWebhookBody`, `consentPayloadOf`, the topic lists):
//   what a verified webhook body says, validated per topic.
// - Bulk export (`jsonLines`, `customerFromExportLine`): reading the initial
//   sync's JSONL result.
export {
  createShopifyApi,
  ensureFreshOfflineSession,
  exchangeForOfflineSession,
  rewriteAdminUrl,
  REFRESH_MARGIN_MS,
  SHOP_TARGET_HEADER,
  type OfflineSessionStore,
  type ShopifyApi,
} from './shopify-api.js';
export { createShopifyAdminClient, throttleWaitMs, toAppError, type AdminClientOptions } from './admin-client.js';
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
export {
  COMPLIANCE_TOPICS,
  CONSENT_TOPICS,
  KNOWN_TOPICS,
  consentPayloadOf,
  isKnownTopic,
  parseJsonKeepingIds,
  parseWebhookBody,
  type KnownTopic,
  type ParsedWebhook,
  type ShopifyConsentPayload,
  type ShopifyPayload,
} from './webhook-payloads.js';
export { customerFromExportLine, jsonLines } from './bulk-export.js';
