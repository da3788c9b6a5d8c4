// How edrone's reason for a status maps to the opt-in level Shopify keeps
// (marketingOptInLevel, M3AAWG levels). One table per channel, by reason id and
// name (edrone.md §1.8); README "Opt-in level" prints the same table.
// Rule: only a reason that says HOW the customer opted in earns a level above
// UNKNOWN. A confirmed double opt-in (the customer clicked edrone's confirmation or
// subscribe link) is CONFIRMED_OPT_IN; a sign-up the customer made themselves
// with no confirmation step is SINGLE_OPT_IN; imports, agents, traces (which may be
// the app's own write), legacy statuses, unsubscribes and anything unknown are UNKNOWN.
// Pure: no I/O.
import type { Channel } from './types.js';

export const OPT_IN_LEVELS = ['CONFIRMED_OPT_IN', 'SINGLE_OPT_IN', 'UNKNOWN'] as const;
export type OptInLevel = (typeof OPT_IN_LEVELS)[number];

/** Who or what made a change, as the consent history shows it. */
export const ACTORS = ['customer', 'agent', 'import', 'trace', 'mail_system', 'external_api', 'unknown'] as const;
export type Actor = (typeof ACTORS)[number];

export interface ReasonRow {
  id: number;
  name: string;
  level: OptInLevel;
  actor: Actor;
  /** edrone's reason in plain words, for the merchant and an auditor. */
  words: string;
  /** Who or what made the change, short, to end "Unsubscribed in edrone …" (app/core/activity-words.ts). */
  by: string;
}

export const EMAIL_REASON_TABLE: readonly ReasonRow[] = [
  { id: 1, name: 'CUSTOMER_UNSUBSCRIBED', level: 'UNKNOWN', actor: 'customer', words: 'The customer clicked the unsubscribe link', by: 'by the customer' },
  { id: 2, name: 'HARD_BOUNCED_UNSUBSCRIBED', level: 'UNKNOWN', actor: 'mail_system', words: 'The address hard-bounced, so edrone unsubscribed it', by: 'because the address bounced' },
  { id: 3, name: 'CUSTOMER_SPAM_COMPLAINT_UNSUBSCRIBED', level: 'UNKNOWN', actor: 'customer', words: 'The customer marked a message as spam', by: 'after a spam complaint' },
  { id: 4, name: 'AGENT_UNSUBSCRIBED', level: 'UNKNOWN', actor: 'agent', words: 'An agent unsubscribed the customer in edrone Mission Control', by: 'by an agent' },
  { id: 5, name: 'EMAIL_INCORRECT_UNSUBSCRIBED', level: 'UNKNOWN', actor: 'mail_system', words: 'The email address is malformed, so edrone unsubscribed it', by: 'because the address is invalid' },
  { id: 6, name: 'TRACE_UNSUBSCRIBED', level: 'UNKNOWN', actor: 'trace', words: 'A trace (an integration such as this app) set the customer unsubscribed', by: 'by an integration' },
  { id: 7, name: 'DATA_IMPORT_UNSUBSCRIBED', level: 'UNKNOWN', actor: 'import', words: 'A CSV import set the customer unsubscribed', by: 'by an import' },
  { id: 8, name: 'EXTERNAL_API_UNSUBSCRIBED', level: 'UNKNOWN', actor: 'external_api', words: "An external system unsubscribed the customer through edrone's API", by: "through edrone's API" },
  { id: 9, name: 'SPAM_BOUNCED_UNSUBSCRIBED', level: 'UNKNOWN', actor: 'mail_system', words: 'The mail provider rejected messages as spam, so edrone unsubscribed the address', by: 'because mail was rejected as spam' },
  { id: 10, name: 'TRACE_SUBSCRIBED', level: 'UNKNOWN', actor: 'trace', words: 'A trace (an integration such as this app) set the customer subscribed', by: 'by an integration' },
  { id: 11, name: 'AGENT_SUBSCRIBED', level: 'UNKNOWN', actor: 'agent', words: 'An agent subscribed the customer in edrone Mission Control', by: 'by an agent' },
  { id: 12, name: 'DATA_IMPORT_SUBSCRIBED', level: 'UNKNOWN', actor: 'import', words: 'A CSV import set the customer subscribed', by: 'by an import' },
  { id: 13, name: 'TRACE_UNKNOWN', level: 'UNKNOWN', actor: 'trace', words: 'A trace set the status to unknown', by: 'by an integration' },
  { id: 14, name: 'ENGAGEMENT_TEST_MESSAGE_UNKNOWN', level: 'UNKNOWN', actor: 'unknown', words: 'A test message went to an address edrone did not know', by: 'by a test message' },
  { id: 15, name: 'SUBSCRIPTION_CHANGED_EVENT_SUBSCRIBED', level: 'CONFIRMED_OPT_IN', actor: 'customer', words: "The customer confirmed by clicking edrone's subscribe link", by: 'by the customer, through a subscribe link' },
];

