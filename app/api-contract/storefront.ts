// GET /proxy/subscription-status (Shopify app proxy): its query, after the
// signature was verified, and its answer: seeds/002's shape plus sms_status.
// Only zod here: the theme extension's script and tests read the same shape.
import { z } from 'zod';

/** Names that would ask about someone else: refused, whatever their value. */
export const STOREFRONT_FORBIDDEN_PARAMS = /email|phone|customer/i;

/** The parameters Shopify adds to every proxied request (signed with the rest). */
export const APP_PROXY_PARAMS = ['shop', 'logged_in_customer_id', 'path_prefix', 'timestamp', 'signature'] as const;

/** The visitor's own parameters. fpcid: edrone's fp_ccid cookie value. */
export const storefrontQuery = z.object({
  fpcid: z
    .string()
    .max(128, 'fpcid is at most 128 characters')
    .regex(/^[A-Za-z0-9._:-]*$/, 'fpcid has characters an fp_ccid cookie never has')
    .optional()
    .transform((v) => (v ? v : null)),
  force: z
    .enum(['true', 'false', '1', '0', ''])
    .optional()
    .transform((v) => v === 'true' || v === '1'),
});

export type StorefrontQuery = z.output<typeof storefrontQuery>;

/**
 * seeds/002: identified true when the visitor is known (has an email associated);
 * status true subscribed, false unsubscribed, null unknown. sms_status: the same for SMS.
 */
export const storefrontAnswer = z.strictObject({
  identified: z.boolean(),
  status: z.boolean().nullable(),
  message: z.string(),
  sms_status: z.boolean().nullable(),
});

export type StorefrontAnswer = z.infer<typeof storefrontAnswer>;
