// Deciding one report once. Ingest stores each delivery once (deduplicated on the webhook
// id or edrone's event_id), but a job can still run twice: its worker died after the
// record was saved and before the job was marked done. A report decided again is no new
// information, yet the rules may read it differently the second time (a same-second tie
// with the app's own trace since, say) and write once more. So the record remembers the
// reports it decided; the second time, only what the record says is still missing is
// written (the writes an interrupted first run did not finish), or nothing.
import { writesNeeded, type Decision } from './decide.js';
import type { Channel, ConsentRecord, SyncSettings } from './types.js';

/** How many decided report ids a record keeps: a retried job runs within minutes of the first run. */
export const REPORT_MEMORY_COUNT = 16;

export function decidedBefore(record: ConsentRecord, reportId: string): boolean {
  return record.decidedReports?.includes(reportId) ?? false;
}

export function rememberReport(record: ConsentRecord, reportId: string): ConsentRecord {
  const ids = [...(record.decidedReports ?? []).filter((id) => id !== reportId), reportId];
  return { ...record, decidedReports: ids.slice(-REPORT_MEMORY_COUNT) };
}

/**
 * `decide` for a report the app has not decided yet; for one it has, the writes still
 * missing (`duplicate` when none). `reportId` null (a read-back of a bulk run, not a
 * report) always decides.
 */
export function decideOnce<E extends { channel: Channel }>(
  decide: (record: ConsentRecord, event: E, settings: SyncSettings, now: Date) => Decision,
  record: ConsentRecord,
  event: E,
  settings: SyncSettings,
  now: Date,
  reportId: string | null,
): Decision {
  if (reportId === null) return decide(record, event, settings, now);
  if (decidedBefore(record, reportId)) {
    const { writes } = writesNeeded(record, event.channel, settings);
    return writes.length > 0 ? { writes, skip: null, record } : { writes: [], skip: 'duplicate', record };
  }
  const decision = decide(record, event, settings, now);
  return { ...decision, record: rememberReport(decision.record, reportId) };
}
