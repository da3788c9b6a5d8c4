import type { EdroneTraceClient, ShopifyAdminClient } from '../adapters/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { DataLayer } from '../db/index.js';
import type { JobQueue } from '../queue/index.js';
import type { Logger } from '../logger.js';
import type { KeyedLock } from './keyed-lock.js';

/** What the use cases need from the outside world; built once by the composition root. */
export interface SyncDeps {
  data: DataLayer;
  queue: JobQueue;
  edrone: EdroneTraceClient;
  secretBox: SecretBox;
  locks: KeyedLock;
  logger: Logger;
  /** Throws ShopAccessError when the shop has no usable token. */
  adminClientFor(shopId: string): Promise<ShopifyAdminClient>;
  /** Looks for due jobs now (after something was queued). */
  wakeWorker(): void;
  now(): Date;
}
