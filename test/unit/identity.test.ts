// Matching customers across Shopify and edrone: email (email channel), E.164 phone (SMS channel).
import { describe, expect, it } from 'vitest';
import { normalizeEmail, normalizePhone } from '../../app/core/identity.js';

describe('normalizeEmail', () => {
  it.each<[string, string | null | undefined, string | null]>([
    ['a plain address', 'ann@example.com', 'ann@example.com'],
    ['upper case', 'Ann.Smith@Example.COM', 'ann.smith@example.com'],
    ['surrounding spaces', '  ann@example.com\t', 'ann@example.com'],
    ['plus addressing', 'ann+news@example.co.uk', 'ann+news@example.co.uk'],
    ['null', null, null],
    ['undefined', undefined, null],
    ['empty', '', null],
    ['only spaces', '   ', null],
    ['no @', 'ann.example.com', null],
    ['no domain dot', 'ann@example', null],
    ['two @', 'ann@@example.com', null],
    ['a space inside', 'ann smith@example.com', null],
    ['nothing before @', '@example.com', null],
  ])('%s: %j -> %j', (_label, raw, expected) => {
    expect(normalizeEmail(raw)).toBe(expected);
  });

  it('is idempotent', () => {
    const once = normalizeEmail(' Ann@Example.com ');
    expect(normalizeEmail(once)).toBe(once);
  });
});

describe('normalizePhone', () => {
  it.each<[string, string | null | undefined, string | null]>([
    ['E.164 already', '+48500100200', '+48500100200'],
    ['with spaces', '+48 500 100 200', '+48500100200'],
    ['with dashes, dots and brackets', '+1 (650) 253-0000', '+16502530000'],
    ['dots', '+48.500.100.200', '+48500100200'],
    ['00 international prefix', '0048500100200', '+48500100200'],
    ['00 prefix with spaces', '00 44 20 7031 3000', '+442070313000'],
    ['surrounding spaces', '  +48500100200 ', '+48500100200'],
    ['national number without country code', '500100200', null],
    ['national number with trunk 0', '020 7031 3000', null],
    ['too short', '+48 123', null],
    ['unknown country code', '+999 123 456 789', null],
    ['letters', 'call me', null],
    ['only a plus', '+', null],
    ['null', null, null],
    ['undefined', undefined, null],
    ['empty', '', null],
  ])('%s: %j -> %j', (_label, raw, expected) => {
    expect(normalizePhone(raw)).toBe(expected);
  });

  it('is idempotent', () => {
    const once = normalizePhone('0048 500-100-200');
    expect(once).toBe('+48500100200');
    expect(normalizePhone(once)).toBe(once);
  });
});
