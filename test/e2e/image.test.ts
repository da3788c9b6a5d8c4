// The container image's steps (scripts/image.sh, which the Dockerfile runs) in a
// clean copy of the project: install from the lock file, build, migrate, start
// a web process (WORKER=off) and a worker process against PostgreSQL, and the
// web process answers /healthz. No container runtime is reachable here, so this
// is how the image is tested. Takes minutes (a full install): opt-in.
//
//   RUN_IMAGE_TEST=1 TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test npx vitest run test/e2e/image.test.ts
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const admin = process.env.TEST_DATABASE_URL ?? '';
const enabled = process.env.RUN_IMAGE_TEST === '1' && /^postgres(ql)?:\/\//.test(admin);
/** What the Dockerfile copies into the build stage. */
const IMAGE_FILES = ['package.json', 'package-lock.json', 'prisma.config.ts', 'prisma', 'scripts', 'app', 'web', 'tsconfig.json', 'shopify.app.toml'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

describe.skipIf(!enabled)('the image, built and started from scripts/image.sh in a clean directory', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'edrone-image-'));
  const dbName = `edrone_image_${randomBytes(5).toString('hex')}`;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs from the lock file, builds, migrates, and its web and worker processes start; /healthz answers ok', { timeout: 900_000 }, async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    for (const f of IMAGE_FILES) cpSync(path.join(root, f), path.join(dir, f), { recursive: true, filter: (src) => !src.includes(`${path.sep}generated`) && !src.endsWith(`${path.sep}dist`) });
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, npm_config_cache: process.env.npm_config_cache ?? path.join(dir, '.npm') };
    execFileSync('bash', ['scripts/image.sh', 'build'], { cwd: dir, env, stdio: 'inherit', timeout: 840_000 });

    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    const url = new URL(admin);
    url.pathname = `/${dbName}`;
    const port = await freePort();
    const appEnv = {
      ...env,
      DATABASE_URL: url.toString(),
      SHOPIFY_API_KEY: 'image-test-key',
      SHOPIFY_API_SECRET: 'image-test-secret',
      SHOPIFY_APP_URL: 'https://image-test.example.com',
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKER: 'off',
      LOG_LEVEL: 'info',
    };
    execFileSync('bash', ['scripts/image.sh', 'migrate'], { cwd: dir, env: appEnv, stdio: 'inherit', timeout: 120_000 });

    let workerOut = '';
    const web = spawn('bash', ['scripts/image.sh', 'web'], { cwd: dir, env: appEnv, stdio: 'inherit' });
    const worker = spawn('bash', ['scripts/image.sh', 'worker'], { cwd: dir, env: appEnv, stdio: ['ignore', 'pipe', 'inherit'] });
    worker.stdout?.on('data', (d: Buffer) => (workerOut += d.toString()));
    children.push(web, worker);

    let health: unknown = null;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && health === null) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.ok) health = await res.json();
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    expect(health).toEqual({ status: 'ok' });
    while (Date.now() < deadline && !workerOut.includes('worker started')) await new Promise((r) => setTimeout(r, 200));
    expect(workerOut).toContain('worker started');
    expect(worker.exitCode).toBeNull();
  });
});
