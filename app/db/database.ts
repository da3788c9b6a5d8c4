// Opens the database named by DATABASE_URL: a SQLite file through
// better-sqlite3, or PostgreSQL through pg. Both Prisma clients are generated
// from the same models, so the rest of the app sees one PrismaClient type.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../prisma/generated/sqlite/index.js';
import { PrismaClient as PgPrismaClient } from '../../prisma/generated/pg/index.js';
import { migrate } from './migrate.js';

export type { PrismaClient };
export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  prisma: PrismaClient;
  dialect: Dialect;
  close(): Promise<void>;
}

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
    const prisma = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: file }, { timestampFormat: 'unixepoch-ms' }) });
    return { prisma, dialect, close: () => prisma.$disconnect() };
  }
  await migrate({ dialect, url: databaseUrl });
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: 10 });
  // Same models, same generated API: only the SQL dialect differs.
  const prisma = new PgPrismaClient({ adapter }) as unknown as PrismaClient;
  return { prisma, dialect, close: () => prisma.$disconnect() };
}
