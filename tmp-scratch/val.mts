import '@shopify/shopify-api/adapters/node';
import { shopifyApi, ApiVersion } from '@shopify/shopify-api';
import { createHmac } from 'node:crypto';
const shopify = shopifyApi({ apiKey: 'k', apiSecretKey: 'secret', scopes: [], hostName: 'x.example.com', apiVersion: ApiVersion.October25, isEmbeddedApp: true, logger: { level: 0 } as any });
const body = JSON.stringify({ customer_id: 1, email_address: 'a@example.com', email_marketing_consent: { state: 'subscribed' } });
const hmac = createHmac('sha256', 'secret').update(body).digest('base64');
const shopifyHeaders = { 'x-shopify-hmac-sha256': hmac, 'x-shopify-topic': 'customers_email_marketing_consent/update', 'x-shopify-shop-domain': 's.myshopify.com', 'x-shopify-api-version': '2025-10', 'x-shopify-webhook-id': 'w1', 'x-shopify-triggered-at': '2026-01-01T00:00:00Z', 'x-shopify-event-id': 'e1' };
const full = { host: '127.0.0.1:3000', 'user-agent': 'Shopify-Captain-Hook', 'content-type': 'application/json', 'content-length': String(body.length), accept: '*/*', 'accept-encoding': 'gzip', connection: 'keep-alive', 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https', ...shopifyHeaders };
async function bench(name: string, headers: Record<string, string>) {
  const req = { headers, method: 'POST', url: '/webhooks' };
  for (let i = 0; i < 2000; i++) await shopify.webhooks.validate({ rawBody: body, rawRequest: req as any, rawResponse: {} as any });
  const n = 20000; const t = process.cpuUsage();
  for (let i = 0; i < n; i++) { const r = await shopify.webhooks.validate({ rawBody: body, rawRequest: { ...req, headers: { ...headers } } as any, rawResponse: {} as any }); if (!r.valid) throw new Error('invalid'); }
  const u = process.cpuUsage(t); console.log(name, ((u.user + u.system) / n / 1000).toFixed(3), 'ms CPU/call');
}
await bench('full headers', full);
await bench('shopify headers only', shopifyHeaders);
const h = () => { const n = 20000; const t = process.cpuUsage(); for (let i = 0; i < n; i++) createHmac('sha256', 'secret').update(body).digest('base64'); const u = process.cpuUsage(t); console.log('node createHmac', ((u.user + u.system) / n / 1000).toFixed(3)); }; h();
