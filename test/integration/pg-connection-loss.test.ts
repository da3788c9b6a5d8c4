// PostgreSQL only: the server closing the app's idle connections (a restart, a failover,
// an administrator terminating backends) must not crash the process; the next query
// gets a fresh connection. Without the pool's error listener Node throws on the idle
// client's error event (seen in CI as "terminating connection due to administrator command").
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../app/db/database.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/** Ends every connection to `database` from the server side; how many there were. */
async function terminateConnectionsTo(database: string): Promise<number> {
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  const { rows } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
  await admin.end();
  return rows.length;
}

const onPostgres = /^postgres(ql)?:\/\//.test(process.env.TEST_DATABASE_URL ?? '');

describe.skipIf(!onPostgres)('idle PostgreSQL connections closed by the server', () => {
  let tdb: TestDatabase;
  let db: Database;
  const uncaught: unknown[] = [];
  const record = (e: unknown) => uncaught.push(e);
  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = await openDatabase(tdb.url);
    process.on('uncaughtException', record);
  });
  afterAll(async () => {
    process.off('uncaughtException', record);
    await db?.close();
    await tdb?.drop();
  });

  it('are replaced on the next query, and nothing is thrown', async () => {
    // Several pooled connections, idle afterwards.
    await Promise.all(Array.from({ length: 4 }, () => db.ping()));
    expect(await terminateConnectionsTo(new URL(tdb.url).pathname.slice(1))).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    await expect(db.ping()).resolves.toBeUndefined();
    expect(uncaught).toEqual([]);
  });

  it('while the app is closing (Prisma has let go of the pool, the pool not yet ended) throw nothing either', async () => {
    const other = await createTestDatabase();
    const d = await openDatabase(other.url);
    await Promise.all(Array.from({ length: 6 }, () => d.ping()));
    // Prisma's adapter removes its own pool error listener on $disconnect (close's first step);
    // the server then ends the idle connections (in CI: the test database dropped WITH (FORCE)).
    await d.prisma.$disconnect();
    await terminateConnectionsTo(new URL(other.url).pathname.slice(1));
    await new Promise((r) => setTimeout(r, 300));
    await d.close();
    await other.drop();
    expect(uncaught).toEqual([]);
  });
});
