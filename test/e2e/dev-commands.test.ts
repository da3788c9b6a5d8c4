// The developer's commands as real processes: `npm start` in sandbox mode (app/main.ts without Shopify
// credentials) announces itself in its sandbox file; `npm run sync` (app/cli/sync.ts) finds the
// sandbox's shop, database and stand-ins through that file or --sandbox, prints what it uses, and keeps
// logs off stdout; `npm run worker` (app/worker-main.ts) says which database it works on.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_SHOP } from '../../app/sandbox/sandbox-shop.js';
import { HOST, ROOT, eventually, freePort, spawnTs, waitForHealthy, type ManagedProcess } from '../helpers/processes.js';

let dir = '';
let sandboxFile = '';
let port = 0;
let sandbox: ManagedProcess | undefined;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run sync -- ...args` with a clean environment (no DATABASE_URL, no credentials) plus `env`. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/cli/sync.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SANDBOX_FILE: sandboxFile, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const isJson = (line: string) => {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dev-commands-'));
  sandboxFile = path.join(dir, 'sandbox.json');
  port = await freePort();
  // No SHOPIFY_API_KEY: sandbox mode. Its database and file in the temporary directory.
  sandbox = spawnTs('sandbox', 'app/main.ts', {
    PORT: String(port),
    HOST,
    DATABASE_URL: `file:${path.join(dir, 'sandbox.db')}`,
    SANDBOX_FILE: sandboxFile,
  });
  await waitForHealthy(`http://${HOST}:${port}/healthz`, sandbox, 60_000);
  await eventually('the sandbox file', () => existsSync(sandboxFile), { timeoutMs: 20_000, diagnostics: () => sandbox!.describe() });
}, 90_000);

afterAll(async () => {
  await sandbox?.stop(5_000).catch(() => {});
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm run sync while the sandbox runs', () => {
  it("status finds the sandbox's shop without any variable, and says which database and stand-ins it uses", async () => {
    const r = await runCli(['status', '--shop', SANDBOX_SHOP]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain(`database        SQLite ${path.join(dir, 'sandbox.db')}`);
    expect(lines).toContain(`shopify         http://${HOST}:${port + 1} (SHOPIFY_ADMIN_ORIGIN, not the real Shopify)`);
    expect(lines).toContain(`edrone          http://${HOST}:${port + 2}`);
    expect(lines).toContain(`shop            ${SANDBOX_SHOP}`);
    expect(r.stderr).toContain('Using the running sandbox');
  }, 60_000);

  it('--sandbox wins over a DATABASE_URL of the environment', async () => {
    const r = await runCli(['status', '--shop', SANDBOX_SHOP, '--sandbox'], { DATABASE_URL: `file:${path.join(dir, 'other.db')}` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`shop            ${SANDBOX_SHOP}`);
    expect(r.stdout).not.toContain('other.db');
  }, 60_000);

  it('reconcile runs against the stand-ins; with LOG_LEVEL=info its JSON logs go to stderr, stdout has only progress', async () => {
    const r = await runCli(['reconcile', '--shop', SANDBOX_SHOP, '--sandbox'], { LOG_LEVEL: 'info' });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = r.stdout.split('\n').filter((l) => l.trim() !== '');
    expect(out.find((l) => l.includes('reconciliation completed'))).toMatch(/checked \d+, repaired \d+, failed 0/);
    expect(out.filter(isJson)).toEqual([]);
    // The logs exist, on stderr.
    expect(r.stderr.split('\n').filter(isJson).length).toBeGreaterThan(0);
  }, 60_000);
});

describe('npm run worker', () => {
  it('prints the database it works on and the endpoints it calls', async () => {
    const db = path.join(dir, 'worker.db');
    const worker = spawnTs('worker', 'app/worker-main.ts', { DATABASE_URL: `file:${db}`, LOG_LEVEL: 'warn' });
    try {
      await eventually('the worker naming its database', () => worker.output().includes(`worker: database SQLite ${db};`), {
        timeoutMs: 30_000,
        diagnostics: () => worker.describe(),
      });
      expect(worker.output()).toContain('edrone https://api.edrone.me');
    } finally {
      await worker.stop(5_000);
    }
  }, 60_000);
});

describe('when the sandbox stops', () => {
  it('removes its file, and --sandbox then says no sandbox is running', async () => {
    await sandbox!.stop(10_000);
    expect(existsSync(sandboxFile)).toBe(false);
    const r = await runCli(['status', '--shop', SANDBOX_SHOP, '--sandbox']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no sandbox is running');
  }, 60_000);
});
