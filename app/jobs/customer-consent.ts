// One Shopify customer as read by the backfill (bulk export line) or the
// reconciliation (customers page), passed channel by channel through the same
// decision path as a webhook (syncShopifyConsent). Shared by both jobs.
import { z } from 'zod';
import { normalizeEmail, normalizePhone } from '../core/identity.js';
import { SHOPIFY_STATES, type Channel, type ShopifyState } from '../core/types.js';
import type { ShopRow } from '../db/shop-repository.js';
import { AppError, PermanentError, RetriableError, coerceError } from '../errors.js';
import type { ShopifyCustomer } from '../adapters/shopify/types.js';
import { recordActivity } from './activity.js';
import { syncShopifyConsent } from './sync-shopify-consent.js';
import type { SyncDeps } from './sync-deps.js';

export type CustomerOutcome = { sent: number; skipped: number; failed: number; lastError: string | null };

/** Errors that stop the whole run rather than one customer: missing credentials. */
const RUN_LEVEL_CODES = new Set(['edrone_not_configured']);

/** A failure of this one customer (edrone or Shopify refused it): counted, recorded, the run goes on. */
export function isCustomerLevel(e: unknown): boolean {
  return e instanceof PermanentError && !RUN_LEVEL_CODES.has(e.code);
}

const CONCURRENT_RETRIES = 3;

/** `${channel}:${identity}` */
export type ConsentRowKey = string;

/**
 * A channel whose state is not_subscribed with no consent time, for an identity the app has
 * no row for, decides to nothing whatever the settings (decideShopifyEvent on an empty record:
 * not_mapped, no write) and its saved row would be equivalent to none. The batch looks such
 * rows up with one query and skips them, instead of two queries per customer.
 */
export function neverTouched(channel: Channel, identity: string | null, state: ShopifyState, at: string | null): ConsentRowKey | null {
  return identity && state === 'not_subscribed' && at === null ? `${channel}:${identity}` : null;
}

/** Of the candidate keys, the ones without a ConsentState row (one query per channel). */
export async function withoutRows(deps: Pick<SyncDeps, 'prisma'>, shopId: string, candidates: ConsentRowKey[]): Promise<Set<ConsentRowKey>> {
  const absent = new Set(candidates);
  for (const channel of ['email', 'sms'] as const) {
    const identities = candidates.filter((k) => k.startsWith(`${channel}:`)).map((k) => k.slice(channel.length + 1));
    if (identities.length === 0) continue;
    const rows = await deps.prisma.consentState.findMany({
      where: { shopId, channel, identity: { in: identities } },
      select: { identity: true },
    });
    for (const r of rows) absent.delete(`${channel}:${r.identity}`);
  }
  return absent;
}

/** The never-touched candidates of a customer list (see neverTouched). */
export function neverTouchedKeys(customers: ShopifyCustomer[]): ConsentRowKey[] {
  const keys: ConsentRowKey[] = [];
  for (const c of customers) {
    if (c.emailConsent) {
      const k = neverTouched('email', normalizeEmail(c.email), c.emailConsent.state, c.emailConsent.consentUpdatedAt);
      if (k) keys.push(k);
    }
    if (c.smsConsent) {
      const k = neverTouched('sms', normalizePhone(c.phone), c.smsConsent.state, c.smsConsent.consentUpdatedAt);
      if (k) keys.push(k);
    }
  }
  return keys;
}

/**
 * Syncs both channels of one customer. Channels Shopify has no consent object
 * for (no email / no phone) are left out. Returns what each channel did;
 * throws what must stop the run (rate limits, outages, missing credentials).
 */
