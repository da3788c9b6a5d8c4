// Webhook deliveries as Shopify makes them: raw JSON body (64-bit ids as bare
// integers), base64 HMAC-SHA256 of that body, Shopify's headers, a few retries.
import { createHmac, randomUUID } from 'node:crypto';
import type { Channel } from '../../core/types.js';
import type { FakeCustomer } from './store.js';

/** JSON where bigint values are written as bare integers with every digit. */
export type RawJson = null | boolean | number | string | bigint | RawJson[] | { [key: string]: RawJson };

export function rawJson(value: RawJson): string {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(rawJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${rawJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function signWebhook(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body, 'utf8').digest('base64');
}

export const EMAIL_CONSENT_TOPIC = 'customers_email_marketing_consent/update';
export const SMS_CONSENT_TOPIC = 'customers_marketing_consent/update';

/** The consent webhook for one channel of a customer, shaped like Shopify's samples. */
export function consentWebhook(
  customer: FakeCustomer,
  channel: Channel,
  collectedFrom: 'shopify' | 'other',
): { topic: string; body: string } {
  if (channel === 'email') {
    const c = customer.emailConsent;
    return {
      topic: EMAIL_CONSENT_TOPIC,
      body: rawJson({
        customer_id: BigInt(customer.id),
        email_address: customer.email,
        email_marketing_consent: { state: c.state, opt_in_level: c.optInLevel, consent_updated_at: c.consentUpdatedAt },
      }),
    };
  }
  const c = customer.smsConsent;
  return {
    topic: SMS_CONSENT_TOPIC,
    body: rawJson({
      id: BigInt(customer.id),
      phone: customer.phone,
      sms_marketing_consent: {
        state: c.state,
        opt_in_level: c.optInLevel,
        consent_updated_at: c.consentUpdatedAt,
        consent_collected_from: collectedFrom,
      },
    }),
  };
}

export interface WebhookDelivery {
  webhookId: string;
  eventId: string;
  topic: string;
  shop: string;
  body: string;
  triggeredAt: string;
  attempts: number;
  /** HTTP status of the last attempt; null when it never got an answer. */
  status: number | null;
  outcome: 'pending' | 'delivered' | 'failed' | 'dropped';
}

export interface WebhookSenderSettings {
  apiSecret: string;
  apiVersion: string;
  /** The app's base URL; deliveries go to `${target}/webhooks`. */
  target: string | undefined;
  enabled: boolean;
  /** Waits before each retry; its length is the number of retries. */
  retryDelaysMs: number[];
}

const DELIVERY_TIMEOUT_MS = 5_000; // Shopify's limit for the whole request

export class WebhookSender {
  readonly deliveries: WebhookDelivery[] = [];
  private readonly pending = new Set<Promise<WebhookDelivery>>();
  private readonly aborts = new Set<AbortController>();
  private stopped = false;

  constructor(readonly settings: WebhookSenderSettings) {}

  /** Queues a delivery; the returned promise settles when it is delivered or given up. */
  send(input: { shop: string; topic: string; body: string; signWith?: string; retry?: boolean }): Promise<WebhookDelivery> {
    const delivery: WebhookDelivery = {
      webhookId: randomUUID(),
      eventId: randomUUID(),
      topic: input.topic,
      shop: input.shop,
      body: input.body,
      triggeredAt: new Date().toISOString(),
      attempts: 0,
      status: null,
      outcome: 'pending',
    };
    this.deliveries.push(delivery);
    const target = this.settings.target;
    if (!this.settings.enabled || !target) {
      delivery.outcome = 'dropped';
      return Promise.resolve(delivery);
    }
    const retries = input.retry === false ? [] : this.settings.retryDelaysMs;
    const run = this.deliver(delivery, `${target.replace(/\/$/, '')}/webhooks`, input.signWith ?? this.settings.apiSecret, retries);
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
    return run;
  }

  /** Resolves once every queued delivery has finished (including retries). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  stop(): void {
    this.stopped = true;
    for (const controller of this.aborts) controller.abort();
  }

  private async deliver(delivery: WebhookDelivery, url: string, secret: string, retryDelaysMs: number[]): Promise<WebhookDelivery> {
    // Retries carry the same body, webhook id and triggered-at, as Shopify's do.
    const headers = {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': delivery.topic,
      'X-Shopify-Hmac-Sha256': signWebhook(delivery.body, secret),
      'X-Shopify-Shop-Domain': delivery.shop,
      'X-Shopify-API-Version': this.settings.apiVersion,
      'X-Shopify-Webhook-Id': delivery.webhookId,
      'X-Shopify-Triggered-At': delivery.triggeredAt,
      'X-Shopify-Event-Id': delivery.eventId,
    };
    for (let attempt = 0; attempt <= retryDelaysMs.length && !this.stopped; attempt++) {
      if (attempt > 0) await sleep(retryDelaysMs[attempt - 1] ?? 0);
      if (this.stopped) break;
      delivery.attempts += 1;
      delivery.status = await this.post(url, headers, delivery.body);
      if (delivery.status !== null && delivery.status >= 200 && delivery.status < 300) {
        delivery.outcome = 'delivered';
        return delivery;
      }
    }
    delivery.outcome = 'failed';
    return delivery;
  }

  private async post(url: string, headers: Record<string, string>, body: string): Promise<number | null> {
    const controller = new AbortController();
    this.aborts.add(controller);
    const timer = setTimeout(() => controller.abort(), DELIVERY_TIMEOUT_MS);
    try {
      const response = await fetch(url, { method: 'POST', headers, body, signal: controller.signal });
      await response.arrayBuffer(); // drain, so keep-alive sockets are reusable
      return response.status;
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
      this.aborts.delete(controller);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
