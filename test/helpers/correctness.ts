// Small helpers for the consent-correctness integration tests: Activity through the
// admin API, traces per identity, settings through PUT /api/settings, signed edrone
// requests in every format the ingest accepts.
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { EMAIL_CONSENT_TOPIC, SMS_CONSENT_TOPIC, type RawJson } from '../../app/sandbox/fake-shopify/webhooks.js';
import { EDRONE_APP_ID, EDRONE_SECRET, type Harness } from './harness.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until just after the next wall-clock second starts. */
export async function startOfSecond(): Promise<void> {
  await sleep(1000 - (Date.now() % 1000) + 10);
}

/** A unique, valid email for one test. */
export function uniqueEmail(tag: string): string {
  return `${tag}-${randomBytes(4).toString('hex')}@example.com`;
}

let phoneSeq = Math.floor(Math.random() * 500_000);
/** A unique, valid Polish mobile number in E.164 (+48 5xx xxx xxx). */
export function uniquePhone(): string {
  phoneSeq = (phoneSeq + 1) % 1_000_000;
  return `+48500${String(phoneSeq).padStart(6, '0')}`;
}

export interface ActivityRow {
  id: string;
  jobId: string | null;
  eventId: string | null;
  origin: string;
  target: string;
  channel: string;
  identity: string | null;
  customerId: string | null;
  previousState: string | null;
  newState: string | null;
  result: string;
  reason: string | null;
  reasonCode: string | null;
  createdAt: string;
}

/** The shop's Activity rows for one identity, oldest first, as the admin UI reads them. */
export async function activityFor(h: Harness, identity: string, shop = h.shop): Promise<ActivityRow[]> {
  const res = await h
    .http()
    .get('/api/activity')
    .query({ q: identity, pageSize: 100 })
    .set('Authorization', `Bearer ${await h.token(shop)}`);
  expect(res.status).toBe(200);
  return (res.body.items as ActivityRow[]).slice().reverse();
}

/** Traces edrone accepted for one email or phone. */
export function tracesFor(h: Harness, identity: string) {
  return h.edrone.traces.filter((t) => t.fields.email === identity || t.fields.phone === identity);
}

export interface SettingsBody {
  direction: 'both' | 'shopify_to_edrone' | 'edrone_to_shopify' | 'paused';
  edroneStatuses: 'all' | 'unsubscribes' | 'subscribes';
  channels: { email: boolean; sms: boolean };
  createMissingCustomers: boolean;
}

export const DEFAULTS: SettingsBody = {
  direction: 'both',
  edroneStatuses: 'all',
  channels: { email: true, sms: true },
  createMissingCustomers: false,
};

/** PUT /api/settings as the admin UI does (the secret is kept: not sent). */
export async function putSettings(h: Harness, settings: Partial<SettingsBody>): Promise<void> {
  const res = await h
    .http()
    .put('/api/settings')
    .set('Authorization', `Bearer ${await h.token()}`)
    .send({ edroneAppId: EDRONE_APP_ID, ...DEFAULTS, ...settings });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** A Shopify consent webhook body, as Shopify shapes it (ids as bare 64-bit integers). */
export function consentWebhookBody(
  channel: 'email' | 'sms',
  customerId: string,
  address: string | null,
  state: string,
  consentUpdatedAt: string | null,
): { topic: string; body: RawJson } {
  return channel === 'email'
    ? {
        topic: EMAIL_CONSENT_TOPIC,
        body: {
          customer_id: BigInt(customerId),
          email_address: address,
          email_marketing_consent: { state, opt_in_level: 'single_opt_in', consent_updated_at: consentUpdatedAt },
        },
      }
    : {
        topic: SMS_CONSENT_TOPIC,
        body: {
          id: BigInt(customerId),
          phone: address,
          sms_marketing_consent: {
            state,
            opt_in_level: 'single_opt_in',
            consent_updated_at: consentUpdatedAt,
            consent_collected_from: 'OTHER',
          },
        },
      };
}

/** Delivers a signed Shopify consent webhook and expects 200. */
export async function deliverConsentWebhook(
  h: Harness,
  ...args: Parameters<typeof consentWebhookBody>
): Promise<void> {
  const { topic, body } = consentWebhookBody(...args);
  const delivery = await h.shopify.control.sendWebhook({ shop: h.shop, topic, body, retry: false });
  expect(delivery.status).toBe(200);
}

/** Shopify's second-precision time. */
export function shopifyTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------------------
// edrone requests in each format, signed as app/adapters/edrone/signature.ts verifies:
// base64 of the lower-case sha256 hex of the concatenated values + app_secret + app_id.

export function edroneSignature(parts: string[], secret = EDRONE_SECRET, appId = EDRONE_APP_ID): string {
  const hex = createHash('sha256').update([...parts, secret, appId].join(''), 'utf8').digest('hex');
  return Buffer.from(hex, 'utf8').toString('base64');
}

export type Encoding = 'form' | 'json';

/** POSTs a body to the shop's sync URL. `fields` go as a form or as a JSON object. */
export async function postSync(
  h: Harness,
  body: Record<string, unknown>,
  encoding: Encoding,
  syncUrl = h.syncUrl,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(syncUrl, {
    method: 'POST',
    headers: { 'content-type': encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded' },
    body:
      encoding === 'json'
        ? JSON.stringify(body)
        : new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])).toString(),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed };
}

export function eventId(): string {
  return randomBytes(8).toString('hex');
}
