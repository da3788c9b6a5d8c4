// The app on loopback with both stand-ins: fake Shopify (token exchange, Admin
// GraphQL, signed webhooks back to the app) and fake edrone (trace API, signed
// NATIVE_5 requests). The worker is driven by the test through settle().
import request from 'supertest';
import { loadConfig, type AppConfig } from '../../app/config.js';
import { startServer, type RunningServer } from '../../app/server.js';
import { startFakeShopify, type FakeShopify, type FakeShopifyOptions } from '../../app/sandbox/fake-shopify.js';
import { startFakeEdrone, type FakeEdrone } from '../../app/sandbox/fake-edrone.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const API_KEY = 'test-api-key';
export const API_SECRET = 'test-api-secret';
export const SHOP = 'demo-store.myshopify.com';
export const EDRONE_APP_ID = 'edroneapp123';
export const EDRONE_SECRET = 'edrone-secret-xyz';

/** A valid PUT /api/settings body without the secret (the stored one is kept): both ways, everything on. */
export const VALID_SETTINGS = {
  edroneAppId: EDRONE_APP_ID,
  direction: 'both',
  edroneStatuses: 'all',
  channels: { email: true, sms: true },
  createMissingCustomers: false,
} as const;

export interface Harness {
  server: RunningServer;
  config: AppConfig;
  shopify: FakeShopify;
  edrone: FakeEdrone;
  db: TestDatabase;
  shop: string;
  syncUrl: string;
  /** A fresh App Bridge session token for the shop. */
  token(shop?: string): Promise<string>;
  /** supertest agent on the app. */
  http(): ReturnType<typeof request>;
  /** Runs jobs and lets webhooks and echoes flow until everything is quiet. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    settings?: Record<string, unknown>;
    env?: Record<string, string>;
    configure?: boolean;
    /** e.g. { consentFields: 'current' }: a fake Shopify answering only the 2026-10 fields. */
    shopify?: Partial<FakeShopifyOptions>;
  } = {},
): Promise<Harness> {
  const edrone = await startFakeEdrone();
  const shopify = await startFakeShopify({ apiKey: API_KEY, apiSecret: API_SECRET, webhookRetryDelaysMs: [20, 50], ...options.shopify });
  const db = await createTestDatabase();
  const config = loadConfig({
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: 'https://consent-sync.example.com',
    PORT: '0',
    DATABASE_URL: db.url,
    EDRONE_API_URL: edrone.url,
    SHOPIFY_ADMIN_ORIGIN: shopify.url,
    WORKER: 'off',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const server = await startServer(config, { host: '127.0.0.1' });
  shopify.control.webhookTarget = server.url;

  const token = (shop = SHOP) => shopify.control.sessionToken(shop);
  const http = () => request(server.url);
  let syncUrl = '';
  if (options.configure !== false) {
    const res = await http()
      .put('/api/settings')
      .set('Authorization', `Bearer ${await token()}`)
      .send({
        edroneAppId: EDRONE_APP_ID,
        edroneAppSecret: EDRONE_SECRET,
        direction: 'both',
        edroneStatuses: 'all',
        channels: { email: true, sms: true },
        createMissingCustomers: false,
        ...options.settings,
      });
    if (res.status !== 200) throw new Error(`configuring the test shop failed: ${res.status} ${JSON.stringify(res.body)}`);
    syncUrl = res.body.syncUrl.replace(config.shopify.appUrl, server.url);
    edrone.control.registerApp(EDRONE_APP_ID, EDRONE_SECRET);
    edrone.control.setSyncUrl(EDRONE_APP_ID, syncUrl);
  }

  async function settle(): Promise<void> {
    for (let round = 0; round < 50; round++) {
      await server.ctx.worker.drain();
      await shopify.control.webhooksIdle();
      await edrone.control.settled();
      const now = new Date();
      const due = await server.ctx.db.prisma.job.count({
        where: { OR: [{ status: 'queued', runAt: { lte: now } }, { status: 'running', leaseUntil: { lt: now } }] },
      });
      if (due === 0) return;
    }
    throw new Error('the system did not settle');
  }

  return {
    server,
    config,
    shopify,
    edrone,
    db,
    shop: SHOP,
    syncUrl,
    token,
    http,
    settle,
    async close() {
      await server.close();
      await Promise.all([shopify.close(), edrone.close()]);
      await db.drop();
    },
  };
}
