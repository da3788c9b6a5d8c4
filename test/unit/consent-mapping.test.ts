// The mapping table of ARCHITECTURE.md, "Consent model and mapping", one row per case.
import { describe, expect, it } from 'vitest';
import {
  edroneToShopify,
  edroneWireValue,
  parseEdroneStatus,
  shopifyStateOf,
  shopifyToEdrone,
} from '../../app/core/consent-mapping.js';
import { SHOPIFY_STATES, type EdroneState, type ShopifyState } from '../../app/core/types.js';

describe('shopifyToEdrone', () => {
  it.each<[ShopifyState, EdroneState | null, string]>([
    ['subscribed', 'subscribed', 'sent as 1'],
    ['unsubscribed', 'unsubscribed', 'sent as 0'],
    ['redacted', 'unsubscribed', 'sent as 0'],
    ['invalid', 'unsubscribed', 'sent as 0'],
    ['pending', null, 'double opt-in not confirmed: never reported as subscribed'],
    ['not_subscribed', null, "edrone's unknown: nothing is sent"],
  ])('when Shopify says %s, then edrone gets %s (%s)', (state, expected) => {
    expect(shopifyToEdrone(state)).toBe(expected);
  });

  it('covers every Shopify state, and only subscribed ever becomes subscribed', () => {
    for (const state of SHOPIFY_STATES) {
      const mapped = shopifyToEdrone(state);
      expect(mapped === 'subscribed').toBe(state === 'subscribed');
    }
  });
});

describe('edroneToShopify', () => {
  it.each<[EdroneState, 'SUBSCRIBED' | 'UNSUBSCRIBED']>([
    ['subscribed', 'SUBSCRIBED'],
    ['unsubscribed', 'UNSUBSCRIBED'],
  ])('when edrone says %s, then the Shopify mutation state is %s', (status, expected) => {
    expect(edroneToShopify(status)).toBe(expected);
  });
});

describe('edroneWireValue', () => {
  it.each<[EdroneState, '1' | '0']>([
    ['subscribed', '1'],
    ['unsubscribed', '0'],
  ])('%s is sent to edrone as %s', (status, wire) => {
    expect(edroneWireValue(status)).toBe(wire);
  });
});

describe('shopifyStateOf', () => {
  it.each<[EdroneState, ShopifyState]>([
    ['subscribed', 'subscribed'],
    ['unsubscribed', 'unsubscribed'],
  ])('an edrone %s written to Shopify reads back as %s', (status, state) => {
    expect(shopifyStateOf(status)).toBe(state);
  });

  it('round-trips through shopifyToEdrone', () => {
    for (const status of ['subscribed', 'unsubscribed'] as const) {
      expect(shopifyToEdrone(shopifyStateOf(status))).toBe(status);
    }
  });
});

describe('parseEdroneStatus', () => {
  it.each<[string, unknown, EdroneState | null | 'invalid']>([
    ['string "1"', '1', 'subscribed'],
    ['number 1', 1, 'subscribed'],
    ['" 1 " with spaces', ' 1 ', 'subscribed'],
    ['string "true"', 'true', 'subscribed'],
    ['boolean true', true, 'subscribed'],
    ['string "0"', '0', 'unsubscribed'],
    ['number 0', 0, 'unsubscribed'],
    ['"0\\n" with a newline', '0\n', 'unsubscribed'],
    ['string "false"', 'false', 'unsubscribed'],
    ['boolean false', false, 'unsubscribed'],
    ['empty string', '', null],
    ['only spaces', '   ', null],
    ['null', null, null],
    ['undefined', undefined, null],
    ['string "2"', '2', 'invalid'],
    ['number -1', -1, 'invalid'],
    ['number 1.5', 1.5, 'invalid'],
    ['"yes"', 'yes', 'invalid'],
    ['"subscribed"', 'subscribed', 'invalid'],
    ['"TRUE" (upper case)', 'TRUE', 'invalid'],
    ['"01"', '01', 'invalid'],
    ['an object', { status: 1 }, 'invalid'],
    ['NaN', Number.NaN, 'invalid'],
  ])('%s -> %s', (_label, input, expected) => {
    expect(parseEdroneStatus(input)).toBe(expected);
  });
});
