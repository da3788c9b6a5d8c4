// The fake Shopify as its own process, for end-to-end tests that run the app as
// a real child process. Environment:
//   PORT                    port to listen on (0 or unset: any free port)
//   FAKE_SHOPIFY_API_KEY    client ID the app uses (SHOPIFY_API_KEY of the app)
//   FAKE_SHOPIFY_API_SECRET client secret (signs webhooks and session tokens)
//   WEBHOOK_TARGET          the app's base URL; webhooks go to `${WEBHOOK_TARGET}/webhooks`
//                           (can also be set later: PATCH /_fake/settings {webhookTarget})
// Prints one JSON line `{"url": "..."}` on stdout once listening (on 127.0.0.1);
// the control API is under /_fake/*. Stops on SIGTERM or SIGINT.
import { startFakeShopify } from './fake-shopify.js';
import { portFrom, runStandalone } from './run-standalone.js';

function urlFrom(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return new URL(raw.trim()).toString().replace(/\/$/, '');
  } catch {
    throw new Error(`WEBHOOK_TARGET must be a URL, got ${JSON.stringify(raw)}`);
  }
}

await runStandalone(() =>
  startFakeShopify({
    apiKey: process.env.FAKE_SHOPIFY_API_KEY || 'sandbox-api-key',
    apiSecret: process.env.FAKE_SHOPIFY_API_SECRET || 'sandbox-api-secret',
    port: portFrom(process.env.PORT),
    webhookTarget: urlFrom(process.env.WEBHOOK_TARGET),
  }),
);
