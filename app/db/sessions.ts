// Shopify sessions (offline access tokens) in the Session table, through
// Shopify's own Prisma session storage, with the access and refresh tokens
// encrypted at rest. Each ciphertext's associated data is its shop, so a token
// copied into another shop's row does not open. Rows written before encryption
// (clear tokens) still load, and are sealed the next time they are stored.
import { Session } from '@shopify/shopify-api';
import type { SessionStorage as ShopifySessionStorage } from '@shopify/shopify-app-session-storage';
import { PrismaSessionStorage } from '@shopify/shopify-app-session-storage-prisma';
import { isSealed, type SecretBox } from '../crypto/secret-box.js';
import type { Database } from './database.js';

export type SessionStorage = ShopifySessionStorage;

function aadOf(session: Session, field: 'accessToken' | 'refreshToken'): string {
  return `shopify-session:${session.shop}:${field}`;
}

function mapTokens(session: Session, map: (value: string, field: 'accessToken' | 'refreshToken') => string): Session {
  const copy = new Session(session.toObject());
  if (session.accessToken) copy.accessToken = map(session.accessToken, 'accessToken');
  if (session.refreshToken) copy.refreshToken = map(session.refreshToken, 'refreshToken');
  return copy;
}

export function createSessionStorage(db: Database, box: SecretBox): SessionStorage {
  // The library's types pin @prisma/client; ours is generated from the same Session model.
  const inner = new PrismaSessionStorage<never>(db.prisma as never);
  const seal = (s: Session) => mapTokens(s, (v, field) => (isSealed(v) ? v : box.seal(v, aadOf(s, field))));
  const open = (s: Session) => mapTokens(s, (v, field) => (isSealed(v) ? box.open(v, aadOf(s, field)) : v));
  return {
    storeSession: (session) => inner.storeSession(seal(session)),
    async loadSession(id) {
      const stored = await inner.loadSession(id);
      return stored ? open(stored) : undefined;
    },
    deleteSession: (id) => inner.deleteSession(id),
    deleteSessions: (ids) => inner.deleteSessions(ids),
    async findSessionsByShop(shop) {
      return (await inner.findSessionsByShop(shop)).map(open);
    },
  };
}
