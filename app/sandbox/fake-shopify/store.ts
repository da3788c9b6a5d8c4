// In-memory state of the fake Shopify: shops, customers with their consent, access
// tokens and the GraphQL cost bucket. Consent rules follow Shopify's behaviour.
import { randomBytes } from 'node:crypto';
import type { Channel, ShopifyState } from '../../core/types.js';

export type OptInLevel = 'single_opt_in' | 'confirmed_opt_in' | 'unknown';

export interface FakeConsent {
  state: ShopifyState;
  optInLevel: OptInLevel | null;
  consentUpdatedAt: string | null;
}

export interface FakeCustomer {
  id: string;
  email: string | null;
  phone: string | null;
  createdAt: string;
  updatedAt: string;
  emailConsent: FakeConsent;
  smsConsent: FakeConsent;
}

export interface FakeBucket {
  available: number;
  refilledAt: number;
}

/** A shop-specific webhook subscription (webhookSubscriptionCreate). */
export interface FakeWebhookSubscription {
  id: string;
  /** Enum form, e.g. CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE. */
  topic: string;
  uri: string;
  format: 'JSON' | 'XML';
  includeFields: string[];
  filter: string | null;
  apiVersion: string;
  createdAt: string;
  updatedAt: string;
}

export interface FakeShop {
  domain: string;
  customers: Map<string, FakeCustomer>;
  bucket: FakeBucket;
  webhookSubscriptions: Map<string, FakeWebhookSubscription>;
}

/** How seeded customers' consents are spread: weights per state (default: all not_subscribed). */
export type StateMix = Partial<Record<ShopifyState, number>>;

export interface SeedOptions {
  emailStates?: StateMix;
  smsStates?: StateMix;
  /** Share of customers that have a phone (default 0). */
  phoneShare?: number;
  /** consent_updated_at of touched states (default: now). */
  consentUpdatedAt?: string | Date;
  /** Email local part prefix (default "seed"). */
  prefix?: string;
  /** Deterministic spread (default 1). */
  seed?: number;
  /** The customers' updatedAt, spread evenly (oldest first) over this many ms before now, as a store's customers change over time (default 0: all now). */
  updatedAtSpreadMs?: number;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface IssuedTokens {
  access_token: string;
  scope: string;
  expires_in?: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
}

/** The states a consent mutation accepts (NOT_SUBSCRIBED, REDACTED, INVALID are read-only). */
export const SETTABLE_STATES: readonly ShopifyState[] = ['subscribed', 'unsubscribed', 'pending'];

export const BUCKET_SIZE = 2000;
export const GRANTED_SCOPE = 'read_customers,write_customers';
const REFRESH_TOKEN_TTL_S = 90 * 24 * 3600;
// Shopify's REST ids are 64-bit; start above 2^53 so precision bugs show at once.
const FIRST_CUSTOMER_ID = 7064055069303700001n;

interface AccessTokenRecord {
  shop: string;
  expiresAt: number | null;
  revoked: boolean;
}

interface RefreshTokenRecord {
  shop: string;
  expiresAt: number;
  revoked: boolean;
  /** The refresh token this one replaced; it stays valid until this one is used. */
  predecessor?: string;
}

export class UserInputError extends Error {
  constructor(
    readonly field: string[] | null,
    message: string,
    readonly code: string = 'INVALID',
  ) {
    super(message);
  }
}

export interface NewCustomer {
  shop: string;
  id?: string;
  email?: string | null;
  phone?: string | null;
  emailConsent?: Partial<FakeConsent> & { state: ShopifyState };
  smsConsent?: Partial<FakeConsent> & { state: ShopifyState };
}

const NOT_SUBSCRIBED: FakeConsent = { state: 'not_subscribed', optInLevel: null, consentUpdatedAt: null };

export class FakeStore {
  readonly shops = new Map<string, FakeShop>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private nextCustomerId = FIRST_CUSTOMER_ID;
  private nextWebhookId = 1_400_000_001;

  constructor(
    private readonly settings: { restoreRate: number; accessTokenTtlSeconds: number },
  ) {}

