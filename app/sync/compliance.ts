// Privacy webhooks and uninstall: data is really reported or erased.
import { normalizeEmail, normalizePhone } from '../core/identity.js';
import type { PrismaClient } from '../db/database.js';
import type { ShopifyPayload } from '../adapters/shopify/index.js';
import { recordActivity } from './activity.js';

type Customer = ShopifyPayload<'customers/redact'>['customer'];

function identitiesOf(customer: Customer): string[] {
  return [normalizeEmail(customer.email), normalizePhone(customer.phone)].filter((v): v is string => Boolean(v));
}

/** Everything stored about one customer: where the redact and data request topics look. */
function customerFilter(shopId: string, customer: Customer) {
  const identities = identitiesOf(customer);
  return {
    consent: { shopId, OR: [{ identity: { in: identities } }, ...(customer.id ? [{ shopifyCustomerId: customer.id }] : [])] },
    activity: { shopId, OR: [{ identity: { in: identities } }, ...(customer.id ? [{ customerId: customer.id }] : [])] },
    // Raw payloads are text: match any of the customer's identifiers as they may appear in them.
    events: {
      shopId,
      OR: [...identities, customer.email?.trim(), customer.phone?.trim(), customer.id]
        .filter((v): v is string => Boolean(v))
        .map((needle) => ({ payload: { contains: needle } })),
    },
  };
}

export async function handleUninstalled(prisma: PrismaClient, shopId: string, now: Date): Promise<void> {
  const ended = { status: 'failed', activeKey: null, finishedAt: now, error: 'The app was uninstalled from this store.' };
  await prisma.$transaction([
    prisma.shop.update({ where: { id: shopId }, data: { uninstalledAt: now } }),
    prisma.session.deleteMany({ where: { shop: shopId } }),
    // Runs in progress stop: their jobs find them ended and do nothing.
    prisma.backfillRun.updateMany({ where: { shopId, status: 'running' }, data: ended }),
    prisma.reconcileRun.updateMany({ where: { shopId, status: 'running' }, data: ended }),
  ]);
  await recordActivity(prisma, {
    shopId, origin: 'shopify', target: 'none', channel: 'none', result: 'recorded',
    reason: 'The app was uninstalled: sync stopped and access tokens were deleted.',
  });
}

export async function handleCustomerRedact(prisma: PrismaClient, shopId: string, customer: Customer, ownEventId: string): Promise<void> {
  const f = customerFilter(shopId, customer);
  const identities = identitiesOf(customer);
  await prisma.$transaction([
    prisma.consentState.deleteMany({ where: f.consent }),
    prisma.activity.deleteMany({ where: f.activity }),
    ...(f.events.OR.length ? [prisma.inboundEvent.deleteMany({ where: f.events })] : []),
    prisma.inboundEvent.deleteMany({ where: { id: ownEventId } }),
    prisma.complianceRequest.deleteMany({
      where: { shopId, OR: [...identities, customer.id].filter((v): v is string => Boolean(v)).map((c) => ({ customer: { contains: c } })) },
    }),
  ]);
  await recordActivity(prisma, {
    shopId, origin: 'shopify', target: 'none', channel: 'none', result: 'recorded',
    reason: 'Customer redaction request: every stored record of that customer was erased.',
  });
}

export async function handleDataRequest(prisma: PrismaClient, shopId: string, customer: Customer, now: Date): Promise<void> {
  const f = customerFilter(shopId, customer);
  const [consent, activity] = await Promise.all([
    prisma.consentState.findMany({ where: f.consent }),
    prisma.activity.findMany({ where: f.activity, orderBy: { createdAt: 'asc' } }),
  ]);
  const report = {
    generatedAt: now.toISOString(),
    customer: { id: customer.id ?? null, email: customer.email ?? null, phone: customer.phone ?? null },
    consent: consent.map((c) => ({
      channel: c.channel, identity: c.identity, shopifyState: c.shopifyState, shopifyAt: c.shopifyAt,
      edroneState: c.edroneState, edroneAt: c.edroneAt,
    })),
    activity: activity.map((a) => ({ at: a.createdAt, origin: a.origin, target: a.target, channel: a.channel, newState: a.newState, result: a.result, reason: a.reason })),
  };
  await prisma.complianceRequest.create({
    data: { shopId, topic: 'customers/data_request', customer: [customer.email, customer.phone, customer.id].filter(Boolean).join(' / '), report: JSON.stringify(report) },
  });
  await recordActivity(prisma, {
    shopId, origin: 'shopify', target: 'none', channel: 'none', result: 'recorded',
    reason: `Customer data request: a report of ${consent.length} consent record(s) and ${activity.length} change(s) was prepared.`,
  });
}

export async function handleShopRedact(prisma: PrismaClient, shopId: string): Promise<void> {
  await prisma.$transaction([
    prisma.session.deleteMany({ where: { shop: shopId } }),
    prisma.consentState.deleteMany({ where: { shopId } }),
    prisma.activity.deleteMany({ where: { shopId } }),
    prisma.inboundEvent.deleteMany({ where: { shopId } }),
    prisma.complianceRequest.deleteMany({ where: { shopId } }),
    prisma.backfillRun.deleteMany({ where: { shopId } }),
    prisma.reconcileRun.deleteMany({ where: { shopId } }),
    prisma.job.deleteMany({ where: { shopId, status: { not: 'running' } } }),
    prisma.shop.deleteMany({ where: { id: shopId } }),
  ]);
}
