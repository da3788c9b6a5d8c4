// The consent-history CSV export: rows are read in keyset-paged batches (an
// index range each, never an OFFSET) and handed out one batch of CSV text at a
// time, so the caller can stream them with backpressure and memory stays flat
// whatever the number of rows.
import { csvField, HISTORY_CSV_COLUMNS } from '../core/consent-history.js';
import type { ConsentHistoryRow, DataLayer, HistoryCursor, HistoryExportFilter } from '../db/index.js';
import { customerIdentity, resolveCustomer } from './customer-history.js';

type Data = Pick<DataLayer, 'consentHistory'>;

export const EXPORT_BATCH = 2000;

export interface HistoryExportRequest {
  from?: string | undefined;
  to?: string | undefined;
  channel?: 'email' | 'sms' | undefined;
  customer?: string | undefined;
}

/** The request as a database filter: a customer becomes all their identities (email and phone). */
export async function historyExportFilter(data: Data, shopId: string, q: HistoryExportRequest): Promise<HistoryExportFilter> {
  const identities = q.customer ? (await resolveCustomer(data, shopId, customerIdentity(q.customer))).identities : undefined;
  return {
    shopId,
    from: q.from ? new Date(q.from) : undefined,
    // A bare date as `to` includes that whole day.
    to: q.to ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(q.to) ? Date.parse(q.to) + 86_400_000 : q.to) : undefined,
    channel: q.channel,
    identities,
  };
}

export function csvLine(r: ConsentHistoryRow): string {
  const values = [
    r.createdAt.toISOString(),
    r.channel,
    r.identity,
    r.customerId,
    r.source,
    r.origin,
    r.actor,
    r.observedState,
    r.eventAt?.toISOString() ?? null,
    r.reasonCode,
    r.reasonName,
    r.reasonWords,
    r.action,
    r.target,
    r.writtenState,
    r.optInLevel,
    r.detail,
  ];
  return `${values.map(csvField).join(',')}\r\n`;
}

/** How many rows the export will have (for the admin's progress bar). */
export function countHistory(data: Data, filter: HistoryExportFilter): Promise<number> {
  return data.consentHistory.count(filter);
}

/** The CSV, header first, one chunk per batch of rows. */
export async function* historyCsvChunks(data: Data, filter: HistoryExportFilter, batch = EXPORT_BATCH): AsyncGenerator<string> {
  yield `${HISTORY_CSV_COLUMNS.join(',')}\r\n`;
  let cursor: HistoryCursor | null = null;
  for (;;) {
    const rows = await data.consentHistory.batchAfter(filter, cursor, batch);
    if (rows.length === 0) return;
    let chunk = '';
    for (const r of rows) chunk += csvLine(r);
    yield chunk;
    const last = rows[rows.length - 1]!;
    cursor = { createdAt: last.createdAt, id: last.id };
    if (rows.length < batch) return;
  }
}
