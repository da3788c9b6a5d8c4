// The lean raw-SQL worker of the drain benchmark (issue 10, goal 2): what a
// hand-written worker does with the same queued jobs and nothing more. Claims a
// batch (PostgreSQL: FOR UPDATE SKIP LOCKED), reads event + shop + consent row
// in one query, sends the trace to the same fake edrone paced 95/s per App ID
// (the project's trace client with its in-process pacer), and ends each job in
// one write (consent upsert + activity insert + job done, guarded by the lock
// owner). No zod, no core rules (a subscribed/unsubscribed mapping), no
// history row, no shared rate limiter, no Prisma.
import { randomUUID } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { createEdroneTraceClient } from '../app/adapters/edrone/trace-client.js';
import type { DbKind } from './bench-setup.js';

interface Claimed {
  id: string;
  shopId: string;
  payload: string;
  lockedBy: string;
}

interface Read {
  present: number | boolean | null;
  appId: string | null;
  edroneState: string | null;
}

interface Done {
  job: Claimed;
  channel: string;
  identity: string;
  customerId: string;
  eventId: string;
  state: string;
  sent: string | null;
  previous: string | null;
  now: Date;
}

interface Store {
  claim(limit: number, token: string, now: Date): Promise<Claimed[]>;
  read(eventId: string, shopId: string, channel: string, identity: string): Promise<Read | undefined>;
  finish(d: Done): Promise<void>;
  close(): Promise<void>;
}

const CLAIM_PG = `UPDATE "Job" SET status = 'running', "lockedBy" = $1, "leaseUntil" = $2, attempts = attempts + 1, "updatedAt" = $3
  WHERE id IN (SELECT id FROM "Job" WHERE status = 'queued' AND "runAt" <= $3 ORDER BY "runAt" LIMIT $4 FOR UPDATE SKIP LOCKED)
  RETURNING id, "shopId", payload, "lockedBy"`;
const READ_PG = `SELECT (SELECT true FROM "InboundEvent" WHERE id = $1) AS present, s."edroneAppId" AS "appId", c."edroneState"
  FROM "Shop" s LEFT JOIN "ConsentState" c ON c."shopId" = s.id AND c.channel = $3 AND c.identity = $4 WHERE s.id = $2`;
// One statement, one implicit transaction, one round trip.
const FINISH_PG = `WITH c AS (
    INSERT INTO "ConsentState" (id, "shopId", channel, identity, "shopifyCustomerId", "truthState", "truthAt", "truthSource", "shopifyState", "shopifyAt",
      "edroneState", "edroneAt", "wroteEdroneState", "wroteEdroneAt", "wroteEdroneWallAt", "recentTraces", version, "updatedAt")
    VALUES ($1, $2, $3, $4, $5, $6, $7, 'shopify', $8, $7, $9, $7, $9, $7, $7, $10, 1, $7)
    ON CONFLICT ("shopId", channel, identity) DO UPDATE SET "truthState" = EXCLUDED."truthState", "truthAt" = EXCLUDED."truthAt",
      "shopifyState" = EXCLUDED."shopifyState", "shopifyAt" = EXCLUDED."shopifyAt", "edroneState" = COALESCE(EXCLUDED."edroneState", "ConsentState"."edroneState"),
      "recentTraces" = EXCLUDED."recentTraces", version = "ConsentState".version + 1, "updatedAt" = EXCLUDED."updatedAt"
    RETURNING 1
  ), a AS (
    INSERT INTO "Activity" (id, "shopId", "jobId", "eventId", origin, target, channel, identity, "customerId", "previousState", "newState", result, reason, retried, "createdAt")
    VALUES ($11, $2, $12, $13, 'shopify', 'edrone', $3, $4, $5, $14, $8, $15, $16, false, $7)
    RETURNING 1
  )
  UPDATE "Job" SET status = 'done', "leaseUntil" = NULL, "lockedBy" = NULL, "finishedAt" = $7, "updatedAt" = $7
  WHERE id = $12 AND "lockedBy" = $17 AND status = 'running'`;

