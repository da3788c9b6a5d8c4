// How a state on one side translates to the other (ARCHITECTURE.md, "Consent model and mapping").
import type { EdroneState, ShopifyState } from './types.js';

/**
 * What Shopify's state means for edrone. null: send nothing. Pending (double
 * opt-in not confirmed) is never reported as subscribed, and not_subscribed is
 * edrone's "unknown".
 */
export function shopifyToEdrone(state: ShopifyState): EdroneState | null {
  switch (state) {
    case 'subscribed':
      return 'subscribed';
    case 'unsubscribed':
    case 'redacted':
    case 'invalid':
      return 'unsubscribed';
    case 'pending':
    case 'not_subscribed':
      return null;
  }
}

/** The Shopify mutation value for an edrone status (only SUBSCRIBED and UNSUBSCRIBED are ever written). */
export function edroneToShopify(status: EdroneState): 'SUBSCRIBED' | 'UNSUBSCRIBED' {
  return status === 'subscribed' ? 'SUBSCRIBED' : 'UNSUBSCRIBED';
}

/** edrone's wire value of a status. */
export function edroneWireValue(status: EdroneState): '1' | '0' {
  return status === 'subscribed' ? '1' : '0';
}

/** Parses edrone's subscriber_status: "1", "0", 1, 0; anything empty is unknown (null). */
export function parseEdroneStatus(value: unknown): EdroneState | null | 'invalid' {
  if (value === null || value === undefined || value === '') return null;
  const s = String(value).trim();
  if (s === '1' || s === 'true') return 'subscribed';
  if (s === '0' || s === 'false') return 'unsubscribed';
  if (s === '') return null;
  return 'invalid';
}

/** The Shopify state an edrone status becomes once written. */
export function shopifyStateOf(status: EdroneState): ShopifyState {
  return status;
}