export const SMS_REASON_TABLE: readonly ReasonRow[] = [
  { id: 1, name: 'DATA_IMPORT_SUBSCRIBED', level: 'UNKNOWN', actor: 'import', words: 'A CSV import set the phone subscribed', by: 'by an import' },
  { id: 2, name: 'DATA_IMPORT_UNSUBSCRIBED', level: 'UNKNOWN', actor: 'import', words: 'A CSV import set the phone unsubscribed', by: 'by an import' },
  { id: 3, name: 'DATA_IMPORT_UNKNOWN', level: 'UNKNOWN', actor: 'import', words: 'A CSV import set the phone to unknown', by: 'by an import' },
  { id: 4, name: 'AGENT_UNSUBSCRIBED', level: 'UNKNOWN', actor: 'agent', words: 'An agent unsubscribed the phone in edrone Mission Control', by: 'by an agent' },
  { id: 5, name: 'AGENT_SUBSCRIBED', level: 'UNKNOWN', actor: 'agent', words: 'An agent subscribed the phone in edrone Mission Control', by: 'by an agent' },
  { id: 6, name: 'CUSTOMER_UNSUBSCRIBED', level: 'UNKNOWN', actor: 'customer', words: 'The customer unsubscribed from SMS', by: 'by the customer' },
  { id: 7, name: 'LEGACY_SUBSCRIBED', level: 'UNKNOWN', actor: 'unknown', words: 'A subscription carried over from an older system (legacy status)', by: 'from an older system' },
  { id: 8, name: 'CUSTOMER_DELETED_UNSUBSCRIBED', level: 'UNKNOWN', actor: 'customer', words: 'The customer profile was deleted, so the phone was unsubscribed', by: 'because the customer profile was deleted' },
  { id: 9, name: 'CUSTOMER_SELF_RESURRECT', level: 'SINGLE_OPT_IN', actor: 'customer', words: 'The customer subscribed again by themselves', by: 'by the customer' },
  { id: 10, name: 'TRACE_UPDATE', level: 'UNKNOWN', actor: 'trace', words: 'A trace (an integration such as this app) changed the SMS status', by: 'by an integration' },
  { id: 11, name: 'CHAT_UNKNOWN', level: 'UNKNOWN', actor: 'unknown', words: 'The chat changed the SMS status', by: 'in the chat' },
  { id: 12, name: 'INBOX_UNKNOWN', level: 'UNKNOWN', actor: 'unknown', words: 'The inbox changed the SMS status', by: 'in the inbox' },
];

export function reasonTable(channel: Channel): readonly ReasonRow[] {
  return channel === 'email' ? EMAIL_REASON_TABLE : SMS_REASON_TABLE;
}

/** The row of a reason as edrone sent it: a numeric id or a name (any case); null when unknown. */
export function reasonRow(channel: Channel, code: string | null | undefined): ReasonRow | null {
  const c = code?.trim() ?? '';
  if (c === '') return null;
  const table = reasonTable(channel);
  if (/^\d+$/.test(c)) return table.find((r) => r.id === Number(c)) ?? null;
  const name = c.toUpperCase();
  return table.find((r) => r.name === name) ?? null;
}

/** The opt-in level Shopify is told for a write caused by this edrone reason; UNKNOWN unless the table says more. */
export function optInLevelFor(channel: Channel, code: string | null | undefined): OptInLevel {
  return reasonRow(channel, code)?.level ?? 'UNKNOWN';
}

const RANK: Record<OptInLevel, number> = { UNKNOWN: 0, SINGLE_OPT_IN: 1, CONFIRMED_OPT_IN: 2 };

/** The weaker of two levels: what may be claimed when two records disagree (null counts as UNKNOWN). */
export function weakerLevel(a: OptInLevel | null | undefined, b: OptInLevel | null | undefined): OptInLevel {
  const x = a ?? 'UNKNOWN';
  const y = b ?? 'UNKNOWN';
  return RANK[x] <= RANK[y] ? x : y;
}

/** Shopify's level from any casing (webhooks send snake case, GraphQL upper case); null when absent or unknown. */
export function parseOptInLevel(value: string | null | undefined): OptInLevel | null {
  const v = value?.trim().toUpperCase();
  return v && (OPT_IN_LEVELS as readonly string[]).includes(v) ? (v as OptInLevel) : null;
}
