// `npm start` without Shopify credentials: the app with a simulated store and
// a simulated edrone, a demo shop installed and configured, so both flows can
// be tried locally without any account.
import { rmSync } from 'node:fs';
import { loadConfig, type AppConfig } from '../config.js';
import { startServer, type RunningServer } from '../server.js';
import { startFakeShopify, type FakeShopify } from './fake-shopify.js';
import { startFakeEdrone, type FakeEdrone } from './fake-edrone.js';

import { SANDBOX_EDRONE_APP_ID, SANDBOX_SHOP } from './sandbox-shop.js';

export { SANDBOX_EDRONE_APP_ID, SANDBOX_SHOP };
const SANDBOX_EDRONE_SECRET = 'sandbox-app-secret';
const SANDBOX_VISITOR_COOKIE = 'fp-anna-demo';

export interface Sandbox {
  app: RunningServer;
  shopify: FakeShopify;
  edrone: FakeEdrone;
  close(): Promise<void>;
}

export async function startSandbox(base: AppConfig, env: Record<string, string | undefined> = process.env): Promise<Sandbox> {
  const edrone = await startFakeEdrone({ port: base.port === 0 ? 0 : base.port + 2 });
  // Like edrone, report every status change, the ones the app's traces cause included.
  edrone.control.echoTraces = true;
  const shopify = await startFakeShopify({
    apiKey: base.shopify.apiKey,
    apiSecret: base.shopify.apiSecret,
    port: base.port === 0 ? 0 : base.port + 1,
  });
  if (!env.DATABASE_URL) {
    // The simulated store lives in memory, so the sandbox database starts fresh with it.
    for (const suffix of ['', '-wal', '-shm']) rmSync(`./data/sandbox.db${suffix}`, { force: true });
  }
  const config = loadConfig({
    ...env,
    SHOPIFY_ADMIN_ORIGIN: shopify.url,
    EDRONE_API_URL: edrone.url,
    DATABASE_URL: env.DATABASE_URL ?? 'file:./data/sandbox.db',
  });
  const sandboxConfig: AppConfig = { ...config, sandbox: true };
  const app = await startServer(sandboxConfig, { sandboxSessionToken: () => shopify.control.sessionToken(SANDBOX_SHOP) });
  shopify.control.webhookTarget = app.url;

  // Install the demo shop exactly as the admin would: a session token, then token exchange.
  const token = await shopify.control.sessionToken(SANDBOX_SHOP);
  const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const current = (await (await fetch(`${app.url}/api/settings`, { headers: auth })).json()) as { edroneAppId: string; syncUrl: string };
  let syncUrl = current.syncUrl;
  if (!current.edroneAppId) {
    const saved = await fetch(`${app.url}/api/settings`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({
        edroneAppId: SANDBOX_EDRONE_APP_ID,
        edroneAppSecret: SANDBOX_EDRONE_SECRET,
        direction: 'both',
        edroneStatuses: 'all',
        channels: { email: true, sms: true },
        createMissingCustomers: false,
      }),
    });
    syncUrl = ((await saved.json()) as { syncUrl: string }).syncUrl;
  }
  edrone.control.registerApp(SANDBOX_EDRONE_APP_ID, SANDBOX_EDRONE_SECRET);
  edrone.control.setSyncUrl(SANDBOX_EDRONE_APP_ID, syncUrl.replace(sandboxConfig.shopify.appUrl, app.url));
  shopify.control.createCustomer({ shop: SANDBOX_SHOP, email: 'anna@example.com', phone: '+48500100200', emailState: 'subscribed', smsState: 'subscribed' });
  shopify.control.createCustomer({ shop: SANDBOX_SHOP, email: 'ben@example.com', emailState: 'not_subscribed' });
  // A storefront visitor whose edrone cookie (fp_ccid) belongs to Anna, subscribed in edrone.
  edrone.control.setVisitor(SANDBOX_EDRONE_APP_ID, SANDBOX_VISITOR_COOKIE, 'anna@example.com');
  edrone.control.setStatus(SANDBOX_EDRONE_APP_ID, 'email', 'anna@example.com', '1');

  return {
    app,
    shopify,
    edrone,
    async close() {
      await app.close();
      await Promise.all([shopify.close(), edrone.close()]);
    },
  };
}