  shop(domain: string): FakeShop {
    const key = domain.toLowerCase();
    let shop = this.shops.get(key);
    if (!shop) {
      shop = {
        domain: key,
        customers: new Map(),
        bucket: { available: BUCKET_SIZE, refilledAt: Date.now() },
        webhookSubscriptions: new Map(),
      };
      this.shops.set(key, shop);
    }
    return shop;
  }

  // -------------------------------------------------------------------------
  // Customers

  createCustomer(input: NewCustomer): FakeCustomer {
    const shop = this.shop(input.shop);
    const email = input.email ? normalizeEmail(input.email) : null;
    const phone = input.phone ? normalizePhone(input.phone) : null;
    if (input.email && !email) throw new UserInputError(['email'], 'Email is invalid');
    if (input.phone && !phone) throw new UserInputError(['phone'], 'Phone is invalid');
    if (!email && !phone) throw new UserInputError(null, 'Customer must have an email address or a phone number.');
    if (email && this.findByEmail(shop.domain, email)) throw new UserInputError(['email'], 'Email has already been taken', 'TAKEN');
    if (phone && this.findByPhone(shop.domain, phone)) throw new UserInputError(['phone'], 'Phone has already been taken', 'TAKEN');
    if (input.emailConsent && !email) {
      throw new UserInputError(['emailMarketingConsent'], 'An email address is required to set email marketing consent.');
    }
    if (input.smsConsent && !phone) {
      throw new UserInputError(['smsMarketingConsent'], 'A phone number is required to set SMS marketing consent.');
    }
    const id = input.id ?? this.newCustomerId();
    if (!/^\d+$/.test(id)) throw new UserInputError(['id'], 'Customer id must be digits');
    if (shop.customers.has(id)) throw new UserInputError(['id'], 'Customer id already exists', 'TAKEN');
    const now = shopifyTime(new Date());
    const customer: FakeCustomer = {
      id,
      email,
      phone,
      createdAt: now,
      updatedAt: now,
      emailConsent: initialConsent(input.emailConsent, now),
      smsConsent: initialConsent(input.smsConsent, now),
    };
    shop.customers.set(id, customer);
    return customer;
  }

  /**
   * Adds `count` customers at once, without the per-customer uniqueness scans
   * (emails are generated unique): seed-<n>@example.com, phones +4860xxxxxxx.
   * States are spread by weight, deterministically from `seed`.
   */
  seedCustomers(domain: string, count: number, options: SeedOptions = {}): FakeCustomer[] {
    const shop = this.shop(domain);
    const now = shopifyTime(new Date());
    const at = options.consentUpdatedAt ? shopifyTime(options.consentUpdatedAt) : now;
    const prefix = options.prefix ?? 'seed';
    let state = (options.seed ?? 1) >>> 0 || 1;
    const random = () => {
      // xorshift32: the same spread for the same seed.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 0x1_0000_0000;
    };
    const pick = (mix: StateMix | undefined): ShopifyState => {
      const entries = Object.entries(mix ?? { not_subscribed: 1 }) as Array<[ShopifyState, number]>;
      const total = entries.reduce((n, [, w]) => n + w, 0);
      let r = random() * total;
      for (const [s, w] of entries) {
        if ((r -= w) < 0) return s;
      }
      return entries.at(-1)?.[0] ?? 'not_subscribed';
    };
    const consent = (s: ShopifyState): FakeConsent =>
      s === 'not_subscribed' ? { ...NOT_SUBSCRIBED } : { state: s, optInLevel: 'single_opt_in', consentUpdatedAt: at };
    const created: FakeCustomer[] = [];
    const base = shop.customers.size;
    const spread = options.updatedAtSpreadMs ?? 0;
    const updatedAt = (i: number) => (spread > 0 ? shopifyTime(new Date(Date.now() - spread + Math.floor((spread * i) / count))) : now);
    for (let i = 0; i < count; i++) {
      const n = base + i;
      const hasPhone = random() < (options.phoneShare ?? 0);
      const customer: FakeCustomer = {
        id: this.newCustomerId(),
        email: `${prefix}-${n}@example.com`,
        phone: hasPhone ? `+4860${String(n).padStart(7, '0')}` : null,
        createdAt: now,
        updatedAt: updatedAt(i),
        emailConsent: consent(pick(options.emailStates)),
        smsConsent: hasPhone ? consent(pick(options.smsStates)) : { ...NOT_SUBSCRIBED },
      };
      shop.customers.set(customer.id, customer);
      created.push(customer);
    }
    return created;
  }

