// Shop rows that ingest reads on every delivery (by id for webhooks, by sync
// token for edrone), kept in memory for a short time. Every change the data
// layer makes to a shop (install, settings, uninstall, erasure) drops its
// entries at once in this process; other processes drop them when PostgreSQL
// tells them (see invalidations in app/db/notifications.ts) and, in any case,
// when the entry's short lifetime ends.
import type { Shop } from './database.js';

export interface ShopCache {
  /** The cached row for `key`, or the loader's answer (cached only when it found a shop). */
  get(key: string, load: () => Promise<Shop | null>): Promise<Shop | null>;
  /** Forgets every entry of this shop (its id and its sync token). */
  invalidate(shopId: string): void;
  /** Forgets the shop's entries without telling anyone (another process told us). */
  forget(shopId: string): void;
  /** Called with the shop id after each local invalidation (to tell the other processes). */
  onInvalidate(listener: (shopId: string) => void): void;
  clear(): void;
}

/** How long another process's change can go unnoticed here when no notification reaches us. */
export const SHOP_CACHE_TTL_MS = 2_000;

export function createShopCache(options: { ttlMs?: number; now?: () => number; maxEntries?: number } = {}): ShopCache {
  const ttlMs = options.ttlMs ?? SHOP_CACHE_TTL_MS;
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { shop: Shop; until: number }>();
  const listeners: ((shopId: string) => void)[] = [];
  /** Loads in flight, with the generation they started in (a later one never joins an outdated load). */
  const loading = new Map<string, { generation: number; shop: Promise<Shop | null> }>();
  // A load that began before an invalidation must not store its (possibly outdated) row.
  let generation = 0;

  function drop(shopId: string): void {
    for (const [key, e] of entries) if (e.shop.id === shopId) entries.delete(key);
  }

  return {
    get(key, load) {
      const hit = entries.get(key);
      if (hit && hit.until > now()) return Promise.resolve(hit.shop);
      // One load per key at a time: when an entry expires under load, the requests
      // waiting for it share one query instead of each sending its own.
      const running = loading.get(key);
      if (running && running.generation === generation) return running.shop;
      const started = generation;
      let loaded: Promise<Shop | null>;
      try {
        loaded = load();
      } catch (e) {
        return Promise.reject(e);
      }
      const shop = loaded.then(
        (row) => {
          if (loading.get(key)?.shop === shop) loading.delete(key);
          if (row && started === generation) {
            if (entries.size >= maxEntries) entries.clear();
            entries.set(key, { shop: row, until: now() + ttlMs });
          } else if (!row) entries.delete(key);
          return row;
        },
        (e: unknown) => {
          if (loading.get(key)?.shop === shop) loading.delete(key);
          throw e;
        },
      );
      loading.set(key, { generation: started, shop });
      return shop;
    },
    invalidate(shopId) {
      generation += 1;
      drop(shopId);
      for (const l of listeners) l(shopId);
    },
    forget(shopId) {
      generation += 1;
      drop(shopId);
    },
    onInvalidate(listener) {
      listeners.push(listener);
    },
    clear() {
      generation += 1;
      entries.clear();
    },
  };
}
