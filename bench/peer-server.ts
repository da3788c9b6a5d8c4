// The fair peer of the ingest benchmark: what a hand-written receiver does and
// nothing more. Express 5, the raw body, the HMAC (or edrone's NATIVE_5
// signature) checked in constant time, one INSERT through the driver
// (better-sqlite3 or pg), 200. No shop table (a Map), no job, no framework
// on top. The project must reach a fixed share of its throughput (issue 10).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import BetterSqlite3 from 'better-sqlite3';
import express from 'express';
import pg from 'pg';
import { signNative5 } from '../app/adapters/edrone/signature.js';
import type { DbKind } from './bench-setup.js';

export interface PeerEdroneApp {
  syncToken: string;
  appId: string;
  appSecret: string;
}

export interface RunningPeer {
  url: string;
  /** Rows the peer stored. */
  count(): Promise<number>;
  close(): Promise<void>;
}

const DDL = `CREATE TABLE IF NOT EXISTS peer_event (
  id TEXT PRIMARY KEY, shop TEXT NOT NULL, source TEXT NOT NULL, dedupe TEXT NOT NULL, payload TEXT NOT NULL, received_at BIGINT NOT NULL,
  UNIQUE (shop, source, dedupe))`;

type Insert = (row: [string, string, string, string, string, number]) => Promise<boolean>;

function sqliteStore(file: string): { insert: Insert; count(): Promise<number>; close(): Promise<void> } {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.exec(DDL);
  const stmt = db.prepare('INSERT INTO peer_event (id, shop, source, dedupe, payload, received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  return {
    insert: async (row) => stmt.run(...row).changes === 1,
    count: async () => (db.prepare('SELECT count(*) AS n FROM peer_event').get() as { n: number }).n,
    close: async () => {
      db.close();
    },
  };
}

async function pgStore(url: string): Promise<{ insert: Insert; count(): Promise<number>; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // As in the app (app/db/database.ts): a connection the server ends must not crash the process.
  pool.on('error', () => {});
  await pool.query(DDL);
  return {
    insert: async (row) =>
      (
        await pool.query({
          name: 'peer_insert',
          text: 'INSERT INTO peer_event (id, shop, source, dedupe, payload, received_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
          values: row,
        })
      ).rowCount === 1,
    count: async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM peer_event')).rows[0]!.n),
    close: () => pool.end(),
  };
}

export async function startPeer(options: { kind: DbKind; databaseUrl: string; apiSecret: string; edrone: PeerEdroneApp[] }): Promise<RunningPeer> {
  const store = options.kind === 'sqlite' ? sqliteStore(options.databaseUrl.slice('file:'.length)) : await pgStore(options.databaseUrl);
  const apps = new Map(options.edrone.map((a) => [a.syncToken, a]));
  const app = express();
  app.post('/webhooks', express.raw({ type: () => true, limit: '256kb' }), async (req, res) => {
    const body = req.body as Buffer;
    const expected = createHmac('sha256', options.apiSecret).update(body).digest();
    const given = Buffer.from(req.get('x-shopify-hmac-sha256') ?? '', 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.status(401).json({ error: 'invalid HMAC signature' });
      return;
    }
    const id = req.get('x-shopify-webhook-id') ?? '';
    const fresh = await store.insert([id, req.get('x-shopify-shop-domain') ?? '', 'shopify', id, body.toString('utf8'), Date.now()]);
    res.json({ status: fresh ? 'accepted' : 'duplicate' });
  });
  app.post('/edrone/sync/:token', express.raw({ type: () => true, limit: '64kb' }), async (req, res) => {
    const target = apps.get(req.params.token);
    if (!target) {
      res.status(404).json({ status: 'error' });
      return;
    }
    const f = Object.fromEntries(new URLSearchParams((req.body as Buffer).toString('utf8')));
    const fields = {
      subscription_status_type_id: f.subscription_status_type_id ?? '',
      email: f.email,
      phone: f.phone,
      subscriber_status: f.subscriber_status ?? '',
      subscription_status_reason: f.subscription_status_reason,
      event_date: f.event_date ?? '',
      event_id: f.event_id,
      app_id: target.appId,
    };
    const expected = Buffer.from(signNative5(fields, target.appSecret));
    const given = Buffer.from(f.signature ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.status(401).json({ status: 'error' });
      return;
    }
    const id = f.event_id ?? '';
    const fresh = await store.insert([`${target.appId}:${id}`, target.appId, 'edrone', id, JSON.stringify(f), Date.now()]);
    res.json({ status: fresh ? 'ok' : 'duplicate' });
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => store.count(),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await store.close();
    },
  };
}