  customer(shop: string, id: string): FakeCustomer | null {
    return this.shop(shop).customers.get(id) ?? null;
  }

  findByEmail(shop: string, email: string): FakeCustomer | null {
    const wanted = normalizeEmail(email);
    if (!wanted) return null;
    for (const c of this.shop(shop).customers.values()) if (c.email === wanted) return c;
    return null;
  }

  findByPhone(shop: string, phone: string): FakeCustomer | null {
    const wanted = normalizePhone(phone);
    if (!wanted) return null;
    for (const c of this.shop(shop).customers.values()) if (c.phone === wanted) return c;
    return null;
  }

  /**
   * A consent update through the Admin API. Shopify keeps the newest record: an
   * update older than the stored consent changes nothing, and consent_updated_at
   * only moves when the state changes. Returns whether anything changed.
   */
  updateConsentByApi(customer: FakeCustomer, channel: Channel, next: FakeConsent): boolean {
    if (!SETTABLE_STATES.includes(next.state)) {
      throw new UserInputError([consentField(channel), 'marketingState'], `Marketing state ${next.state.toUpperCase()} can't be set. Use SUBSCRIBED, UNSUBSCRIBED or PENDING.`);
    }
    if (channel === 'email' && !customer.email) {
      throw new UserInputError(['customerId'], 'An email address is required to update email marketing consent.', 'MISSING_ARGUMENT');
    }
    if (channel === 'sms' && !customer.phone) {
      throw new UserInputError(['customerId'], 'A phone number is required to update SMS marketing consent.', 'MISSING_ARGUMENT');
    }
    const current = consentOf(customer, channel);
    const stored = current.consentUpdatedAt ? Date.parse(current.consentUpdatedAt) : null;
    if (stored !== null && next.consentUpdatedAt && Date.parse(next.consentUpdatedAt) < stored) return false;
    if (current.state === next.state) return false;
    return this.writeConsent(customer, channel, next);
  }

  /** A change made by the customer or merchant in Shopify itself: always applied. */
  writeConsent(customer: FakeCustomer, channel: Channel, next: FakeConsent): boolean {
    const current = consentOf(customer, channel);
    if (current.state === next.state && current.consentUpdatedAt === next.consentUpdatedAt) return false;
    if (channel === 'email') customer.emailConsent = { ...next };
    else customer.smsConsent = { ...next };
    customer.updatedAt = shopifyTime(new Date());
    return true;
  }

  nextWebhookSubscriptionId(): string {
    return String(this.nextWebhookId++);
  }

  private newCustomerId(): string {
    const id = this.nextCustomerId;
    this.nextCustomerId += 1n;
    return id.toString();
  }

  // -------------------------------------------------------------------------
  // Tokens

  issueTokens(shop: string, expiring: boolean, predecessor?: string): IssuedTokens {
    this.shop(shop);
    const now = Date.now();
    const accessToken = `shpat_${randomBytes(16).toString('hex')}`;
    const ttl = this.settings.accessTokenTtlSeconds;
    this.accessTokens.set(accessToken, { shop, expiresAt: expiring ? now + ttl * 1000 : null, revoked: false });
    const scope = this.grantedScopes.get(shop) ?? GRANTED_SCOPE;
    if (!expiring) return { access_token: accessToken, scope };
    const refreshToken = `shprt_${randomBytes(16).toString('hex')}`;
    this.refreshTokens.set(refreshToken, {
      shop,
      expiresAt: now + REFRESH_TOKEN_TTL_S * 1000,
      revoked: false,
      ...(predecessor && { predecessor }),
    });
    return {
      access_token: accessToken,
      scope,
      expires_in: ttl,
      refresh_token: refreshToken,
      refresh_token_expires_in: REFRESH_TOKEN_TTL_S,
    };
  }

