// `npm run sync -- backfill|reconcile|status --shop X`: the command's main()
// against the harness's database and stand-ins (in this process, output
// captured), and the real exit code of a usage error in a child process.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main, parseArgs } from '../../app/cli/sync.js';
import { API_KEY, API_SECRET, startHarness, type Harness } from '../helpers/harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let h: Harness;

/** Runs main() with the app's environment pointed at the harness; returns the exit code and stdout lines. */
async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await main(argv);
    return { code, out: out.join('\n').split('\n'), err };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

beforeAll(async () => {
  h = await startHarness({ env: { BACKFILL_POLL_MS: '30' } });
  h.shopify.control.bulkOperationDelayMs = 50;
  Object.assign(process.env, {
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: h.config.shopify.appUrl,
    DATABASE_URL: h.config.databaseUrl,
    EDRONE_API_URL: h.edrone.url,
    SHOPIFY_ADMIN_ORIGIN: h.shopify.url,
    BACKFILL_POLL_MS: '30',
    LOG_LEVEL: 'silent',
  });
});
afterAll(async () => h?.close());

describe('npm run sync', () => {
  it('parses its arguments', () => {
    expect(parseArgs(['backfill', '--shop', 'A-Store.myshopify.com'])).toEqual({ command: 'backfill', shop: 'a-store.myshopify.com' });
    expect(parseArgs(['status', '--shop=x.myshopify.com'])).toEqual({ command: 'status', shop: 'x.myshopify.com' });
    expect(parseArgs(['--help'])).toBe('help');
    for (const bad of [[], ['nope', '--shop', 'x.myshopify.com'], ['status'], ['status', '--shop', 'example.com'], ['status', '--shop', 'x.myshopify.com', '--what']]) {
      expect(() => parseArgs(bad), JSON.stringify(bad)).toThrow();
    }
  });

  it('exits 2 on a usage error (real process)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'app/cli/sync.ts', 'frobnicate'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage: npm run sync');
  }, 70_000);

  it('exits 1 for a shop the app is not installed in', async () => {
    const r = await run('status', '--shop', 'unknown-shop.myshopify.com');
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toContain('Unknown shop');
  });

  it('backfill runs the initial sync in this process and prints progress', async () => {
    h.shopify.control.seedCustomers(h.shop, 300, { emailStates: { subscribed: 1, not_subscribed: 2 }, consentUpdatedAt: '2026-03-01T10:00:00Z' });
    const r = await run('backfill', '--shop', h.shop);
    expect(r.code).toBe(0);
    expect(r.out.some((l) => /backfill (running|completed) phase=\w+ read=\d+/.test(l))).toBe(true);
    const summary = r.out.find((l) => l.includes('initial sync completed'));
    expect(summary).toMatch(/read 300, sent \d+, skipped \d+, failed 0; peak RSS \d+ MB/);
    const sent = Number(/sent (\d+)/.exec(summary!)![1]);
    expect(sent).toBe(h.edrone.traces.length);
    expect(sent).toBeGreaterThan(50);
  }, 120_000);

  it('reconcile runs one reconciliation now', async () => {
    h.shopify.control.deliverWebhooks = false;
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'cli-reconcile@example.com' });
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'subscribed' });
    const r = await run('reconcile', '--shop', h.shop);
    expect(r.code).toBe(0);
    expect(r.out.find((l) => l.includes('reconciliation completed'))).toMatch(/checked \d+, repaired 1, failed 0/);
    expect(h.edrone.traces.at(-1)?.fields).toMatchObject({ email: 'cli-reconcile@example.com', subscriber_status: '1' });
  }, 60_000);

  it('status prints settings, the last runs and job counts', async () => {
    const r = await run('status', '--shop', h.shop);
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    expect(text).toContain(`shop            ${h.shop}`);
    expect(text).toMatch(/sync {12}direction both, edrone statuses all, email on, SMS on/);
    expect(text).toMatch(/initial sync {4}completed \(done\).*read 300\/300/);
    expect(text).toMatch(/last reconcile {2}completed .*repaired 1/);
    expect(text).toMatch(/jobs {12}queued \d+.*, running \d+, dead 0/);
  });
});