const CLAIM_SQLITE = `UPDATE "Job" SET status = 'running', "lockedBy" = ?, "leaseUntil" = ?, attempts = attempts + 1, "updatedAt" = ?
  WHERE id IN (SELECT id FROM "Job" WHERE status = 'queued' AND "runAt" <= ? ORDER BY "runAt" LIMIT ?)
  RETURNING id, "shopId", payload, "lockedBy"`;
const READ_SQLITE = `SELECT (SELECT 1 FROM "InboundEvent" WHERE id = ?) AS present, s."edroneAppId" AS "appId", c."edroneState"
  FROM "Shop" s LEFT JOIN "ConsentState" c ON c."shopId" = s.id AND c.channel = ? AND c.identity = ? WHERE s.id = ?`;
const CONSENT_SQLITE = `INSERT INTO "ConsentState" (id, "shopId", channel, identity, "shopifyCustomerId", "truthState", "truthAt", "truthSource", "shopifyState", "shopifyAt",
    "edroneState", "edroneAt", "wroteEdroneState", "wroteEdroneAt", "wroteEdroneWallAt", "recentTraces", version, "updatedAt")
  VALUES (:id, :shopId, :channel, :identity, :customerId, :state, :now, 'shopify', :state, :now, :sent, :now, :sent, :now, :now, :traces, 1, :now)
  ON CONFLICT ("shopId", channel, identity) DO UPDATE SET "truthState" = excluded."truthState", "truthAt" = excluded."truthAt",
    "shopifyState" = excluded."shopifyState", "shopifyAt" = excluded."shopifyAt", "edroneState" = coalesce(excluded."edroneState", "edroneState"),
    "recentTraces" = excluded."recentTraces", version = version + 1, "updatedAt" = excluded."updatedAt"`;
const ACTIVITY_SQLITE = `INSERT INTO "Activity" (id, "shopId", "jobId", "eventId", origin, target, channel, identity, "customerId", "previousState", "newState", result, reason, retried, "createdAt")
  VALUES (:aid, :shopId, :jobId, :eventId, 'shopify', 'edrone', :channel, :identity, :customerId, :previous, :state, :result, :reason, 0, :now)`;
const DONE_SQLITE = `UPDATE "Job" SET status = 'done', "leaseUntil" = NULL, "lockedBy" = NULL, "finishedAt" = :now, "updatedAt" = :now
  WHERE id = :jobId AND "lockedBy" = :token AND status = 'running'`;

const LEASE_MS = 60_000;

function traces(d: Done): string {
  return JSON.stringify({ from: null, traces: d.sent ? [{ state: d.sent, sentAt: d.now.getTime(), doneAt: null, reportedAt: null }] : [] });
}

function sqliteStore(file: string): Store {
  const db = new BetterSqlite3(file);
  db.pragma('busy_timeout = 5000');
  const claim = db.prepare(CLAIM_SQLITE);
  const read = db.prepare(READ_SQLITE);
  const consent = db.prepare(CONSENT_SQLITE);
  const activity = db.prepare(ACTIVITY_SQLITE);
  const done = db.prepare(DONE_SQLITE);
  const finish = db.transaction((d: Done) => {
    const now = d.now.getTime();
    const common = { shopId: d.job.shopId, channel: d.channel, identity: d.identity, customerId: d.customerId, state: d.state, now };
    consent.run({ ...common, id: randomUUID(), sent: d.sent, traces: traces(d) });
    activity.run({ ...common, aid: randomUUID(), jobId: d.job.id, eventId: d.eventId, previous: d.previous, result: d.sent ? 'sent' : 'skipped', reason: d.sent ? 'Sent to edrone.' : 'Already in sync.' });
    done.run({ now, jobId: d.job.id, token: d.job.lockedBy });
  });
  return {
    claim: async (limit, token, now) => claim.all(token, now.getTime() + LEASE_MS, now.getTime(), now.getTime(), limit) as Claimed[],
    read: async (eventId, shopId, channel, identity) => read.get(eventId, channel, identity, shopId) as Read | undefined,
    finish: async (d) => finish.immediate(d),
    close: async () => void db.close(),
  };
}