  /** New tokens for a valid refresh token of this shop, else null (invalid_grant). */
  refresh(shop: string, refreshToken: string): IssuedTokens | null {
    const record = this.refreshTokens.get(refreshToken);
    if (!record || record.revoked || record.shop !== shop || record.expiresAt <= Date.now()) return null;
    // Using a refresh token retires the one it replaced (Shopify keeps the old one until then).
    if (record.predecessor) this.refreshTokens.delete(record.predecessor);
    delete record.predecessor;
    return this.issueTokens(shop, true, refreshToken);
  }

  accessTokenValid(shop: string, token: string | undefined): boolean {
    const record = token ? this.accessTokens.get(token) : undefined;
    if (!record || record.revoked || record.shop !== shop) return false;
    return record.expiresAt === null || record.expiresAt > Date.now();
  }

  /** The scopes the merchant granted the app on this shop (tokens issued from now on carry them). */
  readonly grantedScopes = new Map<string, string>();

  revokeShop(shop: string): void {
    for (const record of [...this.accessTokens.values(), ...this.refreshTokens.values()]) {
      if (record.shop === shop) record.revoked = true;
    }
  }

  // -------------------------------------------------------------------------
  // Cost bucket (leaky bucket per shop)

  /** Takes `cost` points, or reports the status when the bucket cannot pay. */
  spend(shop: string, cost: number): { ok: boolean; status: ThrottleStatus } {
    const bucket = this.refill(shop);
    const ok = bucket.available >= cost;
    if (ok) bucket.available -= cost;
    return { ok, status: this.status(bucket) };
  }

  /** Empties the bucket and holds it empty for `holdMs`, so the next calls are throttled however slow the test is. */
  emptyBucket(shop: string, holdMs = 1000): void {
    const bucket = this.shop(shop).bucket;
    bucket.available = 0;
    bucket.refilledAt = Date.now() + holdMs;
  }

  private refill(shop: string): FakeBucket {
    const bucket = this.shop(shop).bucket;
    const now = Date.now();
    if (now <= bucket.refilledAt) return bucket; // still held empty
    bucket.available = Math.min(BUCKET_SIZE, bucket.available + ((now - bucket.refilledAt) / 1000) * this.settings.restoreRate);
    bucket.refilledAt = now;
    return bucket;
  }

  private status(bucket: FakeBucket): ThrottleStatus {
    return {
      maximumAvailable: BUCKET_SIZE,
      currentlyAvailable: Math.floor(bucket.available),
      restoreRate: this.settings.restoreRate,
    };
  }
}

export function consentOf(customer: FakeCustomer, channel: Channel): FakeConsent {
  return channel === 'email' ? customer.emailConsent : customer.smsConsent;
}

function consentField(channel: Channel): string {
  return channel === 'email' ? 'emailMarketingConsent' : 'smsMarketingConsent';
}

function initialConsent(input: NewCustomer['emailConsent'], now: string): FakeConsent {
  if (!input) return { ...NOT_SUBSCRIBED };
  const touched = input.state !== 'not_subscribed';
  return {
    state: input.state,
    optInLevel: input.optInLevel ?? (touched ? 'single_opt_in' : null),
    consentUpdatedAt: input.consentUpdatedAt ? shopifyTime(input.consentUpdatedAt) : touched ? now : null,
  };
}

/** Shopify's DateTime has second precision: 2026-09-01T10:00:00Z. */
export function shopifyTime(at: string | Date): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Shopify stores emails lower-cased, so lookups are case-insensitive. */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : null;
}

/** Phones are kept in E.164; separators are dropped. */
export function normalizePhone(raw: string): string | null {
  const phone = raw.trim().replace(/[\s().-]/g, '');
  return /^\+[1-9]\d{6,14}$/.test(phone) ? phone : null;
}
