// A fresh database per test file: a temporary SQLite file by default, or, when
// TEST_DATABASE_URL points at PostgreSQL, a new database created for the file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { openDatabase, type Database } from '../../app/db/index.js';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = process.env.TEST_DATABASE_URL;
  if (admin && /^postgres(ql)?:\/\//.test(admin)) {
    const name = `edrone_test_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    const url = new URL(admin);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      async drop() {
        const c = new pg.Client({ connectionString: admin });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'edrone-test-'));
  return {
    url: `file:${path.join(dir, 'test.db')}`,
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For a test file that talks to the database directly: a fresh database, opened
 * before the file's tests and closed and dropped after them. Call at the file's top level.
 */
export function useOpenDatabase(): () => Database {
  let created: TestDatabase | undefined;
  let opened: Database | undefined;
  beforeAll(async () => {
    created = await createTestDatabase();
    opened = await openDatabase(created.url);
  });
  afterAll(async () => {
    await opened?.close();
    await created?.drop();
  });
  return () => {
    if (!opened) throw new Error('the test database is opened in beforeAll');
    return opened;
  };
}
