// The only place that reads process.env. Parsed once at start-up; every bad
// variable is reported by name in one message.
import path from 'node:path';
import { z } from 'zod';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const envSchema = z
  .object({
    SHOPIFY_API_KEY: optionalString.describe('Client ID of the Shopify app'),
    SHOPIFY_API_SECRET: optionalString.describe('Client secret of the Shopify app (signs webhooks and session tokens)'),
    SHOPIFY_APP_URL: z.url().optional().describe('Public HTTPS URL of this app'),
    SCOPES: z.string().default('read_customers,write_customers,write_app_proxy'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().trim().min(1).default('0.0.0.0').describe('Interface to listen on (127.0.0.1: this machine only)'),
    DATABASE_URL: z
      .string()
      .default('file:./data/app.db')
      .refine((v) => v.startsWith('file:') || /^postgres(ql)?:\/\//.test(v), 'must start with file: (SQLite) or postgresql:// (PostgreSQL)'),
    EDRONE_API_URL: z.url().default('https://api.edrone.me'),
    SHOPIFY_ADMIN_ORIGIN: z.url().optional().describe('Development and tests only: send Admin API and token calls here'),
    SHOPIFY_API_VERSION: z.string().regex(/^\d{4}-\d{2}$/, 'must look like 2026-10').default('2026-10'),
    ENCRYPTION_KEY: z
      .string()
      .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes in base64 (openssl rand -base64 32)')
      .optional(),
    WORKER: z.enum(['inline', 'off']).default('inline'),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    WORKER_LEASE_MS: z.coerce.number().int().min(1000).default(60_000),
    WORKER_POLL_MS: z.coerce.number().int().min(10).default(500).describe('How often an idle worker looks for due jobs (on PostgreSQL, new jobs also wake it at once)'),
    BACKFILL_POLL_MS: z.coerce.number().int().min(10).default(3_000).describe('How often a running bulk export is polled'),
    BACKFILL_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8).describe('Customers of one backfill processed at once'),
    JOB_SLICE_MS: z.coerce.number().int().min(100).default(15_000).describe('Longest stretch a backfill or reconcile job runs before it yields'),
    RECONCILE_SCHEDULER_MS: z.coerce.number().int().min(100).default(60_000).describe('How often the worker looks for shops due a reconciliation'),
    RECONCILE_RUN_WAIT_MS: z.coerce.number().int().min(0).max(25_000).default(10_000).describe('How long POST /api/reconcile/run waits for the run to finish'),
    CONSENT_HISTORY_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(1826).describe('How long each customer’s consent history is kept (proof)'),
    ACTIVITY_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(90).describe('How long the Activity log is kept'),
    RETENTION_PRUNE_MS: z.coerce.number().int().min(1000).default(3_600_000).describe('How often old history and activity rows are deleted'),
    EDRONE_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    SHOPIFY_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
    TRUST_PROXY: z
      .string()
      .trim()
      .default('false')
      .describe('Behind a reverse proxy: true, a hop count, or the proxy addresses (express "trust proxy"); default false'),
    REJECTED_PER_MINUTE_PER_CLIENT: z.coerce.number().int().min(1).default(300).describe('Rejected requests (4xx) one client address may make per minute before 429'),
    REJECTED_PER_MINUTE_PER_SYNC_URL: z.coerce.number().int().min(1).default(120).describe('Rejected requests one edrone sync URL may receive per minute before 429'),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(15_000).describe('On SIGTERM: how long in-flight requests and jobs may take before the process exits'),
    STOREFRONT_SHOP_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(6_000).describe('Storefront checks answered per shop per minute (app proxy)'),
    STOREFRONT_CLIENT_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(60).describe('Storefront checks answered per visitor IP per shop per minute'),
    STOREFRONT_CACHE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(60).describe('How long edrone’s answer for one visitor cookie is reused'),
    WEBHOOK_TOPICS_VIA_API: z.string().default('').describe('Topics the app registers through the Admin API instead of shopify.app.toml (comma-separated)'),
    WEBHOOK_QUIET_HOURS: z.coerce.number().int().min(1).max(720).default(24).describe('Hours without a delivery before a topic shows as quiet'),
    SANDBOX_FILE: optionalString.describe('Development: where the running sandbox describes itself for `npm run sync` (default data/sandbox.json)'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.SHOPIFY_API_KEY) !== Boolean(env.SHOPIFY_API_SECRET)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.SHOPIFY_API_KEY ? 'SHOPIFY_API_SECRET' : 'SHOPIFY_API_KEY'],
        message: 'set both SHOPIFY_API_KEY and SHOPIFY_API_SECRET, or neither for the local sandbox',
      });
    }
    if (env.SHOPIFY_API_KEY && !env.SHOPIFY_APP_URL) {
      ctx.addIssue({ code: 'custom', path: ['SHOPIFY_APP_URL'], message: 'required with Shopify credentials' });
    }
  });

export type Env = z.infer<typeof envSchema>;

