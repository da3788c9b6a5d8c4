// The /api/* contract of a customer's consent history and its CSV export (see index.ts).
import { z } from 'zod';
import { OPT_IN_LEVELS } from '../core/opt-in-level.js';
import { CHANNELS } from '../core/types.js';
import { isoDateTime, text } from './shared.js';


/** GET /api/customers/consent query: an email or a phone (international form). 400: apiErrorBody. */
export const customerConsentQuery = z.object({
  customer: z.string().trim().min(3).max(320),
});

/** One entry of a channel's timeline: the change observed on one side, and what the app did with it. */
export const historyEntry = z.strictObject({
  id: z.string(),
  recordedAt: isoDateTime,
  /** The side the change was observed on. */
  source: z.enum(['shopify', 'edrone']),
  origin: z.enum(['shopify', 'edrone', 'backfill', 'reconcile']),
  /** Who or what made the change, in words. */
  changedBy: z.string(),
  observedState: text,
  /** When the change happened on its side (Shopify's consent time, edrone's event_date). */
  changedAt: isoDateTime.nullable(),
  edroneReasonCode: text,
  edroneReason: text,
  /** edrone's reason in plain words. */
  edroneReasonWords: text,
  action: z.enum(['sent', 'skipped', 'failed', 'no_customer']),
  target: z.enum(['edrone', 'shopify', 'none']),
  writtenState: text,
  optInLevel: z.enum(OPT_IN_LEVELS).nullable(),
  /** What the app did, or why it skipped, in words. */
  detail: text,
});

const sideNow = z.strictObject({ state: text, at: isoDateTime.nullable() });

/** One channel of the customer: the state each side holds now (as the app knows it) and the timeline, oldest first. */
export const channelHistory = z.strictObject({
  channel: z.enum(CHANNELS),
  /** The normalised email (email) or E.164 phone (sms); null when the app knows none. */
  identity: text,
  now: z.strictObject({
    shopify: sideNow,
    edrone: sideNow,
    /** The newest real change known from either side. */
    lastChange: sideNow.extend({ side: z.enum(['shopify', 'edrone']).nullable() }),
  }),
  entries: z.array(historyEntry),
});

/** GET /api/customers/consent: both channels, always, email first. */
export const customerConsentAnswer = z.strictObject({
  customer: z.strictObject({
    query: z.string(),
    shopifyCustomerIds: z.array(z.string()),
  }),
  channels: z.array(channelHistory).length(2),
});

/** GET /api/consent-history.csv query: every filter optional; from inclusive, to exclusive. 400: apiErrorBody. */
export const consentHistoryCsvQuery = z
  .object({
    from: z.iso.date().or(z.iso.datetime({ offset: true })).optional(),
    to: z.iso.date().or(z.iso.datetime({ offset: true })).optional(),
    channel: z.enum(CHANNELS).optional(),
    customer: z.string().trim().min(3).max(320).optional(),
  })
  .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), { message: 'from must be before to', path: ['to'] });

export type CustomerConsentQuery = z.input<typeof customerConsentQuery>;
export type HistoryEntry = z.infer<typeof historyEntry>;
export type ChannelHistory = z.infer<typeof channelHistory>;
export type CustomerConsentAnswer = z.infer<typeof customerConsentAnswer>;
export type ConsentHistoryCsvQuery = z.input<typeof consentHistoryCsvQuery>;

/** The CSV columns of GET /api/consent-history.csv, in order (README "Consent history export"). */
export { HISTORY_CSV_COLUMNS } from '../core/consent-history.js';