export async function syncCustomerConsent(
  deps: SyncDeps,
  shop: ShopRow,
  customer: ShopifyCustomer,
  origin: 'backfill' | 'reconcile',
  jobId: string,
  /** Keys known to have no row (withoutRows): those never-touched channels are skipped without a query. */
  absent: ReadonlySet<ConsentRowKey> = new Set(),
): Promise<CustomerOutcome> {
  const outcome: CustomerOutcome = { sent: 0, skipped: 0, failed: 0, lastError: null };
  for (const channel of ['email', 'sms'] as const satisfies readonly Channel[]) {
    const consent = channel === 'email' ? customer.emailConsent : customer.smsConsent;
    if (!consent) continue;
    const identity = channel === 'email' ? normalizeEmail(customer.email) : normalizePhone(customer.phone);
    const quick = neverTouched(channel, identity, consent.state, consent.consentUpdatedAt);
    if (quick && absent.has(quick)) {
      outcome.skipped += 1;
      continue;
    }
    const event = {
      origin,
      channel,
      customerId: customer.id,
      identity,
      state: consent.state,
      at: consent.consentUpdatedAt ? new Date(consent.consentUpdatedAt) : null,
    };
    try {
      const result = await withConcurrentRetry(() => syncShopifyConsent(deps, shop, event, { jobId, quietSkips: true }));
      if (result === 'sent') outcome.sent += 1;
      else outcome.skipped += 1;
    } catch (e) {
      if (!isCustomerLevel(e)) throw e;
      const message = e instanceof AppError ? e.merchantMessage : coerceError(e).message;
      outcome.failed += 1;
      outcome.lastError = message;
      await recordActivity(deps.prisma, {
        shopId: shop.id,
        jobId,
        origin,
        target: 'edrone',
        channel,
        identity,
        customerId: customer.id,
        newState: consent.state,
        result: 'failed',
        reason: message,
      });
    }
  }
  return outcome;
}

/** Another worker changed this customer's row meanwhile: decide again on fresh state, a few times. */
async function withConcurrentRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof RetriableError && e.code === 'concurrent_update') || attempt >= CONCURRENT_RETRIES) throw e;
    }
  }
}

// ---------------------------------------------------------------------------
// A line of the bulk export

const stateSchema = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(SHOPIFY_STATES));
const consentSchema = z.object({ marketingState: stateSchema, consentUpdatedAt: z.string().nullish() }).nullish();
const exportLineSchema = z.object({
  id: z.string().regex(/^gid:\/\/shopify\/Customer\/\d+$/),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  emailMarketingConsent: consentSchema,
  smsMarketingConsent: consentSchema,
  __parentId: z.string().optional(),
});

/** A customer line of the export, or null for a line that is not one (blank, child object). */
export function customerFromExportLine(text: string): ShopifyCustomer | null {
  if (text.trim() === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PermanentError('bulk_line_invalid', 'A line of the Shopify export is not valid JSON.');
  }
  const parsed = exportLineSchema.safeParse(json);
  if (!parsed.success || parsed.data.__parentId) return null;
  const c = parsed.data;
  const snapshot = (s: z.infer<typeof consentSchema>) =>
    s ? { state: s.marketingState as ShopifyState, consentUpdatedAt: s.consentUpdatedAt ?? null } : null;
  return {
    id: c.id.slice('gid://shopify/Customer/'.length),
    email: c.email ?? null,
    phone: c.phone ?? null,
    emailConsent: snapshot(c.emailMarketingConsent),
    smsConsent: snapshot(c.smsMarketingConsent),
  };
}

/**
 * Splits a byte stream into lines without holding more than one line: yields
 * each line's text and its size in bytes (newline included), so the reader
 * knows the exact byte offset it reached. `skipBytes` drops the start of the
 * stream (a server that ignored the Range header).
 */
export async function* jsonLines(
  body: AsyncIterable<Uint8Array>,
  options: { skipBytes?: number; maxLineBytes?: number } = {},
): AsyncGenerator<{ text: string; bytes: number }> {
  const maxLine = options.maxLineBytes ?? 4 * 1024 * 1024;
  let toSkip = options.skipBytes ?? 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const raw of body) {
    let chunk = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    if (toSkip > 0) {
      if (chunk.length <= toSkip) {
        toSkip -= chunk.length;
        continue;
      }
      chunk = chunk.subarray(toSkip);
      toSkip = 0;
    }
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      const line = pendingBytes > 0 ? Buffer.concat([...pending, piece]) : piece;
      pending = [];
      pendingBytes = 0;
      start = nl + 1;
      yield { text: line.toString('utf8'), bytes: line.length + 1 };
    }
    if (start < chunk.length) {
      // Copy: the chunk's memory may be reused by the stream.
      pending.push(Buffer.from(chunk.subarray(start)));
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLine) throw new PermanentError('bulk_line_too_long', 'A line of the Shopify export is longer than expected.');
    }
  }
  if (pendingBytes > 0) {
    const line = Buffer.concat(pending);
    yield { text: line.toString('utf8'), bytes: line.length };
  }
}
