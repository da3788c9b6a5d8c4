// The sandbox's printout (what `npm start` without credentials shows) includes a
// storefront check. Its shell commands are run here exactly as printed: through
// the simulated store's app proxy, and straight to the app with a signature
// computed by openssl, and as a logged-in customer.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.js';
import { sandboxInstructions, startSandbox, type Sandbox } from '../../app/sandbox/start-sandbox.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let sandbox: Sandbox;
let db: TestDatabase;
let printout: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const env = { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: db.url, LOG_LEVEL: 'silent' };
  sandbox = await startSandbox(loadConfig(env), env);
  printout = sandboxInstructions(sandbox);
});
afterAll(async () => {
  await sandbox?.close();
  await db?.drop();
});

/** The printed command lines of step 4 (a line ending in a command, or two joined by the `ts=...;` line). */
function step4Commands(): string[] {
  const lines = printout.split('\n');
  const start = lines.findIndex((l) => l.includes('4) Storefront check'));
  const step = lines.slice(start + 1).map((l) => l.trim());
  const commands: string[] = [];
  for (let i = 0; i < step.length; i++) {
    const line = step[i]!;
    if (line.startsWith('ts=$(date')) commands.push(`${line}\n${step[++i]}`);
    else if (line.startsWith('curl ')) commands.push(line);
    else if (line.startsWith('Logged in as Anna:')) commands.push(line.slice('Logged in as Anna:'.length).trim());
  }
  return commands;
}

describe('the sandbox printout', () => {
  it('shows a storefront check whose curl commands work as printed', async () => {
    const commands = step4Commands();
    expect(commands).toHaveLength(3);
    // Asynchronously: the servers answering run in this process.
    const run = async (c: string) => JSON.parse((await promisify(execFile)('bash', ['-c', c], { encoding: 'utf8', timeout: 15_000 })).stdout) as unknown;
    const answers = [];
    for (const c of commands) answers.push(await run(c));
    // Through the simulated store, and signed by hand: the visitor's cookie is Anna's, subscribed in edrone.
    expect(answers[0]).toEqual({ identified: true, status: true, message: 'Success', sms_status: null });
    expect(answers[1]).toEqual(answers[0]);
    // Logged in as Anna: answered from Shopify (email and SMS subscribed), not from edrone.
    expect(answers[2]).toEqual({ identified: true, status: true, message: 'Success', sms_status: true });
  });
});
