// A customer's consent history: both channels across both systems, from the
// history rows (what changed, who made it, what the app did) and the consent
// rows (what each side holds now). Found by email or phone; the customer's
// Shopify id links the other channel's identity.
import type { CustomerConsentAnswer, HistoryEntry } from '../api-contract/index.js';
import { normalizeEmail, normalizePhone } from '../core/identity.js';
import type { OptInLevel } from '../core/opt-in-level.js';
import type { Channel } from '../core/types.js';
import type { ConsentHistoryRow, DataLayer } from '../db/index.js';
import { InputError } from '../errors.js';

type Data = Pick<DataLayer, 'consentHistory'>;

/** The normalised identity a merchant typed: an email, or a phone in international form. */
export function customerIdentity(raw: string): string {
  const identity = raw.includes('@') ? normalizeEmail(raw) : normalizePhone(raw);
  if (!identity) {
    throw new InputError('Enter a customer email, or a phone number with its country code (+48…).', {
      customer: 'not an email or an international phone number',
    });
  }
  return identity;
}

/** The identities and Shopify ids of one customer, starting from one identity. */
export async function resolveCustomer(data: Data, shopId: string, identity: string) {
  const first = await data.consentHistory.currentStates(shopId, [identity], []);
  const ids = new Set(first.map((s) => s.shopifyCustomerId).filter((v): v is string => Boolean(v)));
  const seen = await data.consentHistory.forCustomer(shopId, [identity], [], 50);
  for (const r of seen) if (r.customerId) ids.add(r.customerId);
  const states = ids.size ? await data.consentHistory.currentStates(shopId, [identity], [...ids]) : first;
  const identities = new Set([identity, ...states.map((s) => s.identity)]);
  return { identities: [...identities], customerIds: [...ids], states };
}

export function toHistoryEntry(r: ConsentHistoryRow): HistoryEntry {
  return {
    id: r.id,
    recordedAt: r.createdAt.toISOString(),
    source: r.source as HistoryEntry['source'],
    origin: r.origin as HistoryEntry['origin'],
    changedBy: r.actor,
    observedState: r.observedState,
    changedAt: r.eventAt?.toISOString() ?? null,
    edroneReasonCode: r.reasonCode,
    edroneReason: r.reasonName,
    edroneReasonWords: r.reasonWords,
    action: r.action as HistoryEntry['action'],
    target: r.target as HistoryEntry['target'],
    writtenState: r.writtenState,
    optInLevel: (r.optInLevel as OptInLevel | null) ?? null,
    detail: r.detail,
  };
}

export async function customerConsentHistory(deps: { data: Data }, shopId: string, query: string): Promise<CustomerConsentAnswer> {
  const identity = customerIdentity(query);
  const { identities, customerIds, states } = await resolveCustomer(deps.data, shopId, identity);
  const rows = await deps.data.consentHistory.forCustomer(shopId, identities, customerIds);
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  const channel = (c: Channel): CustomerConsentAnswer['channels'][number] => {
    const state = states.filter((s) => s.channel === c).sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0];
    const entries = rows.filter((r) => r.channel === c);
    return {
      channel: c,
      identity: state?.identity ?? entries.at(-1)?.identity ?? (c === 'email' ? normalizeEmail(query) : normalizePhone(query)),
      now: {
        shopify: { state: state?.shopifyState ?? null, at: iso(state?.shopifyAt ?? null) },
        edrone: { state: state?.edroneState ?? null, at: iso(state?.edroneAt ?? null) },
        lastChange: {
          state: state?.truthState ?? null,
          at: iso(state?.truthAt ?? null),
          side: (state?.truthSource as 'shopify' | 'edrone' | null) ?? null,
        },
      },
      entries: entries.map(toHistoryEntry),
    };
  };
  return { customer: { query, shopifyCustomerIds: customerIds }, channels: [channel('email'), channel('sms')] };
}
