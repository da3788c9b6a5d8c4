// Privacy: what is stored about one customer (reported or erased), a shop's
// erasure, and the uninstall. Each erasure is one transaction.
import { deleteIdleJobsMentioning, deleteIdleJobsOf } from '../queue/index.js';
import type { PrismaClient } from './database.js';
import type { ShopCache } from './shop-cache.js';

/** How a customer is named in a compliance request, normalised where the app stores it normalised. */
export interface CustomerRef {
  id?: string | undefined;
  /** As Shopify sent them (raw payloads and reports hold them as sent). */
  email?: string | null | undefined;
  phone?: string | null | undefined;
  /** Normalised email and E.164 phone: how consent rows and activity name the customer. */
  identities: string[];
}

/** Everything stored about one customer: where the redact and data request topics look. */
function customerFilter(shopId: string, customer: CustomerRef) {
  const { identities } = customer;
  return {
    consent: { shopId, OR: [{ identity: { in: identities } }, ...(customer.id ? [{ shopifyCustomerId: customer.id }] : [])] },
    activity: { shopId, OR: [{ identity: { in: identities } }, ...(customer.id ? [{ customerId: customer.id }] : [])] },
    // Raw payloads are text: match any of the customer's identifiers as they may appear in them.
    needles: [...identities, customer.email?.trim(), customer.phone?.trim(), customer.id].filter((v): v is string => Boolean(v)),
  };
}

export function createComplianceRepository(prisma: PrismaClient, cache?: ShopCache) {
  return {
    /** The app was uninstalled: the shop is marked, its tokens deleted and its runs ended. */
    async markUninstalled(shopId: string, now: Date): Promise<void> {
      const ended = { status: 'failed', activeKey: null, finishedAt: now, error: 'The app was uninstalled from this store.' };
      await prisma.$transaction([
        prisma.shop.update({ where: { id: shopId }, data: { uninstalledAt: now } }),
        prisma.session.deleteMany({ where: { shop: shopId } }),
        // Runs in progress stop: their jobs find them ended and do nothing.
        prisma.backfillRun.updateMany({ where: { shopId, status: 'running' }, data: ended }),
        prisma.reconcileRun.updateMany({ where: { shopId, status: 'running' }, data: ended }),
      ]);
      // Ingest must see the uninstall at once (edrone requests of an uninstalled shop are refused).
      cache?.invalidate(shopId);
    },
    /** Erases every stored record of the customer, including the request's own event. */
    async eraseCustomer(shopId: string, customer: CustomerRef, ownEventId: string): Promise<void> {
      const f = customerFilter(shopId, customer);
      const requests = [...customer.identities, customer.id].filter((v): v is string => Boolean(v));
      await prisma.$transaction([
        prisma.consentState.deleteMany({ where: f.consent }),
        prisma.activity.deleteMany({ where: f.activity }),
        ...(customer.id ? [prisma.storefrontCustomer.deleteMany({ where: { shopId, customerId: customer.id } })] : []),
        // The consent history too: a redacted customer is absent from the timeline and every export.
        prisma.consentHistory.deleteMany({ where: f.activity }),
        ...(f.needles.length ? [prisma.inboundEvent.deleteMany({ where: { shopId, OR: f.needles.map((n) => ({ payload: { contains: n } })) } })] : []),
        // Jobs carry the normalised event: those not running go too.
        ...(f.needles.length ? [deleteIdleJobsMentioning(prisma, shopId, f.needles)] : []),
        prisma.inboundEvent.deleteMany({ where: { id: ownEventId } }),
        prisma.complianceRequest.deleteMany({ where: { shopId, OR: requests.map((c) => ({ customer: { contains: c } })) } }),
      ]);
    },
    /** What is stored about the customer, for a data request. */
    async customerRecords(shopId: string, customer: CustomerRef) {
      const f = customerFilter(shopId, customer);
      const [consent, activity, storefront] = await Promise.all([
        prisma.consentState.findMany({ where: f.consent }),
        prisma.activity.findMany({ where: f.activity, orderBy: { createdAt: 'asc' } }),
        customer.id ? prisma.storefrontCustomer.findMany({ where: { shopId, customerId: customer.id } }) : Promise.resolve([]),
      ]);
      return { consent, activity, storefront };
    },
    async saveDataRequestReport(shopId: string, customer: string, report: unknown): Promise<void> {
      await prisma.complianceRequest.create({ data: { shopId, topic: 'customers/data_request', customer, report: JSON.stringify(report) } });
    },
    /** shop/redact: everything of the shop, the shop row included. */
    async eraseShop(shopId: string): Promise<void> {
      await prisma.$transaction([
        prisma.session.deleteMany({ where: { shop: shopId } }),
        prisma.consentState.deleteMany({ where: { shopId } }),
        prisma.activity.deleteMany({ where: { shopId } }),
        prisma.consentHistory.deleteMany({ where: { shopId } }),
        prisma.inboundEvent.deleteMany({ where: { shopId } }),
        prisma.complianceRequest.deleteMany({ where: { shopId } }),
        prisma.storefrontCustomer.deleteMany({ where: { shopId } }),
        prisma.storefrontCheckDay.deleteMany({ where: { shopId } }),
        prisma.backfillRun.deleteMany({ where: { shopId } }),
        prisma.reconcileRun.deleteMany({ where: { shopId } }),
        prisma.rejectedEdroneRequest.deleteMany({ where: { shopId } }),
        deleteIdleJobsOf(prisma, shopId),
        prisma.shop.deleteMany({ where: { id: shopId } }),
      ]);
      cache?.invalidate(shopId);
    },
  };
}

export type ComplianceRepository = ReturnType<typeof createComplianceRepository>;