function pgStore(url: string): Store {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {});
  const iso = (d: Date) => d.toISOString();
  return {
    async claim(limit, token, now) {
      const { rows } = await pool.query<Claimed>({ name: 'lean_claim', text: CLAIM_PG, values: [token, iso(new Date(now.getTime() + LEASE_MS)), iso(now), limit] });
      return rows;
    },
    async read(eventId, shopId, channel, identity) {
      const { rows } = await pool.query<Read>({ name: 'lean_read', text: READ_PG, values: [eventId, shopId, channel, identity] });
      return rows[0];
    },
    async finish(d) {
      const now = iso(d.now);
      const result = d.sent ? 'sent' : 'skipped';
      await pool.query({
        name: 'lean_finish',
        text: FINISH_PG,
        values: [randomUUID(), d.job.shopId, d.channel, d.identity, d.customerId, d.state, now, d.state, d.sent, traces(d), randomUUID(), d.job.id, d.eventId, d.previous, result, d.sent ? 'Sent to edrone.' : 'Already in sync.', d.job.lockedBy],
      });
    },
    close: () => pool.end(),
  };
}

interface Payload {
  eventId: string;
  consent?: { channel: string; identity: string | null; customerId: string; state: string };
}

/** Drains every due job with `concurrency` in flight; resolves when none is left. */
export async function runLeanWorker(kind: DbKind, databaseUrl: string, edroneUrl: string, concurrency: number): Promise<void> {
  const store = kind === 'sqlite' ? sqliteStore(databaseUrl.slice('file:'.length)) : pgStore(databaseUrl);
  // The app paces at 95/s per App ID (its shared limiter); the lean worker the same, in process.
  const edrone = createEdroneTraceClient({ baseUrl: edroneUrl, ratePerSecond: 95 });
  const workerId = `lean-${randomUUID().slice(0, 8)}`;

  async function run(job: Claimed): Promise<void> {
    const p = JSON.parse(job.payload) as Payload;
    const c = p.consent;
    if (!c?.identity) throw new Error(`lean worker: job ${job.id} is not a consent change with an identity`);
    const row = await store.read(p.eventId, job.shopId, c.channel, c.identity);
    if (!row?.present || !row.appId) throw new Error(`lean worker: event or shop missing for job ${job.id}`);
    const target = c.state === 'subscribed' ? 'subscribed' : c.state === 'unsubscribed' || c.state === 'not_subscribed' ? 'unsubscribed' : null;
    const send = target !== null && row.edroneState !== target;
    if (send) {
      const status = target === 'subscribed' ? '1' : '0';
      await edrone.sendSubscribe(c.channel === 'email' ? { appId: row.appId, email: c.identity, subscriberStatus: status } : { appId: row.appId, phone: c.identity, smsSubscriberStatus: status });
    }
    await store.finish({ job, channel: c.channel, identity: c.identity, customerId: c.customerId, eventId: p.eventId, state: c.state, sent: send ? target : null, previous: row.edroneState, now: new Date() });
  }

  try {
    const running = new Set<Promise<void>>();
    let failure: unknown = null;
    for (;;) {
      if (failure) throw failure;
      const free = concurrency - running.size;
      const jobs = free > 0 ? await store.claim(free, `${workerId}:${randomUUID().slice(0, 8)}`, new Date()) : [];
      for (const job of jobs) {
        const p: Promise<void> = run(job)
          .catch((e: unknown) => {
            failure ??= e;
          })
          .finally(() => running.delete(p));
        running.add(p);
      }
      if (running.size === 0 && jobs.length === 0) return;
      if (running.size >= concurrency || jobs.length === 0) await Promise.race(running);
    }
  } finally {
    await store.close();
  }
}
