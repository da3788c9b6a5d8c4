// PostgreSQL notifications between the processes on one database: a committed
// job wakes idle workers at once (ingest notifies JOBS_CHANNEL after its commit), and
// a changed shop is dropped from every process's shop cache (SHOPS_CHANNEL).
// Polling stays the fallback: a lost connection is reopened, and nothing is
// missed for longer than one poll. SQLite: nothing to listen to (one process).
import pg from 'pg';
import type { Database } from './database.js';
import { JOBS_CHANNEL } from './wake-workers.js';

export const SHOPS_CHANNEL = 'app_shops';

export interface Notifications {
  /** Runs `listener` when another transaction committed a new job. */
  onJob(listener: () => void): void;
  /** Tells every process that this shop changed. */
  shopChanged(shopId: string): Promise<void>;
  onShopChanged(listener: (shopId: string) => void): void;
  close(): Promise<void>;
}

const noop: Notifications = { onJob() {}, async shopChanged() {}, onShopChanged() {}, async close() {} };

export async function listenForNotifications(db: Database, onError: (e: Error) => void = () => {}): Promise<Notifications> {
  if (db.driver.dialect !== 'postgres') return noop;
  const { url, pool } = db.driver;
  const jobListeners: (() => void)[] = [];
  const shopListeners: ((shopId: string) => void)[] = [];
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (n) => {
      if (n.channel === JOBS_CHANNEL) for (const l of jobListeners) l();
      else if (n.channel === SHOPS_CHANNEL && n.payload) for (const l of shopListeners) l(n.payload);
    });
    c.on('error', (e) => {
      onError(e);
      reconnect();
    });
    await c.connect();
    await c.query(`LISTEN ${JOBS_CHANNEL}; LISTEN ${SHOPS_CHANNEL}`);
    client = c;
  }

  function reconnect(): void {
    const old = client;
    client = null;
    void old?.end().catch(() => {});
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = null;
      // Jobs committed meanwhile are found by the next poll; wake now in case.
      for (const l of jobListeners) l();
      connect().catch((e: unknown) => {
        onError(e instanceof Error ? e : new Error(String(e)));
        reconnect();
      });
    }, 1_000);
  }

  await connect();
  return {
    onJob: (l) => void jobListeners.push(l),
    async shopChanged(shopId) {
      await pool.query(`SELECT pg_notify('${SHOPS_CHANNEL}', $1)`, [shopId]);
    },
    onShopChanged: (l) => void shopListeners.push(l),
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
