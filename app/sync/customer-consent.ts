// One Shopify customer as read by the backfill (bulk export line) or the
// reconciliation (customers page), passed channel by channel through the same
// decision path as a webhook (syncConsent). Shared by both bulk runs.
import { normalizeEmail, normalizePhone } from '../core/identity.js';
import type { Channel, ShopifyConsentEvent, ShopifyState } from '../core/types.js';
import type { ConsentRowKey, ShopRow } from '../db/index.js';
import { AppError, PermanentError, RetriableError, coerceError } from '../errors.js';
import type { ShopifyCustomer } from '../adapters/index.js';
import { recordActivity } from './activity.js';
import { syncConsent } from './consent-sync.js';
import { runInUnit, withConsentUnit } from './consent-job-unit.js';
import type { SyncDeps } from './deps.js';

export type CustomerOutcome = { sent: number; skipped: number; failed: number; lastError: string | null };

/** Errors that stop the whole run rather than one customer: missing credentials. */
const RUN_LEVEL_CODES = new Set(['edrone_not_configured']);

/** A failure of this one customer (edrone or Shopify refused it): counted, recorded, the run goes on. */
export function isCustomerLevel(e: unknown): boolean {
  return e instanceof PermanentError && !RUN_LEVEL_CODES.has(e.code);
}

const CONCURRENT_RETRIES = 3;

/**
 * A channel whose state is not_subscribed with no consent time, for an identity the app has
 * no row for, decides to nothing whatever the settings (decideShopifyEvent on an empty record:
 * not_mapped, no write) and its saved row would be equivalent to none. The batch looks such
 * rows up with one query and skips them, instead of two queries per customer.
 */
export function neverTouched(channel: Channel, identity: string | null, state: ShopifyState, at: string | null): ConsentRowKey | null {
  return identity && state === 'not_subscribed' && at === null ? `${channel}:${identity}` : null;
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
  /** Keys known to have no row (data.consent.withoutRows): those never-touched channels are skipped without a query. */
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
    const event: ShopifyConsentEvent = {
      origin,
      channel,
      customerId: customer.id,
      identity,
      state: consent.state,
      at: consent.consentUpdatedAt ? new Date(consent.consentUpdatedAt) : null,
      optInLevel: consent.optInLevel ?? null,
    };
    try {
      const result = await withConcurrentRetry(() => syncInOneTransaction(deps, shop, event, jobId));
      if (result === 'sent') outcome.sent += 1;
      else outcome.skipped += 1;
    } catch (e) {
      if (!isCustomerLevel(e)) throw e;
      const message = e instanceof AppError ? e.merchantMessage : coerceError(e).message;
      outcome.failed += 1;
      outcome.lastError = message;
      await recordActivity(deps.data, {
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

/**
 * One channel through the use case as the worker's hot path runs it: the customer's row read in
 * one query under its lock, and everything decided stored in one transaction at the end.
 */
function syncInOneTransaction(deps: SyncDeps, shop: ShopRow, event: ShopifyConsentEvent, jobId: string): Promise<'sent' | 'skipped'> {
  return withConsentUnit(deps, shop.id, event, null, (_read, unit) =>
    runInUnit(unit, null, (unitDeps) => syncConsent(unitDeps, shop, { side: 'shopify', event }, { jobId, quietSkips: true })),
  );
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
