// Shopify sessions (offline access tokens) in the Session table, through
// Shopify's own Prisma session storage.
import { PrismaSessionStorage } from '@shopify/shopify-app-session-storage-prisma';
import type { Database } from './database.js';

export type SessionStorage = PrismaSessionStorage<never>;

export function createSessionStorage(db: Database): SessionStorage {
  // The library's types pin @prisma/client; ours is generated from the same Session model.
  return new PrismaSessionStorage<never>(db.prisma as never);
}
