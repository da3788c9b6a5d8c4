// The settings contract of GET/PUT /api/settings (ARCHITECTURE.md, "External contract").
import { z } from 'zod';
import { DIRECTIONS, EDRONE_STATUS_FILTERS, type SyncSettings } from './types.js';

export const settingsInputSchema = z
  .object({
    edroneAppId: z
      .string({ error: 'must be text' })
      .trim()
      .min(1, 'App ID is required: copy it from edrone Mission Control, Settings > Integration')
      .max(64, 'App ID is at most 64 characters')
      .regex(/^[A-Za-z0-9_-]+$/, 'App ID contains only letters, digits, - and _'),
    // Write-only: absent or empty keeps the stored secret.
    edroneAppSecret: z
      .string({ error: 'must be text' })
      .trim()
      .max(256, 'App Secret is at most 256 characters')
      .optional(),
    direction: z.enum(DIRECTIONS, { error: `must be one of: ${DIRECTIONS.join(', ')}` }),
    edroneStatuses: z.enum(EDRONE_STATUS_FILTERS, { error: `must be one of: ${EDRONE_STATUS_FILTERS.join(', ')}` }),
    channels: z.object(
      { email: z.boolean({ error: 'must be true or false' }), sms: z.boolean({ error: 'must be true or false' }) },
      { error: 'must be an object { email, sms }' },
    ),
    createMissingCustomers: z.boolean({ error: 'must be true or false' }),
  })
  .strict();

export type SettingsInput = z.infer<typeof settingsInputSchema>;

/** Field path -> message, as the admin UI shows them next to each field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    out[key] ??= issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message;
  }
  return out;
}

export const DEFAULT_SETTINGS: SyncSettings = {
  direction: 'both',
  edroneStatuses: 'all',
  channels: { email: true, sms: true },
  createMissingCustomers: false,
};
