import type { PrismaClient } from '../db/database.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { EdroneTraceClient } from '../adapters/edrone/index.js';
import type { ShopifyAdminClient } from '../adapters/shopify/index.js';
import type { KeyedLock } from './keyed-lock.js';

/** What the sync use cases need from the outside world. */
export interface SyncDeps {
  prisma: PrismaClient;
  edrone: EdroneTraceClient;
  secretBox: SecretBox;
  locks: KeyedLock;
  /** Throws ShopAccessError when the shop has no usable token. */
  adminClientFor(shopId: string): Promise<ShopifyAdminClient>;
  now(): Date;
}
