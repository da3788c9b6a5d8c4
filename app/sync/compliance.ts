// Privacy webhooks and uninstall: data is really reported or erased.
import { normalizeEmail, normalizePhone } from '../core/identity.js';
import type { CustomerRef, DataLayer } from '../db/index.js';
import { recordActivity } from './activity.js';

type Data = Pick<DataLayer, 'compliance' | 'activity'>;

/** A compliance request's customer, as Shopify sent it. */
export interface ComplianceCustomer {
  id?: string | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
}

function refOf(customer: ComplianceCustomer): CustomerRef {
  const identities = [normalizeEmail(customer.email), normalizePhone(customer.phone)].filter((v): v is string => Boolean(v));
  return { ...customer, identities };
}

const noted = (shopId: string, reason: string) =>
  ({ shopId, origin: 'shopify', target: 'none', channel: 'none', result: 'recorded', reason }) as const;

export async function handleUninstalled(data: Data, shopId: string, now: Date): Promise<void> {
  await data.compliance.markUninstalled(shopId, now);
  await recordActivity(data, noted(shopId, 'The app was uninstalled: sync stopped and access tokens were deleted.'));
}

export async function handleCustomerRedact(data: Data, shopId: string, customer: ComplianceCustomer, ownEventId: string): Promise<void> {
  await data.compliance.eraseCustomer(shopId, refOf(customer), ownEventId);
  await recordActivity(data, noted(shopId, 'Customer redaction request: every stored record of that customer was erased.'));
}

export async function handleDataRequest(data: Data, shopId: string, customer: ComplianceCustomer, now: Date): Promise<void> {
  const { consent, activity, storefront } = await data.compliance.customerRecords(shopId, refOf(customer));
  const report = {
    generatedAt: now.toISOString(),
    customer: { id: customer.id ?? null, email: customer.email ?? null, phone: customer.phone ?? null },
    consent: consent.map((c) => ({
      channel: c.channel, identity: c.identity, shopifyState: c.shopifyState, shopifyAt: c.shopifyAt,
      edroneState: c.edroneState, edroneAt: c.edroneAt,
    })),
    activity: activity.map((a) => ({ at: a.createdAt, origin: a.origin, target: a.target, channel: a.channel, newState: a.newState, result: a.result, reason: a.reason })),
    // Read from Shopify for the storefront check (a logged-in customer the sync had no record of).
    storefrontLookup: storefront.map((s) => ({ emailState: s.emailState, smsState: s.smsState, lookedUpAt: s.lookedUpAt })),
  };
  await data.compliance.saveDataRequestReport(shopId, [customer.email, customer.phone, customer.id].filter(Boolean).join(' / '), report);
  await recordActivity(data, noted(shopId, `Customer data request: a report of ${consent.length} consent record(s) and ${activity.length} change(s) was prepared.`));
}

export async function handleShopRedact(data: Pick<DataLayer, 'compliance'>, shopId: string): Promise<void> {
  await data.compliance.eraseShop(shopId);
}
