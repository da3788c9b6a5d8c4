// The webhook route hands Shopify's library only the Shopify headers of a
// delivery. The library must then decide exactly as it does on the whole request:
// the same valid deliveries, the same refusals with the same reasons.
import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createShopifyApi, shopifyWebhookHeaders, validateWebhook } from '../../app/adapters/index.js';

const SECRET = 'webhook-validation-secret';
const shopify = createShopifyApi({ apiKey: 'key', apiSecret: SECRET, appUrl: 'https://app.example.test', scopes: ['read_customers'], apiVersion: '2026-10' });
const body = JSON.stringify({ customer_id: 7, email_address: 'ada@example.com', email_marketing_consent: { state: 'subscribed' } });
const sign = (b: string, secret = SECRET) => createHmac('sha256', secret).update(b).digest('base64');
const res = {} as ServerResponse;

/** A delivery as Node hands it over: lower-case names, Shopify's headers among a proxy's and the client's. */
function delivery(shopifyHeaders: IncomingHttpHeaders): IncomingHttpHeaders {
  return {
    host: 'consent-sync.example.com',
    'user-agent': 'Shopify-Captain-Hook',
    'content-type': 'application/json',
    'content-length': String(body.length),
    'x-forwarded-for': '203.0.113.9',
    'x-request-id': 'abc',
    accept: '*/*',
    ...shopifyHeaders,
  };
}

const webhookHeaders = {
  'x-shopify-hmac-sha256': sign(body),
  'x-shopify-topic': 'customers_email_marketing_consent/update',
  'x-shopify-shop-domain': 'store.myshopify.com',
  'x-shopify-api-version': '2026-10',
  'x-shopify-webhook-id': 'webhook-1',
  'x-shopify-triggered-at': '2026-11-27T10:00:00Z',
  'x-shopify-event-id': 'event-1',
};
const { 'x-shopify-webhook-id': _dropped, ...withoutWebhookId } = webhookHeaders;

const cases: { name: string; headers: IncomingHttpHeaders; rawBody?: string }[] = [
  { name: 'a correctly signed delivery', headers: webhookHeaders },
  { name: 'a delivery signed with another secret', headers: { ...webhookHeaders, 'x-shopify-hmac-sha256': sign(body, 'other') } },
  { name: 'a body changed after signing', headers: webhookHeaders, rawBody: body.replace('7', '8') },
  { name: 'no HMAC header', headers: { ...webhookHeaders, 'x-shopify-hmac-sha256': undefined } },
  { name: 'no webhook id', headers: withoutWebhookId },
  { name: 'an HMAC in a header that is not Shopify\'s', headers: { ...withoutWebhookId, 'x-shopify-hmac-sha256': undefined, 'x-hmac-sha256': sign(body) } },
  {
    name: 'an events delivery (Shopify-* headers)',
    headers: {
      'shopify-hmac-sha256': sign(body),
      'shopify-topic': 'customers_email_marketing_consent/update',
      'shopify-shop-domain': 'store.myshopify.com',
      'shopify-api-version': '2026-10',
      'shopify-webhook-id': 'webhook-2',
      'shopify-handle': 'consent',
      'shopify-action': 'update',
      'shopify-triggered-at': '2026-11-27T10:00:00Z',
    },
  },
];

describe('validateWebhook: the library on the Shopify headers only', () => {
  it('keeps every X-Shopify-* and Shopify-* header and drops the rest', () => {
    expect(Object.keys(shopifyWebhookHeaders(delivery(webhookHeaders))).sort()).toEqual(Object.keys(webhookHeaders).sort());
  });

  for (const c of cases) {
    it(`decides ${c.name} as the library does on the whole request`, async () => {
      const headers = Object.fromEntries(Object.entries(delivery(c.headers)).filter(([, v]) => v !== undefined));
      const rawBody = c.rawBody ?? body;
      const whole = await shopify.webhooks.validate({ rawBody, rawRequest: { headers, method: 'POST', url: '/webhooks' }, rawResponse: res });
      const picked = await validateWebhook(shopify, rawBody, { headers, method: 'POST', url: '/webhooks' }, res);
      expect(picked).toEqual(whole);
    });
  }

  it('accepts the correctly signed delivery and refuses the altered one', async () => {
    const headers = delivery(webhookHeaders);
    expect((await validateWebhook(shopify, body, { headers, method: 'POST', url: '/webhooks' }, res)).valid).toBe(true);
    expect(await validateWebhook(shopify, `${body} `, { headers, method: 'POST', url: '/webhooks' }, res)).toMatchObject({ valid: false, reason: 'invalid_hmac' });
  });
});
