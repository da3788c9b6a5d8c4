// The storefront's question "is this visitor already subscribed?" (seeds/002),
// asked through the app proxy. A logged-in customer is answered from what the
// app knows (consent rows, else one remembered Shopify lookup), never from
// edrone; an anonymous visitor by edrone's Subscription Status API for their own
// fp_ccid cookie. Every failure answers "unknown", so the store shows its form.
import type { ShopifyAdminClient, SubscriptionStatusClient } from '../adapters/index.js';
import type { StorefrontAnswer } from '../api-contract/index.js';
import type { EdroneState, ShopifyState } from '../core/types.js';
import type { DataLayer, KnownConsent } from '../db/index.js';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';

export interface StorefrontCheck {
  /** The shop the app proxy signed for. */
  shop: string;
  /** From the signed query: the logged-in customer, or null. */
  loggedInCustomerId: string | null;
  /** The visitor's own fp_ccid cookie value, or null. */
  fpcid: string | null;
  /** Bypass the app's cache and edrone's (seeds/002 `force=true`). */
  force: boolean;
}

export interface StorefrontStatusDeps {
  data: Pick<DataLayer, 'shops' | 'storefront'>;
  edroneStatus: SubscriptionStatusClient;
  /** Throws (ShopAccessError...) when the shop cannot be asked. */
  adminClientFor(shopId: string): Promise<ShopifyAdminClient>;
  logger: Pick<Logger, 'warn'>;
  now(): Date;
}

export interface StorefrontStatusOptions {
  /** How long edrone's answer for one (shop, fpcid) is reused. */
  cacheTtlMs?: number;
  /** Entries kept at most; the oldest go first. */
  cacheMax?: number;
  /** How long a logged-in customer's Shopify lookup may take before the answer is "unknown". */
  lookupTimeoutMs?: number;
  /** A remembered lookup older than this is read again. */
  rememberMs?: number;
  /** Answers are counted in memory and written at most this often (one statement per shop and day). */
  countFlushMs?: number;
}

export interface StorefrontStatus {
  check(input: StorefrontCheck): Promise<StorefrontAnswer>;
  /** Writes the answers counted since the last write (before reading the count, and at shutdown). */
  flush(): Promise<void>;
}

export const STOREFRONT_CACHE_TTL_MS = 60_000;
const DAY_MS = 24 * 60 * 60 * 1000;

export const STOREFRONT_MESSAGES = {
  success: 'Success',
  anonymous: 'Anonymous visitor, not in database',
  unknown: 'Subscription status is not known right now',
  notConnected: 'Subscription status is not available for this store',
} as const;

const unknownAnswer = (message: string, identified = false): StorefrontAnswer => ({ identified, status: null, message, sms_status: null });

