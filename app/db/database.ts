// Opens the database named by DATABASE_URL: a SQLite file through
// better-sqlite3, or PostgreSQL through pg. Both Prisma clients are generated
// from the same models, so the rest of the app sees one PrismaClient type.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { PrismaClient } from '../../prisma/generated/sqlite/index.js';
import { PrismaClient as PgPrismaClient } from '../../prisma/generated/pg/index.js';
import { migrate } from './migrate.js';

export type { PrismaClient };
/** The rows as stored: plain objects. */
export type { Activity, BackfillRun, ConsentHistory, ReconcileRun, Shop } from '../../prisma/generated/sqlite/index.js';
export type Dialect = 'sqlite' | 'postgres';

/**
 * The open database. `prisma` is for the modules of app/db and app/queue only:
 * everything else calls their functions.
 */
export interface Database {
  prisma: PrismaClient;
  dialect: Dialect;
  /**
   * The driver under Prisma, for the hot paths' own SQL (app/db and app/queue only):
   * prepared statements without Prisma's per-query compilation. PostgreSQL: the same
   * pool Prisma uses; SQLite: a second connection to the same file (WAL).
   */
  driver: Driver;
  /** Resolves while the database answers (GET /healthz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type Driver = { dialect: 'sqlite'; sqlite: BetterSqlite3.Database } | { dialect: 'postgres'; pool: pg.Pool; url: string };

function database(prisma: PrismaClient, driver: Driver): Database {
  return {
    prisma,
    dialect: driver.dialect,
    driver,
    async ping() {
      await prisma.$queryRawUnsafe('SELECT 1');
    },
    async close() {
      await prisma.$disconnect();
      if (driver.dialect === 'sqlite') driver.sqlite.close();
      else if (!driver.pool.ended) await driver.pool.end();
    },
  };
}

const PG_TIMESTAMP = 1114;
const utc = (v: string) => new Date(`${v.replace(' ', 'T')}Z`);

/**
 * For the driver's queries on PostgreSQL (pass as `types`): a timestamp (without time zone)
 * holds UTC wall time, as Prisma stores and reads it, whatever the process's time zone.
 */
export const PG_UTC_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === PG_TIMESTAMP ? utc : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** A unique constraint refused the row (Prisma P2002): someone stored the same key first. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'P2002';
}

export function dialectOf(databaseUrl: string): Dialect {
  return databaseUrl.startsWith('file:') ? 'sqlite' : 'postgres';
}

/** Opens the database and brings its schema up to date. */
export async function openDatabase(databaseUrl: string): Promise<Database> {
  const dialect = dialectOf(databaseUrl);
  if (dialect === 'sqlite') {
    const file = databaseUrl.slice('file:'.length);
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    await migrate({ dialect, url: databaseUrl });
    const sqlite = new BetterSqlite3(file);
    // Two connections share the file. This one never waits inside SQLite (that would block the
    // event loop while Prisma's connection in this process holds the lock): its callers retry.
    sqlite.pragma('busy_timeout = 0');
    const prisma = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: file }, { timestampFormat: 'unixepoch-ms' }) });
    return database(prisma, { dialect, sqlite });
  }
  await migrate({ dialect, url: databaseUrl });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  // An idle connection the server closes (restart, failover, a terminated backend) is dropped
  // from the pool and replaced on the next query; without a listener Node would crash the process.
  pool.on('error', () => {});
  const adapter = new PrismaPg(pool);
  // Same models, same generated API: only the SQL dialect differs.
  return database(new PgPrismaClient({ adapter }) as unknown as PrismaClient, { dialect, pool, url: databaseUrl });
}
