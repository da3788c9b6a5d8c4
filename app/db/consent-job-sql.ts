// The statements of a consent job's one read and one write (consent-job.ts),
// for both dialects. Column lists are spelled out once here.

export const SHOP_COLUMNS = [
  'id', 'syncToken', 'edroneAppId', 'edroneAppSecretEnc', 'edroneSignatureVariant', 'direction', 'edroneStatuses', 'syncEmail', 'syncSms',
  'createMissingCustomers', 'reconcileIntervalMinutes', 'installedAt', 'uninstalledAt', 'pausedUntil', 'blockedReason', 'lastShopifyEventAt',
  'lastEdroneEventAt', 'lastReconciledAt', 'createdAt', 'updatedAt',
] as const;

/** The columns a save writes, besides the key, the Shopify customer id and the version. */
export const RECORD_COLUMNS = [
  'truthState', 'truthAt', 'truthSource', 'shopifyState', 'shopifyAt', 'edroneState', 'edroneAt', 'wroteShopifyState', 'wroteShopifyAt',
  'wroteShopifyWallAt', 'wroteEdroneState', 'wroteEdroneAt', 'wroteEdroneWallAt', 'wroteEdroneDoneAt', 'wroteEdroneOtherWallAt',
  'wroteEdroneSeriesAt', 'recentTraces',
] as const;
export type RecordColumn = (typeof RECORD_COLUMNS)[number];

/** Of RECORD_COLUMNS, the dates. */
export const RECORD_DATES = new Set<RecordColumn>([
  'truthAt', 'shopifyAt', 'edroneAt', 'wroteShopifyAt', 'wroteShopifyWallAt', 'wroteEdroneAt', 'wroteEdroneWallAt', 'wroteEdroneDoneAt',
  'wroteEdroneOtherWallAt', 'wroteEdroneSeriesAt',
]);

export const ACTIVITY_COLUMNS = [
  'id', 'shopId', 'jobId', 'eventId', 'origin', 'target', 'channel', 'identity', 'customerId', 'previousState', 'newState', 'result', 'reason',
  'reasonCode', 'retried', 'createdAt',
] as const;

export const HISTORY_COLUMNS = [
  'id', 'shopId', 'channel', 'identity', 'customerId', 'eventId', 'source', 'origin', 'actor', 'observedState', 'eventAt', 'reasonCode',
  'reasonName', 'reasonWords', 'action', 'target', 'writtenState', 'optInLevel', 'detail', 'createdAt',
] as const;

const CONSENT_READ = ['shopifyCustomerId', ...RECORD_COLUMNS, 'version'] as const;
export type ConsentReadColumn = (typeof CONSENT_READ)[number];

const q = (c: string) => `"${c}"`;

/** Event present, the shop's row, and the customer's consent row (columns c_*): one query. */
function readSql(p: [string, string, string, string]): string {
  return `SELECT EXISTS (SELECT 1 FROM "InboundEvent" WHERE "id" = ${p[0]}) AS "eventPresent",
  ${SHOP_COLUMNS.map((c) => `s.${q(c)}`).join(', ')},
  ${CONSENT_READ.map((c) => `c.${q(c)} AS ${q(`c_${c}`)}`).join(', ')}
  FROM (SELECT 1) AS one
  LEFT JOIN "Shop" s ON s."id" = ${p[1]}
  LEFT JOIN "ConsentState" c ON c."shopId" = s."id" AND c."channel" = ${p[2]} AND c."identity" = ${p[3]}`;
}

export const PG_READ = readSql(['$1', '$2', '$3', '$4']);
export const SQLITE_READ = readSql([':eventId', ':shopId', ':channel', ':identity']);

const named = (cols: readonly string[]) => cols.map((c) => `:${c}`).join(', ');

export const SQLITE_INSERT_CONSENT = `INSERT INTO "ConsentState" ("id", "shopId", "channel", "identity", "shopifyCustomerId", ${RECORD_COLUMNS.map(q).join(', ')}, "version", "updatedAt")
  VALUES (:id, :shopId, :channel, :identity, :shopifyCustomerId, ${named(RECORD_COLUMNS)}, 1, :now)
  ON CONFLICT ("shopId", "channel", "identity") DO NOTHING`;
export const SQLITE_UPDATE_CONSENT = `UPDATE "ConsentState" SET ${RECORD_COLUMNS.map((c) => `${q(c)} = :${c}`).join(', ')},
  "shopifyCustomerId" = coalesce(:shopifyCustomerId, "shopifyCustomerId"), "version" = :version + 1, "updatedAt" = :now
  WHERE "shopId" = :shopId AND "channel" = :channel AND "identity" = :identity AND "version" = :version`;
export const SQLITE_INSERT_ACTIVITY = `INSERT INTO "Activity" (${ACTIVITY_COLUMNS.map(q).join(', ')}) VALUES (${named(ACTIVITY_COLUMNS)})`;
export const SQLITE_INSERT_HISTORY = `INSERT INTO "ConsentHistory" (${HISTORY_COLUMNS.map(q).join(', ')}) VALUES (${named(HISTORY_COLUMNS)})`;

/**
 * PostgreSQL: the whole write in one statement (one round trip, one implicit transaction).
 * $1 now, $2 job id, $3 its lockedBy, $4 activity rows (JSON), $5 history rows (JSON), then
 * the consent row: $6 shopId, $7 channel, $8 identity, $9 Shopify customer id, $10.. the
 * record columns, then the new row's id (insert) or the version read (update). Nothing
 * else is written when the consent write found the row changed ("consent" = 0).
 */
export function pgWrite(consent: 'none' | 'insert' | 'update', completeJob: (extra: string) => string): string {
  const rec = RECORD_COLUMNS.map((c, i) => `$${10 + i}${RECORD_DATES.has(c) ? '::timestamp' : ''}`);
  const last = `$${10 + RECORD_COLUMNS.length}`;
  const version = `${last}::int`;
  const c =
    consent === 'none'
      ? 'SELECT 1'
      : consent === 'insert'
        ? `INSERT INTO "ConsentState" ("id", "shopId", "channel", "identity", "shopifyCustomerId", ${RECORD_COLUMNS.map(q).join(', ')}, "version", "updatedAt")
           VALUES (${last}, $6, $7, $8, $9, ${rec.join(', ')}, 1, $1::timestamp)
           ON CONFLICT ("shopId", "channel", "identity") DO NOTHING RETURNING 1`
        : `UPDATE "ConsentState" SET ${RECORD_COLUMNS.map((col, i) => `${q(col)} = ${rec[i]}`).join(', ')},
             "shopifyCustomerId" = coalesce($9, "shopifyCustomerId"), "version" = ${version} + 1, "updatedAt" = $1::timestamp
           WHERE "shopId" = $6 AND "channel" = $7 AND "identity" = $8 AND "version" = ${version} RETURNING 1`;
  const ok = 'EXISTS (SELECT 1 FROM c)';
  return `WITH c AS (${c}),
  a AS (INSERT INTO "Activity" SELECT * FROM json_populate_recordset(NULL::"Activity", $4::json) WHERE ${ok}),
  h AS (INSERT INTO "ConsentHistory" SELECT * FROM json_populate_recordset(NULL::"ConsentHistory", $5::json) WHERE ${ok}),
  j AS (${completeJob(ok)})
  SELECT (SELECT count(*) FROM c)::int AS "consent"`;
}
