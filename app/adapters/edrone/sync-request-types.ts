// The shapes of edrone's subscription-sync request as the app reads it: the
// formats it recognises and what parsing returns. Shared by sync-request.ts
// (which builds them) and signature.ts (which checks them).
import type { EdroneConsentEvent } from '../../core/types.js';

export const EDRONE_FORMATS = ['NATIVE_5', 'NATIVE_4', 'LEGACY_NO_REASON', 'JSON_EVENT', 'JSON_FLAT'] as const;
export type EdroneFormat = (typeof EDRONE_FORMATS)[number];

export interface ParsedEdroneRequest {
  ok: true;
  format: EdroneFormat;
  /**
   * Every scalar field as received, as the text the signature is computed
   * over: form values verbatim, JSON strings verbatim, JSON numbers and
   * booleans in decimal/`true`/`false` form, JSON null as ''. For JSON_EVENT
   * the fields of `data` are lifted to the top level (they win on clashes).
   */
  fields: Record<string, string>;
  events: EdroneConsentEvent[];
  /** The request's event_id, or null when it sent none. */
  eventId: string | null;
  /** What to deduplicate deliveries on: eventId, else a body hash (see sync-request.ts). */
  dedupeKey: string;
  appId: string | null;
  signature: string | null;
  /** Parts of the request that were accepted but not used, for the activity log. */
  warnings: string[];
}

/** What is known before the signature is checked: fields in their exact formats, no events yet. */
export interface ReadEdroneRequest extends Omit<ParsedEdroneRequest, 'events' | 'warnings'> {
  /** The received values (JSON_EVENT: `data` lifted), for building the events once verified. */
  values: Record<string, unknown>;
  /** JSON_EVENT: the names that came from `data` (for messages); otherwise null. */
  fromData: string[] | null;
}

export interface RejectedEdroneRequest {
  ok: false;
  status: 400;
  message: string;
}

export type ParseResult = ParsedEdroneRequest | RejectedEdroneRequest;

export interface EdroneRequestInput {
  contentType?: string | undefined;
  rawBody: string;
  query: Record<string, string>;
  /** When given, dates more than a few minutes after it are refused. */
  now?: Date;
}