/** A state as the storefront reads it: subscribed true, opted out false, anything else unknown. */
function fromEdrone(state: EdroneState | null): boolean | null {
  return state === 'subscribed' ? true : state === 'unsubscribed' ? false : null;
}
function fromShopify(state: ShopifyState | null): boolean | null {
  if (state === 'subscribed') return true;
  if (state === 'unsubscribed' || state === 'redacted' || state === 'invalid') return false;
  // pending (double opt-in not confirmed) and not_subscribed: not a subscriber yet.
  return null;
}
/** The newest real change first, then what each side is believed to hold. */
function statusOfRow(row: KnownConsent | undefined): boolean | null {
  if (!row) return null;
  return fromEdrone(row.truthState) ?? fromShopify(row.shopifyState) ?? fromEdrone(row.edroneState);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createStorefrontStatus(deps: StorefrontStatusDeps, options: StorefrontStatusOptions = {}): StorefrontStatus {
  const ttlMs = options.cacheTtlMs ?? STOREFRONT_CACHE_TTL_MS;
  const cacheMax = options.cacheMax ?? 10_000;
  const lookupTimeoutMs = options.lookupTimeoutMs ?? 2_000;
  const rememberMs = options.rememberMs ?? DAY_MS;
  const countFlushMs = options.countFlushMs ?? 1_000;
  /** `${shopId}\u0000${day}` -> answers not yet written. */
  const counts = new Map<string, number>();
  let flushTimer: NodeJS.Timeout | null = null;

  async function flush(): Promise<void> {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    const batch = [...counts];
    counts.clear();
    for (const [key, count] of batch) {
      const [shopId, day] = key.split('\u0000') as [string, string];
      try {
        await deps.data.storefront.countAnswered(shopId, day, count);
      } catch (e) {
        // A statistic: logged, never worth failing a storefront check for.
        deps.logger.warn({ shop: shopId, count, error: e instanceof Error ? e.message : String(e) }, 'storefront check: count not stored');
      }
    }
  }

  function count(shopId: string): void {
    const key = `${shopId}\u0000${deps.now().toISOString().slice(0, 10)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (!flushTimer) {
      flushTimer = setTimeout(() => void flush(), countFlushMs);
      flushTimer.unref();
    }
  }
  const cache = new Map<string, { answer: StorefrontAnswer; until: number }>();
  /** One Shopify lookup per customer at a time, however many tabs ask. */
  const lookups = new Map<string, Promise<StorefrontAnswer>>();

  async function loggedIn(shopId: string, customerId: string, canAskShopify: boolean): Promise<StorefrontAnswer> {
    const rows = await deps.data.storefront.consentOfCustomer(shopId, customerId);
    if (rows.length > 0) {
      const byChannel = (channel: string) => rows.find((r) => r.channel === channel);
      return { identified: true, status: statusOfRow(byChannel('email')), message: STOREFRONT_MESSAGES.success, sms_status: statusOfRow(byChannel('sms')) };
    }
    const remembered = await deps.data.storefront.rememberedCustomer(shopId, customerId);
    if (remembered && deps.now().getTime() - remembered.lookedUpAt.getTime() < rememberMs) {
      return { identified: true, status: fromShopify(remembered.emailState), message: STOREFRONT_MESSAGES.success, sms_status: fromShopify(remembered.smsState) };
    }
    // Throttled or access revoked: the sync's work comes first; the visitor sees the form.
    if (!canAskShopify) return unknownAnswer(STOREFRONT_MESSAGES.unknown, true);
    const key = `${shopId}\u0000${customerId}`;
    const pending = lookups.get(key) ?? lookUp(shopId, customerId).finally(() => lookups.delete(key));
    lookups.set(key, pending);
    return pending;
  }

  async function lookUp(shopId: string, customerId: string): Promise<StorefrontAnswer> {
    try {
      const customer = await withTimeout(
        deps.adminClientFor(shopId).then((client) => client.findCustomerById(customerId)),
        lookupTimeoutMs,
      );
      if (!customer) return unknownAnswer(STOREFRONT_MESSAGES.unknown);
      const emailState = customer.emailConsent?.state ?? null;
      const smsState = customer.smsConsent?.state ?? null;
      await deps.data.storefront.rememberCustomer(shopId, customerId, { emailState, smsState, lookedUpAt: deps.now() });
      return { identified: true, status: fromShopify(emailState), message: STOREFRONT_MESSAGES.success, sms_status: fromShopify(smsState) };
    } catch (e) {
      deps.logger.warn({ shop: shopId, error: e instanceof Error ? e.message : String(e) }, 'storefront check: Shopify lookup failed');
      // Logged in, so known to the store; only the status is missing.
      return unknownAnswer(STOREFRONT_MESSAGES.unknown, true);
    }
  }

  async function anonymous(shopId: string, appId: string | null, fpcid: string | null, force: boolean): Promise<StorefrontAnswer> {
    if (!fpcid) return unknownAnswer(STOREFRONT_MESSAGES.anonymous);
    if (!appId) return unknownAnswer(STOREFRONT_MESSAGES.notConnected);
    const key = `${shopId}\u0000${fpcid}`;
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.until > now && !force) return hit.answer;
    const result = await deps.edroneStatus.check({ appId, fpcid, force });
    if (!result.ok) {
      if (result.reason === 'invalid_app_id') deps.logger.warn({ shop: shopId }, 'storefront check: edrone does not recognise the App ID');
      return unknownAnswer(STOREFRONT_MESSAGES.unknown);
    }
    // edrone's Subscription Status API knows the email channel only.
    const answer: StorefrontAnswer = { ...result.answer, sms_status: null };
    cache.delete(key);
    cache.set(key, { answer, until: now + ttlMs });
    if (cache.size > cacheMax) cache.delete(cache.keys().next().value as string);
    return answer;
  }

  return {
    async check(input) {
      const shop = await deps.data.shops.find(input.shop);
      // The same answer for a shop that never installed and one that left: nothing to tell apart.
      if (!shop || shop.uninstalledAt) throw new NotFoundError('Not found.');
      const answer = input.loggedInCustomerId
        ? await loggedIn(shop.id, input.loggedInCustomerId, !shop.blockedReason && !(shop.pausedUntil && shop.pausedUntil > deps.now()))
        : await anonymous(shop.id, shop.edroneAppId, input.fpcid, input.force);
      count(shop.id);
      return answer;
    },
    flush,
  };
}

/** Storefront checks answered today (UTC), for the Status page. */
export function storefrontChecksToday(data: Pick<DataLayer, 'storefront'>, shopId: string, now: Date): Promise<number> {
  return data.storefront.answeredOn(shopId, now.toISOString().slice(0, 10));
}
