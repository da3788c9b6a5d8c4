import type { OptInLevel } from '../../core/opt-in-level.js';
import type { ShopifyState } from '../../core/types.js';

export interface ConsentSnapshot {
  state: ShopifyState;
  consentUpdatedAt: string | null;
  /** The opt-in level Shopify recorded; null when it gave none. */
  optInLevel?: OptInLevel | null;
}

/** A customer as the sync needs it. `id` is the numeric id as a string (ids exceed 2^53). */
export interface ShopifyCustomer {
  id: string;
  email: string | null;
  phone: string | null;
  emailConsent: ConsentSnapshot | null;
  smsConsent: ConsentSnapshot | null;
  updatedAt?: string | null;
}

export type ConsentInputState = 'SUBSCRIBED' | 'UNSUBSCRIBED';

/** Shopify's BulkOperationStatus. */
export type BulkOperationStatus = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'CANCELING' | 'CANCELED' | 'FAILED' | 'EXPIRED';

export interface BulkOperation {
  id: string;
  status: BulkOperationStatus;
  /** The JSONL result (signed, expires after 7 days); null until completed, and when nothing matched. */
  url: string | null;
  objectCount: number;
  errorCode: string | null;
}

/** One page of customers(first:, after:, query:), oldest update first. */
export interface CustomerPage {
  customers: ShopifyCustomer[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/** A shop-specific webhook subscription as the Admin API lists it. */
export interface WebhookSubscription {
  /** gid://shopify/WebhookSubscription/N */
  id: string;
  /** The enum form, e.g. CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE. */
  topic: string;
  /** Where deliveries go: the HTTPS callback URL, or a Pub/Sub / EventBridge URI. */
  address: string | null;
  endpointType: string | null;
  apiVersion: string | null;
  createdAt: string | null;
  format: string | null;
  includeFields: string[];
  filter: string | null;
}

export interface WebhookSubscriptionPage {
  subscriptions: WebhookSubscription[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/**
 * The Admin API operations of the sync, for one shop. Errors: ThrottledError
 * (THROTTLED in a 200 body, or 429), ShopAccessError (401), RetriableError
 * (5xx, network, timeout), PermanentError (userErrors and other 4xx).
 */
export interface ShopifyAdminClient {
  findCustomerByEmail(email: string): Promise<ShopifyCustomer | null>;
  findCustomerByPhone(phone: string): Promise<ShopifyCustomer | null>;
  /** A customer by numeric id (customerByIdentifier(id:)); null when Shopify does not know it. */
  findCustomerById(customerId: string): Promise<ShopifyCustomer | null>;
  /** optInLevel: what edrone's reason says (core/opt-in-level.ts); UNKNOWN when not given. */
  updateEmailConsent(customerId: string, state: ConsentInputState, consentUpdatedAt: Date, optInLevel?: OptInLevel): Promise<ShopifyCustomer>;
  updateSmsConsent(customerId: string, state: ConsentInputState, consentUpdatedAt: Date, optInLevel?: OptInLevel): Promise<ShopifyCustomer>;
  createCustomer(input: {
    email?: string;
    phone?: string;
    emailConsent?: { state: ConsentInputState; consentUpdatedAt: Date; optInLevel?: OptInLevel };
    smsConsent?: { state: ConsentInputState; consentUpdatedAt: Date; optInLevel?: OptInLevel };
  }): Promise<ShopifyCustomer>;

  /** Starts the bulk export of every customer with both consents (bulkOperationRunQuery). */
  startCustomerExport(): Promise<BulkOperation>;
  /** A bulk operation by id (node(id:)); null when Shopify no longer knows it. */
  bulkOperation(id: string): Promise<BulkOperation | null>;
  /** Customers updated after `since` (`>=` when inclusive), oldest update first, 250 at most per page. */
  customersUpdatedSince(since: Date, after: string | null, options?: { inclusive?: boolean; first?: number }): Promise<CustomerPage>;
  webhookSubscriptions(after: string | null, first?: number): Promise<WebhookSubscriptionPage>;
  /** topic in the enum form; address: the HTTPS callback URL. */
  createWebhookSubscription(topic: string, address: string): Promise<WebhookSubscription>;
  /** Returns the deleted id; PermanentError (userErrors) when it does not exist. */
  deleteWebhookSubscription(id: string): Promise<string>;
}
