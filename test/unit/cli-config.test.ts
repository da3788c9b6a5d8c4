// What `npm run sync` and `npm run worker` say they use (never a password), and how the command
// picks the running sandbox's database and stand-ins from the sandbox's file (app/cli/cli-config.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliSetupError, cliSetup } from '../../app/cli/cli-config.js';
import { describeDatabase } from '../../app/config.js';
import { readSandboxFile, removeSandboxFile, writeSandboxFile, type SandboxInfo } from '../../app/sandbox-file.js';

describe('describeDatabase', () => {
  it('SQLite: the full path of the file', () => {
    expect(describeDatabase('file:./data/app.db', '/srv/app')).toBe('SQLite /srv/app/data/app.db');
    expect(describeDatabase('file:/tmp/x.db', '/srv/app')).toBe('SQLite /tmp/x.db');
  });

  it('PostgreSQL: host, port and database, never the user or password', () => {
    const text = describeDatabase('postgresql://sync:s3cret-pw@db.internal:5433/consent?sslmode=require');
    expect(text).toBe('PostgreSQL db.internal:5433/consent');
    expect(text).not.toMatch(/s3cret|sync:/);
  });
});

describe('cliSetup', () => {
  let dir = '';
  let file = '';
  const info = (over: Partial<SandboxInfo> = {}): SandboxInfo => ({
    pid: process.pid,
    startedAt: new Date().toISOString(),
    databaseUrl: `file:${path.join(dir, 'sandbox.db')}`,
    shopifyAdminOrigin: 'http://127.0.0.1:40001',
    edroneApiUrl: 'http://127.0.0.1:40002',
    appUrl: 'http://127.0.0.1:40000',
    shop: 'demo-store.myshopify.com',
    ...over,
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cli-config-'));
    file = path.join(dir, 'sandbox.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a running sandbox: its database and stand-ins, and the lines say so', () => {
    writeSandboxFile(file, info());
    const setup = cliSetup({ SANDBOX_FILE: file }, { sandbox: false });
    expect(setup.config.databaseUrl).toBe(`file:${path.join(dir, 'sandbox.db')}`);
    expect(setup.config.shopify.adminOrigin).toBe('http://127.0.0.1:40001');
    expect(setup.config.edroneApiUrl).toBe('http://127.0.0.1:40002');
    expect(setup.lines).toEqual([
      `database        SQLite ${path.join(dir, 'sandbox.db')}`,
      'shopify         http://127.0.0.1:40001 (SHOPIFY_ADMIN_ORIGIN, not the real Shopify)',
      'edrone          http://127.0.0.1:40002',
    ]);
    expect(setup.notes.join(' ')).toContain('Using the running sandbox');
  });

  it('an explicit DATABASE_URL wins unless --sandbox is given', () => {
    writeSandboxFile(file, info());
    const own = cliSetup({ SANDBOX_FILE: file, DATABASE_URL: 'file:/tmp/own.db' }, { sandbox: false });
    expect(own.config.databaseUrl).toBe('file:/tmp/own.db');
    expect(own.config.edroneApiUrl).toBe('https://api.edrone.me');
    expect(own.notes.join(' ')).toContain('pass --sandbox');
    const forced = cliSetup({ SANDBOX_FILE: file, DATABASE_URL: 'file:/tmp/own.db' }, { sandbox: true });
    expect(forced.config.databaseUrl).toBe(`file:${path.join(dir, 'sandbox.db')}`);
  });

  it("--sandbox with real credentials in the environment uses the sandbox's (its stored secrets decrypt with them)", () => {
    writeSandboxFile(file, info());
    const env = { SANDBOX_FILE: file, SHOPIFY_API_KEY: 'real-key', SHOPIFY_API_SECRET: 'real-secret', SHOPIFY_APP_URL: 'https://app.example.com' };
    expect(cliSetup(env, { sandbox: false }).config.databaseUrl).toBe('file:./data/app.db');
    const { config } = cliSetup(env, { sandbox: true });
    expect(config.sandbox).toBe(true);
    expect(config.shopify.apiSecret).toBe('sandbox-api-secret');
    expect(config.databaseUrl).toBe(`file:${path.join(dir, 'sandbox.db')}`);
  });

  it('no sandbox, or one that stopped without removing its file: the environment; --sandbox is an error in words', () => {
    expect(cliSetup({ SANDBOX_FILE: file }, { sandbox: false }).config.databaseUrl).toBe('file:./data/app.db');
    expect(() => cliSetup({ SANDBOX_FILE: file }, { sandbox: true })).toThrow(CliSetupError);
    expect(() => cliSetup({ SANDBOX_FILE: file }, { sandbox: true })).toThrow(/no sandbox is running/);

    writeSandboxFile(file, info({ pid: 2 ** 22 + 12_345 }));
    expect(readSandboxFile(file).state).toBe('stale');
    expect(cliSetup({ SANDBOX_FILE: file }, { sandbox: false }).config.databaseUrl).toBe('file:./data/app.db');
    expect(() => cliSetup({ SANDBOX_FILE: file }, { sandbox: true })).toThrow(/left over from a sandbox that stopped/);
  });

  it('the sandbox removes only its own file', () => {
    writeSandboxFile(file, info());
    removeSandboxFile(file, process.pid + 1);
    expect(readSandboxFile(file).state).toBe('running');
    removeSandboxFile(file);
    expect(readSandboxFile(file).state).toBe('absent');
  });
});
