// Which database and which Shopify/edrone endpoints `npm run sync` uses, and the lines that say so.
// While the sandbox runs (`npm start` without Shopify credentials) its database is data/sandbox.db and
// its Shopify and edrone are stand-ins on this machine: the command finds them in the file the sandbox
// writes (app/sandbox-file.ts), so it never calls the real services for the sandbox's demo shop.
import { describeEndpoints, loadConfig, type AppConfig } from '../config.js';
import { readSandboxFile, sandboxEnv } from '../sandbox-file.js';

export interface CliSetup {
  config: AppConfig;
  /** What the command talks to, one line each, printed before its output. */
  lines: string[];
  /** Printed on stderr: how the choice was made when it may surprise. */
  notes: string[];
}

/** A reason the command cannot start, in words (exit 1). */
export class CliSetupError extends Error {}

/**
 * The configuration of the command: the environment's, or the running sandbox's database and stand-ins
 * when `--sandbox` is given, or when a sandbox runs and the environment names neither credentials nor a database.
 */
export function cliSetup(env: Record<string, string | undefined>, options: { sandbox: boolean }): CliSetup {
  const base = loadConfig(env);
  const found = readSandboxFile(base.sandboxFile);
  const notes: string[] = [];
  let config = base;
  if (options.sandbox) {
    if (found.state === 'absent') throw new CliSetupError(`--sandbox: no sandbox is running (${found.file} not found). Start it with npm start, without SHOPIFY_API_KEY.`);
    if (found.state === 'stale') throw new CliSetupError(`--sandbox: ${found.file} is left over from a sandbox that stopped (${found.reason}). Start it again with npm start.`);
  }
  if (found.state === 'running' && (options.sandbox || (base.sandbox && !env.DATABASE_URL))) {
    // The sandbox runs without Shopify credentials: with them, the edrone secrets it stored would not decrypt.
    const { SHOPIFY_API_KEY: _key, SHOPIFY_API_SECRET: _secret, SHOPIFY_APP_URL: _url, ...rest } = env;
    config = loadConfig({ ...rest, ...sandboxEnv(found.info) });
    notes.push(`Using the running sandbox (pid ${found.info.pid}, ${found.file}): its database and its stand-in Shopify and edrone.`);
  } else if (found.state === 'running') {
    notes.push(`A sandbox is running (${found.file}), but this command uses the environment's configuration; pass --sandbox to use the sandbox.`);
  } else if (base.sandbox && !env.DATABASE_URL) {
    notes.push('No Shopify credentials and no running sandbox: start the sandbox (npm start) to work with its demo shop.');
  }
  const where = describeEndpoints(config);
  return { config, notes, lines: [`database        ${where.database}`, `shopify         ${where.shopify}`, `edrone          ${where.edrone}`] };
}
