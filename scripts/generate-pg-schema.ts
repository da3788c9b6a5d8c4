// Derives the PostgreSQL schema from prisma/schema.prisma, so both databases
// share one data model, and writes with a name, the full SQL as PostgreSQL's first migration. migrate deploy
// does not run on the JS engine with adapter-pg; app/db/migrate.ts applies the
// SQL files of prisma/postgres/migrations instead.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const source = readFileSync('prisma/schema.prisma', 'utf8');
const pgSchema = source
  .replace('// The one source of the data model.', '// GENERATED from prisma/schema.prisma by `npm run db:pg-schema`: do not edit.\n// The one source of the data model.')
  .replace('output          = "./generated/sqlite"', 'output          = "../generated/pg"')
  .replace(/\/\/ @prisma\/client's own entry[^\n]*\n[^\n]*\ngenerator default_client \{[^}]*\}\n\n/, '')
  .replace(/datasource db \{[^}]*\}/, 'datasource db {\n  provider = "postgresql"\n  url      = "postgresql://127.0.0.1:5432/unused" // unused: the adapter connects\n}');
writeFileSync('prisma/postgres/schema.prisma', pgSchema);

const sql = execFileSync(
  'npx',
  ['prisma', 'migrate', 'diff', '--from-empty', '--to-schema-datamodel', 'prisma/postgres/schema.prisma', '--script'],
  { encoding: 'utf8' },
);
// With a migration name, the full SQL becomes that PostgreSQL migration (the first one).
const init = process.argv[2];
if (init) {
  mkdirSync(`prisma/postgres/migrations/${init}`, { recursive: true });
  writeFileSync(`prisma/postgres/migrations/${init}/migration.sql`, sql);
}
console.log(`wrote prisma/postgres/schema.prisma${init ? ` and prisma/postgres/migrations/${init}` : ''}`);
