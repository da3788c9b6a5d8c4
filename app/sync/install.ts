// Shopify-managed installation: the first valid session token of a shop without
// a working offline token installs (or reconnects) it by token exchange.
import { exchangeForOfflineSession, type ShopifyApi } from '../adapters/index.js';
import { scopesBlockReason } from '../core/required-scopes.js';
import type { DataLayer, SessionStorage } from '../db/index.js';
import type { Logger } from '../logger.js';
import type { JobQueue } from '../queue/index.js';

export interface Installer {
  /** Resolves once the shop has an offline token and is active; throws when Shopify refuses the exchange. */
  ensureInstalled(shop: string, sessionToken: string): Promise<void>;
}

export function createInstaller(deps: {
  data: Pick<DataLayer, 'shops'>;
  queue: JobQueue;
  shopify: ShopifyApi;
  sessionStorage: SessionStorage;
  logger: Logger;
  wakeWorker(): void;
}): Installer {
  const installing = new Map<string, Promise<void>>();

  async function install(shop: string, sessionToken: string): Promise<void> {
    const [offline, row] = await Promise.all([
      deps.sessionStorage.loadSession(deps.shopify.session.getOfflineId(shop)),
      deps.data.shops.find(shop),
    ]);
    if (offline && row && !row.uninstalledAt && !row.blockedReason) return;
    const session = await exchangeForOfflineSession(deps.shopify, { shop, sessionToken });
    await deps.sessionStorage.storeSession(session);
    await deps.data.shops.install(shop);
    // Still narrower than the sync needs (app/scopes_update): reconnecting does not lift that pause.
    const narrowed = scopesBlockReason((session.scope ?? '').split(','));
    if (narrowed && session.scope) {
      await deps.data.shops.block(shop, narrowed);
      return;
    }
    // Jobs that waited for access (revoked token) can run now.
    await deps.queue.releaseShop(shop);
    deps.wakeWorker();
    deps.logger.info({ shop }, 'shop installed or reconnected by token exchange');
  }

  return {
    ensureInstalled(shop, sessionToken) {
      // Concurrent first requests of one shop share one token exchange.
      const pending = installing.get(shop) ?? install(shop, sessionToken).finally(() => installing.delete(shop));
      installing.set(shop, pending);
      return pending;
    },
  };
}
