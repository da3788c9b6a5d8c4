import type { ShopifyState } from '../../core/types.js';

export interface ConsentSnapshot {
  state: ShopifyState;
  consentUpdatedAt: string | null;
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

/**
 * The Admin API operations of the sync, for one shop. Errors: ThrottledError
 * (THROTTLED in a 200 body, or 429), ShopAccessError (401), RetriableError
 * (5xx, network, timeout), PermanentError (userErrors and other 4xx).
 */
export interface ShopifyAdminClient {
  findCustomerByEmail(email: string): Promise<ShopifyCustomer | null>;
  findCustomerByPhone(phone: string): Promise<ShopifyCustomer | null>;
  updateEmailConsent(customerId: string, state: ConsentInputState, consentUpdatedAt: Date): Promise<ShopifyCustomer>;
  updateSmsConsent(customerId: string, state: ConsentInputState, consentUpdatedAt: Date): Promise<ShopifyCustomer>;
  createCustomer(input: {
    email?: string;
    phone?: string;
    emailConsent?: { state: ConsentInputState; consentUpdatedAt: Date };
    smsConsent?: { state: ConsentInputState; consentUpdatedAt: Date };
  }): Promise<ShopifyCustomer>;
}