export function sandboxInstructions(s: Sandbox): string {
  const customers = s.shopify.control.listCustomers(SANDBOX_SHOP);
  const anna = customers.find((c) => c.email === 'anna@example.com');
  return [
    '',
    'Sandbox mode: no SHOPIFY_API_KEY/SHOPIFY_API_SECRET given, so the app runs with a simulated',
    'Shopify store and a simulated edrone on this machine. Nothing leaves it.',
    '',
    `  Admin UI           ${s.app.url.replace('127.0.0.1', 'localhost')}/?shop=${SANDBOX_SHOP}`,
    `  Simulated Shopify  ${s.shopify.url}   (demo shop ${SANDBOX_SHOP})`,
    `  Simulated edrone   ${s.edrone.url}   (App ID ${SANDBOX_EDRONE_APP_ID})`,
    '',
    'Try it:',
    '  1) A customer unsubscribes from email in Shopify -> edrone receives subscriber_status=0:',
    `     curl -s -X POST '${s.shopify.url}/_fake/customers/${anna?.id ?? 'ID'}/consent' -H 'Content-Type: application/json' \\`,
    `          -d '{"shop":"${SANDBOX_SHOP}","channel":"email","state":"unsubscribed"}'`,
    `     curl -s '${s.edrone.url}/_fake/traces'`,
    '  2) edrone reports an SMS unsubscribe -> Shopify gets UNSUBSCRIBED:',
    `     curl -s -X POST '${s.edrone.url}/_fake/sync' -H 'Content-Type: application/json' \\`,
    `          -d '{"appId":"${SANDBOX_EDRONE_APP_ID}","channel":"sms","phone":"+48500100200","status":"0"}'`,
    `     curl -s '${s.shopify.url}/_fake/customers?shop=${SANDBOX_SHOP}'`,
    '  3) Open the Admin UI: Activity lists both changes.',
    `     From a terminal (finds this sandbox through ${s.app.ctx.config.sandboxFile.replace(process.cwd() + '/', '')}):`,
    `     npm run sync -- status --shop ${SANDBOX_SHOP}`,
    '  4) Storefront check (app proxy): is the visitor with edrone cookie fp_ccid=' + SANDBOX_VISITOR_COOKIE + ' subscribed?',
    '     Through the simulated store, which signs and forwards like Shopify:',
    `     curl -s '${s.shopify.url}/apps/edrone/subscription-status?shop=${SANDBOX_SHOP}&fpcid=${SANDBOX_VISITOR_COOKIE}'`,
    '     Straight to the app, signed here with the sandbox app secret (Shopify\'s app-proxy signature):',
    ...signedCurl(s.app.url, s.app.ctx.config.shopify.apiSecret),
    `     Logged in as Anna:  curl -s -H 'Cookie: fake_customer_id=${anna?.id ?? 'ID'}' '${s.shopify.url}/apps/edrone/subscription-status?shop=${SANDBOX_SHOP}'`,
    '',
  ].join('\n');
}

/** A shell command that signs the query at run time (the signature is valid for 90 s) and asks the app. */
function signedCurl(appUrl: string, apiSecret: string): string[] {
  const fixed = `fpcid=${SANDBOX_VISITOR_COOKIE}logged_in_customer_id=path_prefix=/apps/edroneshop=${SANDBOX_SHOP}`;
  return [
    `     ts=$(date +%s); sig=$(printf '%s' "${fixed}timestamp=$ts" | openssl dgst -sha256 -hmac '${apiSecret}' | sed 's/^.* //')`,
    `     curl -s "${appUrl}/proxy/subscription-status?fpcid=${SANDBOX_VISITOR_COOKIE}&logged_in_customer_id=&path_prefix=%2Fapps%2Fedrone&shop=${SANDBOX_SHOP}&timestamp=$ts&signature=$sig"`,
  ];
}
