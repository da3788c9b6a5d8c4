// One consent-history entry from one recorded outcome: the change that was
// observed (side, who or what made it, edrone's reason in words, the opt-in
// level, when) and what the app did with it (wrote where, skipped why).
// Pure: the caller stores the entry.
import { parseOptInLevel, reasonRow, type OptInLevel } from './opt-in-level.js';
import type { Channel } from './types.js';

/** The fields of a recorded outcome the history reads (a subset of an Activity row). */
export interface OutcomeInput {
  shopId: string;
  eventId?: string | null;
  origin: 'shopify' | 'edrone' | 'backfill' | 'reconcile' | 'app';
  target: 'edrone' | 'shopify' | 'none';
  channel: Channel | 'none';
  identity?: string | null;
  customerId?: string | null;
  newState?: string | null;
  result: string;
  reason?: string | null;
  reasonCode?: string | null;
  /** When the change happened on its side (consent_updated_at, event_date). */
  eventAt?: Date | null;
  /** The state the side reported (for a write, newState is what was written). */
  observedState?: string | null;
  /** The opt-in level Shopify recorded for this change (never more than it recorded). */
  optInLevel?: OptInLevel | string | null;
}

export interface HistoryEntry {
  shopId: string;
  channel: Channel;
  identity: string;
  customerId: string | null;
  eventId: string | null;
  source: 'shopify' | 'edrone';
  origin: 'shopify' | 'edrone' | 'backfill' | 'reconcile';
  actor: string;
  observedState: string | null;
  eventAt: Date | null;
  reasonCode: string | null;
  reasonName: string | null;
  reasonWords: string | null;
  action: 'sent' | 'skipped' | 'failed' | 'no_customer';
  target: 'edrone' | 'shopify' | 'none';
  writtenState: string | null;
  optInLevel: OptInLevel | null;
  detail: string | null;
}

const ACTOR_WORDS: Record<string, string> = {
  customer: 'the customer (in edrone)',
  agent: 'an agent in edrone',
  import: 'an import in edrone',
  trace: 'a trace to edrone (an integration, possibly this app)',
  mail_system: "edrone's mail system",
  external_api: "an external system through edrone's API",
  unknown: 'edrone (source not stated)',
};

const SHOPIFY_ACTOR: Record<HistoryEntry['origin'], string> = {
  shopify: 'Shopify (the customer, staff or another app)',
  backfill: 'Shopify, read by the initial sync',
  reconcile: 'Shopify, read by reconciliation',
  edrone: '',
};

const ACTIONS = new Set(['sent', 'skipped', 'failed', 'no_customer']);

/** The history entry of an outcome; null for outcomes about no customer channel (uninstall, compliance, dead jobs). */
export function historyEntryOf(a: OutcomeInput): HistoryEntry | null {
  if (a.channel === 'none' || !a.identity || a.origin === 'app' || !ACTIONS.has(a.result)) return null;
  const source = a.origin === 'edrone' ? 'edrone' : 'shopify';
  const row = source === 'edrone' ? reasonRow(a.channel, a.reasonCode) : null;
  const wrote = a.result === 'sent';
  return {
    shopId: a.shopId,
    channel: a.channel,
    identity: a.identity,
    customerId: a.customerId ?? null,
    eventId: a.eventId ?? null,
    source,
    origin: a.origin,
    actor: source === 'edrone' ? ACTOR_WORDS[row?.actor ?? 'unknown']! : SHOPIFY_ACTOR[a.origin],
    // A skip's newState is the observed state; a write's is what was written.
    observedState: a.observedState ?? (wrote ? null : (a.newState ?? null)),
    eventAt: a.eventAt ?? null,
    reasonCode: source === 'edrone' ? (a.reasonCode ?? null) : null,
    reasonName: row?.name ?? null,
    reasonWords: row?.words ?? null,
    action: a.result as HistoryEntry['action'],
    target: a.target,
    writtenState: wrote ? (a.newState ?? null) : null,
    optInLevel: typeof a.optInLevel === 'string' ? parseOptInLevel(a.optInLevel) : null,
    detail: a.reason ?? null,
  };
}

/** The CSV columns of the export, in order (README "Consent history export"). */
export const HISTORY_CSV_COLUMNS = [
  'recorded_at',
  'channel',
  'customer',
  'shopify_customer_id',
  'side',
  'origin',
  'changed_by',
  'observed_state',
  'changed_at',
  'edrone_reason_code',
  'edrone_reason',
  'edrone_reason_words',
  'app_action',
  'written_to',
  'written_state',
  'opt_in_level',
  'detail',
] as const;

/**
 * One CSV field: quoted when it holds a comma, quote or line break. Text a spreadsheet would run
 * as a formula is defused with a leading quote; an E.164 phone (+48…) is kept as it is.
 */
export function csvField(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const safe = /^([=@\t\r]|[+-](?!\d))/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
