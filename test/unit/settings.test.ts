// The GET/PUT /api/settings contract: one zod schema, errors keyed by field path.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, fieldErrors, settingsInputSchema } from '../../app/core/settings.js';
import { DIRECTIONS, EDRONE_STATUS_FILTERS } from '../../app/core/types.js';

const valid = {
  edroneAppId: 'a1B2_c3-d4',
  edroneAppSecret: 's3cret',
  direction: 'both',
  edroneStatuses: 'all',
  channels: { email: true, sms: false },
  createMissingCustomers: false,
};

/** The field errors of an input that must be rejected. */
function errorsOf(input: unknown): Record<string, string> {
  const result = settingsInputSchema.safeParse(input);
  expect(result.success).toBe(false);
  if (result.success) return {};
  return fieldErrors(result.error);
}

describe('settingsInputSchema: accepted input', () => {
  it('parses a complete, valid input', () => {
    expect(settingsInputSchema.parse(valid)).toEqual(valid);
  });

  it('trims the App ID and the App Secret', () => {
    const parsed = settingsInputSchema.parse({ ...valid, edroneAppId: '  app_1  ', edroneAppSecret: ' x ' });
    expect(parsed.edroneAppId).toBe('app_1');
    expect(parsed.edroneAppSecret).toBe('x');
  });

  it.each([
    ['absent', undefined],
    ['empty (keeps the stored secret)', ''],
    ['only spaces', '   '],
  ])('the App Secret is optional: %s', (_label, secret) => {
    const input: Record<string, unknown> = { ...valid };
    if (secret === undefined) delete input.edroneAppSecret;
    else input.edroneAppSecret = secret;
    const parsed = settingsInputSchema.parse(input);
    expect(parsed.edroneAppSecret ?? '').toBe('');
  });

  it.each(DIRECTIONS)('accepts direction %s', (direction) => {
    expect(settingsInputSchema.parse({ ...valid, direction }).direction).toBe(direction);
  });

  it.each(EDRONE_STATUS_FILTERS)('accepts edroneStatuses %s', (edroneStatuses) => {
    expect(settingsInputSchema.parse({ ...valid, edroneStatuses }).edroneStatuses).toBe(edroneStatuses);
  });

  it('accepts a 64-character App ID and a 256-character secret', () => {
    const parsed = settingsInputSchema.parse({ ...valid, edroneAppId: 'a'.repeat(64), edroneAppSecret: 's'.repeat(256) });
    expect(parsed.edroneAppId).toHaveLength(64);
  });

  it('the defaults are both directions, all statuses, both channels, no customer creation', () => {
    expect(DEFAULT_SETTINGS).toEqual({
      direction: 'both',
      edroneStatuses: 'all',
      channels: { email: true, sms: true },
      createMissingCustomers: false,
    });
  });
});

describe('settingsInputSchema + fieldErrors: rejected input', () => {
  it.each<[string, Record<string, unknown>, string, string | RegExp]>([
    ['App ID missing', { edroneAppId: undefined }, 'edroneAppId', 'must be text'],
    ['App ID not text', { edroneAppId: 42 }, 'edroneAppId', 'must be text'],
    ['App ID empty', { edroneAppId: '' }, 'edroneAppId', /^App ID is required/],
    ['App ID only spaces', { edroneAppId: '   ' }, 'edroneAppId', /^App ID is required/],
    ['App ID too long', { edroneAppId: 'a'.repeat(65) }, 'edroneAppId', 'App ID is at most 64 characters'],
    ['App ID with a space', { edroneAppId: 'a b' }, 'edroneAppId', 'App ID contains only letters, digits, - and _'],
    ['App ID with a slash', { edroneAppId: 'a/b' }, 'edroneAppId', 'App ID contains only letters, digits, - and _'],
    ['secret not text', { edroneAppSecret: 5 }, 'edroneAppSecret', 'must be text'],
    ['secret too long', { edroneAppSecret: 's'.repeat(257) }, 'edroneAppSecret', 'App Secret is at most 256 characters'],
    ['direction unknown', { direction: 'sideways' }, 'direction', `must be one of: ${DIRECTIONS.join(', ')}`],
    ['direction missing', { direction: undefined }, 'direction', `must be one of: ${DIRECTIONS.join(', ')}`],
    ['edroneStatuses unknown', { edroneStatuses: 'some' }, 'edroneStatuses', `must be one of: ${EDRONE_STATUS_FILTERS.join(', ')}`],
    ['channels not an object', { channels: 'email' }, 'channels', 'must be an object { email, sms }'],
    ['channels missing', { channels: undefined }, 'channels', 'must be an object { email, sms }'],
    ['channels.email not a boolean', { channels: { email: 'yes', sms: true } }, 'channels.email', 'must be true or false'],
    ['channels.sms missing', { channels: { email: true } }, 'channels.sms', 'must be true or false'],
    ['createMissingCustomers not a boolean', { createMissingCustomers: 'false' }, 'createMissingCustomers', 'must be true or false'],
    ['createMissingCustomers missing', { createMissingCustomers: undefined }, 'createMissingCustomers', 'must be true or false'],
  ])('%s: the error is keyed %s', (_label, over, key, message) => {
    const input: Record<string, unknown> = { ...valid, ...over };
    for (const [k, v] of Object.entries(over)) if (v === undefined) delete input[k];
    const errors = errorsOf(input);
    expect(Object.keys(errors)).toEqual([key]);
    expect(errors[key]).toMatch(message);
  });

  it('unknown fields are rejected, listed by name, under the "_" key', () => {
    const errors = errorsOf({ ...valid, syncUrl: 'https://x', admin: true });
    expect(errors).toEqual({ _: 'unknown field(s): syncUrl, admin' });
  });

  it('an empty object reports every required field at once, and not the optional secret', () => {
    const errors = errorsOf({});
    expect(Object.keys(errors).sort()).toEqual(
      ['channels', 'createMissingCustomers', 'direction', 'edroneAppId', 'edroneStatuses'].sort(),
    );
    expect(errors).not.toHaveProperty('edroneAppSecret');
  });

  it('several broken fields each get their own message', () => {
    const errors = errorsOf({ ...valid, edroneAppId: '', direction: 'x', channels: { email: 1, sms: 0 } });
    expect(errors).toEqual({
      edroneAppId: expect.stringMatching(/^App ID is required/),
      direction: expect.stringMatching(/^must be one of/),
      'channels.email': 'must be true or false',
      'channels.sms': 'must be true or false',
    });
  });

  it('keeps the first message when one field breaks several rules', () => {
    // Too long and with a bad character: one message per field.
    const errors = errorsOf({ ...valid, edroneAppId: '!'.repeat(70) });
    expect(errors).toEqual({ edroneAppId: 'App ID is at most 64 characters' });
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'both'],
  ])('a body that is %s is rejected with a message under "_"', (_label, input) => {
    const errors = errorsOf(input);
    expect(Object.keys(errors)).toEqual(['_']);
    expect(errors._).toBeTruthy();
  });
});
