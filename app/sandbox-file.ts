// data/sandbox.json: written by the running sandbox (`npm start` without Shopify credentials), removed
// when it stops. Other processes of this checkout (`npm run sync`) read it to use the sandbox's
// database and its stand-in Shopify and edrone instead of the real ones. Development only.
// Where it is: config.sandboxFile (SANDBOX_FILE, default data/sandbox.json).
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const sandboxInfo = z.object({
  pid: z.number().int().positive(),
  startedAt: z.string(),
  /** Absolute for SQLite, so a process started from another directory opens the same file. */
  databaseUrl: z.string().min(1),
  shopifyAdminOrigin: z.url(),
  edroneApiUrl: z.url(),
  appUrl: z.url(),
  shop: z.string(),
});
export type SandboxInfo = z.infer<typeof sandboxInfo>;

/** A SQLite URL with an absolute path (relative paths depend on the directory a process started in). */
export function absoluteDatabaseUrl(url: string, cwd = process.cwd()): string {
  if (!url.startsWith('file:') || url === 'file::memory:') return url;
  return `file:${path.resolve(cwd, url.slice('file:'.length))}`;
}

export function writeSandboxFile(file: string, info: SandboxInfo): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  // The database URL may carry a PostgreSQL password: only this user reads the file.
  chmodSync(file, 0o600);
}

/** Removes the file if it is this process's (a second sandbox's file is left alone). */
export function removeSandboxFile(file: string, pid = process.pid): void {
  const found = readSandboxFile(file);
  if (found.state === 'running' && found.info.pid !== pid) return;
  rmSync(file, { force: true });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export type SandboxLookup =
  | { state: 'running'; info: SandboxInfo; file: string }
  | { state: 'absent'; file: string }
  | { state: 'stale'; file: string; reason: string };

/** The running sandbox of this checkout, if any: a file whose process is gone is stale. */
export function readSandboxFile(file: string): SandboxLookup {
  if (!existsSync(file)) return { state: 'absent', file };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return { state: 'stale', file, reason: 'it is not valid JSON' };
  }
  const parsed = sandboxInfo.safeParse(raw);
  if (!parsed.success) return { state: 'stale', file, reason: 'it is not a sandbox file of this version' };
  if (!alive(parsed.data.pid)) return { state: 'stale', file, reason: `its process ${parsed.data.pid} is not running` };
  return { state: 'running', info: parsed.data, file };
}

/** The environment that points a process at the sandbox: its database and stand-ins. */
export function sandboxEnv(info: SandboxInfo): Record<string, string> {
  return { DATABASE_URL: info.databaseUrl, SHOPIFY_ADMIN_ORIGIN: info.shopifyAdminOrigin, EDRONE_API_URL: info.edroneApiUrl };
}
