// Applies the checked-in SQL migrations in order, once each, recording them in
// _app_migrations. SQLite: prisma/migrations; PostgreSQL: prisma/postgres/migrations
// (prisma migrate deploy does not run on PostgreSQL with the JS engine).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { Dialect } from './database.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma');

function migrationsOf(dialect: Dialect): { name: string; sql: string }[] {
  const dir = dialect === 'sqlite' ? path.join(root, 'migrations') : path.join(root, 'postgres', 'migrations');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => ({ name: d.name, sql: readFileSync(path.join(dir, d.name, 'migration.sql'), 'utf8') }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function migrate({ dialect, url }: { dialect: Dialect; url: string }): Promise<string[]> {
  const pending = migrationsOf(dialect);
  const applied: string[] = [];
  if (dialect === 'sqlite') {
    const db = new BetterSqlite3(url.slice('file:'.length));
    try {
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE IF NOT EXISTS _app_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
      const done = new Set(db.prepare('SELECT name FROM _app_migrations').pluck().all() as string[]);
      for (const m of pending.filter((m) => !done.has(m.name))) {
        db.transaction(() => {
          db.exec(m.sql);
          db.prepare('INSERT INTO _app_migrations (name, applied_at) VALUES (?, ?)').run(m.name, new Date().toISOString());
        })();
        applied.push(m.name);
      }
    } finally {
      db.close();
    }
    return applied;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // One migrator at a time, however many processes start together.
    await client.query('SELECT pg_advisory_lock(727274)');
    await client.query('CREATE TABLE IF NOT EXISTS _app_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ name: string }>('SELECT name FROM _app_migrations');
    const done = new Set(rows.map((r) => r.name));
    for (const m of pending.filter((m) => !done.has(m.name))) {
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO _app_migrations (name) VALUES ($1)', [m.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
      applied.push(m.name);
    }
    await client.query('SELECT pg_advisory_unlock(727274)');
  } finally {
    await client.end();
  }
  return applied;
}
