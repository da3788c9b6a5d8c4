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

function portFrom(raw: string | undefined): number {
  const port = Number(raw === undefined || raw.trim() === '' ? 0 : raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be an integer 0-65535, got ${JSON.stringify(raw)}`);
  return port;
}

function urlFrom(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return new URL(raw.trim()).toString().replace(/\/$/, '');
  } catch {
    throw new Error(`WEBHOOK_TARGET must be a URL, got ${JSON.stringify(raw)}`);
  }
}

try {
  const fake = await startFakeShopify({
    apiKey: process.env.FAKE_SHOPIFY_API_KEY || 'sandbox-api-key',
    apiSecret: process.env.FAKE_SHOPIFY_API_SECRET || 'sandbox-api-secret',
    port: portFrom(process.env.PORT),
    webhookTarget: urlFrom(process.env.WEBHOOK_TARGET),
  });
  process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    fake.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
