// Prisma CLI configuration: the JS engine with driver adapters, so nothing is
// downloaded (see "Prisma here" in the architecture notes).
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  async adapter() {
    const url = process.env.DATABASE_URL?.startsWith('file:') ? process.env.DATABASE_URL : 'file:./data/dev.db';
    return new PrismaBetterSQLite3({ url });
  },
});
