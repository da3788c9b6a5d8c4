// The ConsentState rows behind the pure rules. A handle remembers the version it
// read: a save after someone else's (another worker process) fails with a
// retriable error, and the job then decides again on fresh state.
import { z } from 'zod';
import type { Channel, ConsentRecord, EdroneState, ShopifyState } from '../core/types.js';
import { EMPTY_RECORD } from '../core/types.js';
import { RetriableError } from '../errors.js';
import { isUniqueViolation, type PrismaClient } from './database.js';

export interface ConsentKey {
  shopId: string;
  channel: Channel;
  identity: string;
}

export interface ConsentHandle {
  readonly key: ConsentKey;
  /** The state as read. */
  readonly record: ConsentRecord;
  readonly shopifyCustomerId: string | null;
  /** Stores the record (and the Shopify customer id when given); throws RetriableError on a concurrent change. */
  save(record: ConsentRecord, shopifyCustomerId?: string | null): Promise<void>;
}

const whereKey = (k: ConsentKey) => ({ shopId: k.shopId, channel: k.channel, identity: k.identity });


const storedTraces = z.object({
  from: z.number().nullable(),
  traces: z.array(z.object({ state: z.enum(['subscribed', 'unsubscribed']), sentAt: z.number(), doneAt: z.number().nullable(), reportedAt: z.number().nullable().default(null) })),
  /** The reports decided for this row (core/report-memory.ts); absent in rows from before it. */
  reports: z.array(z.string().max(64)).max(64).default([]),
});

type Memory = Pick<ConsentRecord, 'recentTraces' | 'tracesCompleteFrom' | 'decidedReports'>;

/** The stored trace and report memory; a row from before it (null) or an unreadable one remembers none, completeness unknown. */
function parseTraces(json: string | null): Memory {
  const unknown = { recentTraces: [], tracesCompleteFrom: null, decidedReports: [] };
  if (!json) return unknown;
  try {
    const parsed = storedTraces.safeParse(JSON.parse(json));
    return parsed.success ? { recentTraces: parsed.data.traces, tracesCompleteFrom: parsed.data.from, decidedReports: parsed.data.reports } : unknown;
  } catch {
    return unknown;
  }
}

function concurrent(): RetriableError {
  return new RetriableError('concurrent_update', 'This customer changed while the change was applied; it will be applied again.');
}

/** The ConsentState columns the rules read, as stored (dates as Date). */
export interface StoredConsentRow {
  shopifyCustomerId: string | null;
  truthState: string | null;
  truthAt: Date | null;
  truthSource: string | null;
  shopifyState: string | null;
  shopifyAt: Date | null;
  edroneState: string | null;
  edroneAt: Date | null;
  wroteShopifyState: string | null;
  wroteShopifyAt: Date | null;
  wroteShopifyWallAt: Date | null;
  wroteEdroneState: string | null;
  wroteEdroneAt: Date | null;
  wroteEdroneWallAt: Date | null;
  wroteEdroneDoneAt: Date | null;
  wroteEdroneOtherWallAt: Date | null;
  wroteEdroneSeriesAt: Date | null;
  recentTraces: string | null;
  version: number;
}

/** The record the rules see in a stored row (or the empty record when there is none). */
export function recordOfRow(row: StoredConsentRow | null): ConsentRecord {
  return row
    ? {
        truthState: row.truthState as EdroneState | null,
        truthAt: row.truthAt,
        truthSource: row.truthSource as ConsentRecord['truthSource'],
        shopifyState: row.shopifyState as ShopifyState | null,
        shopifyAt: row.shopifyAt,
        edroneState: row.edroneState as EdroneState | null,
        edroneAt: row.edroneAt,
        wroteShopifyState: row.wroteShopifyState as ShopifyState | null,
        wroteShopifyAt: row.wroteShopifyAt,
        wroteShopifyWallAt: row.wroteShopifyWallAt,
        wroteEdroneState: row.wroteEdroneState as EdroneState | null,
        wroteEdroneAt: row.wroteEdroneAt,
        wroteEdroneWallAt: row.wroteEdroneWallAt,
        wroteEdroneDoneAt: row.wroteEdroneDoneAt,
        wroteEdroneOtherWallAt: row.wroteEdroneOtherWallAt,
        wroteEdroneSeriesAt: row.wroteEdroneSeriesAt,
        ...parseTraces(row.recentTraces),
      }
    : { ...EMPTY_RECORD };
}

/** The columns a save writes: only ConsentRecord fields, the trace memory as JSON. */
export function columnsOfRecord(next: ConsentRecord) {
  const { recentTraces, tracesCompleteFrom, decidedReports = [], ...fields } = pickRecord(next);
  return { ...fields, recentTraces: JSON.stringify({ from: tracesCompleteFrom, traces: recentTraces, reports: decidedReports }) };
}

export function concurrentConsentUpdate(): RetriableError {
  return concurrent();
}

export async function openConsent(prisma: PrismaClient, k: ConsentKey): Promise<ConsentHandle> {
  const row = await prisma.consentState.findUnique({ where: { shopId_channel_identity: whereKey(k) } });
  let version = row?.version ?? null;
  const record = recordOfRow(row);

  return {
    key: k,
    record,
    shopifyCustomerId: row?.shopifyCustomerId ?? null,
    async save(next, shopifyCustomerId) {
      // Only ConsentRecord fields are written; an id is set only when given, never erased.
      const data = { ...columnsOfRecord(next), ...(shopifyCustomerId ? { shopifyCustomerId } : {}) };
      if (version === null) {
        try {
          await prisma.consentState.create({ data: { ...whereKey(k), ...data, version: 1 } });
        } catch (e) {
          if (isUniqueViolation(e)) throw concurrent();
          throw e;
        }
        version = 1;
        return;
      }
      const { count } = await prisma.consentState.updateMany({ where: { ...whereKey(k), version }, data: { ...data, version: version + 1 } });
      if (count !== 1) throw concurrent();
      version += 1;
    },
  };
}

/** `${channel}:${identity}` */
export type ConsentRowKey = string;

export function createConsentRepository(prisma: PrismaClient) {
  return {
    /** Reads one customer's row (or an empty record) with the version a save will check. */
    open: (key: ConsentKey) => openConsent(prisma, key),
    /** Of the candidate keys, the ones without a row (one query per channel). */
    async withoutRows(shopId: string, candidates: ConsentRowKey[]): Promise<Set<ConsentRowKey>> {
      const absent = new Set(candidates);
      for (const channel of ['email', 'sms'] as const) {
        const identities = candidates.filter((k) => k.startsWith(`${channel}:`)).map((k) => k.slice(channel.length + 1));
        if (identities.length === 0) continue;
        const rows = await prisma.consentState.findMany({
          where: { shopId, channel, identity: { in: identities } },
          select: { identity: true },
        });
        for (const r of rows) absent.delete(`${channel}:${r.identity}`);
      }
      return absent;
    },
  };
}

export type ConsentRepository = ReturnType<typeof createConsentRepository>;

function pickRecord(r: ConsentRecord): ConsentRecord {
  const out = {} as Record<keyof ConsentRecord, unknown>;
  for (const field of Object.keys(EMPTY_RECORD) as (keyof ConsentRecord)[]) out[field] = r[field];
  return out as unknown as ConsentRecord;
}