export interface AppConfig {
  shopify: {
    apiKey: string;
    apiSecret: string;
    appUrl: string;
    scopes: string[];
    apiVersion: string;
    adminOrigin?: string;
  };
  port: number;
  /** Interface the HTTP server listens on (default 0.0.0.0, every interface). */
  host: string;
  databaseUrl: string;
  edroneApiUrl: string;
  encryptionKey?: string;
  worker: { inline: boolean; concurrency: number; leaseMs: number; pollMs?: number };
  /** Initial sync: bulk export polling, customers processed at once, and how long one job slice may run. */
  backfill: { pollMs: number; concurrency: number; sliceMs: number };
  /** Reconciliation: how often the scheduler looks for shops that are due. */
  reconcile: { schedulerMs: number; runWaitMs: number };
  /** Retention: days each record is kept, and how often the pruning pass runs. */
  retention: { historyDays: number; activityDays: number; intervalMs: number };
  /** How long one call to each service may take before it counts as failed (and is retried). */
  timeouts: { edroneMs: number; shopifyMs: number };
  /** The storefront check (app proxy): limits per shop and per client, and edrone's answer cache. */
  storefront: { shopPerMinute: number; clientPerMinute: number; cacheTtlMs: number };
  logLevel: Env['LOG_LEVEL'];
  /** express "trust proxy": false (default: the socket address is the client), true, a hop count, or addresses. */
  trustProxy: boolean | number | string;
  /** On SIGTERM, how long in-flight requests and jobs may take (ms). */
  shutdownGraceMs: number;
  /** Abuse limits on rejected requests (4xx), per minute. */
  limits: { rejectedPerClient: number; rejectedPerSyncUrl: number };
  /** Webhook health: topics registered through the Admin API (not the toml), and when a topic counts as quiet. */
  webhooks: { viaApi: string[]; quietAfterHours: number };
  /** True when no Shopify credentials were given: `npm start` runs the local sandbox. */
  sandbox: boolean;
  /** Absolute path of the file the running sandbox describes itself in (app/sandbox-file.ts). */
  sandboxFile: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** TRUST_PROXY as express reads it: a boolean, a hop count, or a list of addresses/subnets. */
function trustProxyOf(raw: string): boolean | number | string {
  const v = raw.toLowerCase();
  if (v === '' || v === 'false' || v === 'off' || v === 'no') return false;
  if (v === 'true' || v === 'on' || v === 'yes') return true;
  return /^\d+$/.test(v) ? Number(v) : raw;
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`));
  }
  const e = parsed.data;
  const sandbox = !e.SHOPIFY_API_KEY;
  return {
    shopify: {
      apiKey: e.SHOPIFY_API_KEY ?? 'sandbox-api-key',
      apiSecret: e.SHOPIFY_API_SECRET ?? 'sandbox-api-secret',
      appUrl: e.SHOPIFY_APP_URL ?? `http://localhost:${e.PORT}`,
      scopes: e.SCOPES.split(',').map((s) => s.trim()).filter(Boolean),
      apiVersion: e.SHOPIFY_API_VERSION,
      adminOrigin: e.SHOPIFY_ADMIN_ORIGIN,
    },
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    edroneApiUrl: e.EDRONE_API_URL.replace(/\/$/, ''),
    encryptionKey: e.ENCRYPTION_KEY,
    worker: { inline: e.WORKER === 'inline', concurrency: e.WORKER_CONCURRENCY, leaseMs: e.WORKER_LEASE_MS, pollMs: e.WORKER_POLL_MS },
    backfill: { pollMs: e.BACKFILL_POLL_MS, concurrency: e.BACKFILL_CONCURRENCY, sliceMs: e.JOB_SLICE_MS },
    reconcile: { schedulerMs: e.RECONCILE_SCHEDULER_MS, runWaitMs: e.RECONCILE_RUN_WAIT_MS },
    retention: { historyDays: e.CONSENT_HISTORY_RETENTION_DAYS, activityDays: e.ACTIVITY_RETENTION_DAYS, intervalMs: e.RETENTION_PRUNE_MS },
    timeouts: { edroneMs: e.EDRONE_TIMEOUT_MS, shopifyMs: e.SHOPIFY_TIMEOUT_MS },
    storefront: {
      shopPerMinute: e.STOREFRONT_SHOP_LIMIT_PER_MINUTE,
      clientPerMinute: e.STOREFRONT_CLIENT_LIMIT_PER_MINUTE,
      cacheTtlMs: e.STOREFRONT_CACHE_SECONDS * 1000,
    },
    logLevel: e.LOG_LEVEL,
    trustProxy: trustProxyOf(e.TRUST_PROXY),
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    limits: { rejectedPerClient: e.REJECTED_PER_MINUTE_PER_CLIENT, rejectedPerSyncUrl: e.REJECTED_PER_MINUTE_PER_SYNC_URL },
    webhooks: {
      viaApi: e.WEBHOOK_TOPICS_VIA_API.split(',').map((s) => s.trim()).filter(Boolean),
      quietAfterHours: e.WEBHOOK_QUIET_HOURS,
    },
    sandbox,
    sandboxFile: path.resolve(e.SANDBOX_FILE ?? 'data/sandbox.json'),
  };
}

/** The database as a person may read it: the SQLite file's full path, or PostgreSQL host/database (never a password). */
export function describeDatabase(databaseUrl: string, cwd = process.cwd()): string {
  if (databaseUrl.startsWith('file:')) {
    const file = databaseUrl.slice('file:'.length);
    return `SQLite ${file === ':memory:' ? 'in memory' : path.resolve(cwd, file)}`;
  }
  try {
    const u = new URL(databaseUrl);
    return `PostgreSQL ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'PostgreSQL (DATABASE_URL is not a URL)';
  }
}

/** What a process talks to: its database and the Shopify and edrone endpoints, for a start-up line. */
export function describeEndpoints(config: AppConfig): { database: string; shopify: string; edrone: string } {
  return {
    database: describeDatabase(config.databaseUrl),
    shopify: config.shopify.adminOrigin
      ? `${config.shopify.adminOrigin} (SHOPIFY_ADMIN_ORIGIN, not the real Shopify)`
      : "https://<shop>.myshopify.com (each shop's Admin API)",
    edrone: config.edroneApiUrl,
  };
}
