// Plain data shared by the pure consent rules. No I/O lives under app/core.
import type { OptInLevel } from './opt-in-level.js';

export const CHANNELS = ['email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Shopify's marketing states, lower snake case as in webhook payloads. */
export const SHOPIFY_STATES = ['subscribed', 'unsubscribed', 'pending', 'not_subscribed', 'redacted', 'invalid'] as const;
export type ShopifyState = (typeof SHOPIFY_STATES)[number];

/** edrone's subscriber_status: 1 subscribed, 0 unsubscribed; empty means unknown and is never an event. */
export type EdroneState = 'subscribed' | 'unsubscribed';

export const DIRECTIONS = ['both', 'shopify_to_edrone', 'edrone_to_shopify', 'paused'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const EDRONE_STATUS_FILTERS = ['all', 'unsubscribes', 'subscribes'] as const;
export type EdroneStatusFilter = (typeof EDRONE_STATUS_FILTERS)[number];

export interface SyncSettings {
  direction: Direction;
  edroneStatuses: EdroneStatusFilter;
  channels: { email: boolean; sms: boolean };
  createMissingCustomers: boolean;
}

/** Where a Shopify-side observation came from: a live webhook, or the app reading Shopify itself. */
export type ShopifyOrigin = 'webhook' | 'backfill' | 'reconcile';

/**
 * What the app knows for one (shop, channel, identity): the newest real change,
 * what each side is believed to hold (with the time of the real change that
 * state stands for), and what the app itself wrote.
 */
export interface ConsentRecord {
  truthState: EdroneState | null;
  truthAt: Date | null;
  truthSource: 'shopify' | 'edrone' | null;
  shopifyState: ShopifyState | null;
  shopifyAt: Date | null;
  edroneState: EdroneState | null;
  edroneAt: Date | null;
  wroteShopifyState: ShopifyState | null;
  wroteShopifyAt: Date | null;
  wroteShopifyWallAt: Date | null;
  wroteEdroneState: EdroneState | null;
  wroteEdroneAt: Date | null;
  /** When the app last sent a trace: edrone's reports dated before it are superseded by it. */
  wroteEdroneWallAt: Date | null;
  /** When edrone confirmed that trace (it answers once applied); null: not known. */
  wroteEdroneDoneAt: Date | null;
  /**
   * When the app last sent a trace of the other state than its last trace (null: never).
   * A TRACE_* report of that other state can be that earlier trace's report only when
   * dated from then on; otherwise it is a real change (a storefront form, say).
   */
  wroteEdroneOtherWallAt: Date | null;
  /** When the app's current series of traces began (each sent within an echo window of the one before). */
  wroteEdroneSeriesAt: Date | null;
  /**
   * The app's recent traces, oldest first (bounded: see afterEdroneWrite). edrone reports
   * every change a trace makes, possibly long after (the app was down, say): a TRACE_*
   * report dated while one of these was being applied is that trace's report, whatever
   * the app traced since.
   */
  recentTraces: readonly TraceMark[];
  /**
   * From when (ms) recentTraces holds every trace the app sent: a TRACE_* report dated
   * from then on that matches none of them is a real change (a storefront form, say).
   * 0 for a customer the app has known since it kept the list; null when not known (a
   * row from before the list: only the older rules apply).
   */
  tracesCompleteFrom: number | null;
  /**
   * Ids of the latest reports (stored deliveries) decided for this record, oldest first
   * (bounded: see report-memory.ts). A job run again after a crash decides its report
   * again: with the id here it only finishes what the record says is still missing.
   */
  decidedReports?: readonly string[];
}

/** One trace the app sent: its state, when it was sent, when edrone answered and the date of its latest report (ms since the epoch). */
export interface TraceMark {
  state: EdroneState;
  sentAt: number;
  doneAt: number | null;
  reportedAt: number | null;
}

export const EMPTY_RECORD: ConsentRecord = {
  truthState: null,
  truthAt: null,
  truthSource: null,
  shopifyState: null,
  shopifyAt: null,
  edroneState: null,
  edroneAt: null,
  wroteShopifyState: null,
  wroteShopifyAt: null,
  wroteShopifyWallAt: null,
  wroteEdroneState: null,
  wroteEdroneAt: null,
  wroteEdroneWallAt: null,
  wroteEdroneDoneAt: null,
  wroteEdroneOtherWallAt: null,
  wroteEdroneSeriesAt: null,
  recentTraces: [],
  tracesCompleteFrom: 0,
  decidedReports: [],
};

/** A consent change seen on Shopify (webhook, backfill or reconciliation). */
export interface ShopifyConsentEvent {
  origin: ShopifyOrigin;
  channel: Channel;
  customerId: string;
  /** Normalised email (email channel) or E.164 phone (sms channel); null when the customer has none. */
  identity: string | null;
  state: ShopifyState;
  /** consent_updated_at, else X-Shopify-Triggered-At; null when Shopify gave no time at all. */
  at: Date | null;
  /** The opt-in level Shopify recorded with this state (CONFIRMED_OPT_IN, SINGLE_OPT_IN, UNKNOWN); null or absent: none given. */
  optInLevel?: OptInLevel | null;
}

/** A consent change reported by edrone, whatever format it arrived in. */
export interface EdroneConsentEvent {
  channel: Channel;
  identity: string | null;
  /** null: edrone sent an empty status ("information not available"). */
  status: EdroneState | null;
  at: Date;
  /** Reason name (e.g. TRACE_UNSUBSCRIBED) when known, for echo detection and the activity log. */
  reason: string | null;
  /** Reason as edrone sent it (numeric id or name). */
  reasonCode: string | null;
}
