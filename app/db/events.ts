// Accepted deliveries (Shopify webhooks, edrone requests): stored raw for audit,
// deduplicated per shop and source, each with its job in one transaction.
import { randomUUID } from 'node:crypto';
import { newJob } from '../queue/index.js';
import type { Database } from './database.js';
import { createStoreDelivery } from './store-delivery.js';

export type StoreResult = { status: 'accepted'; eventId: string; jobId: string } | { status: 'duplicate' };

export interface DeliveryToStore {
  shopId: string;
  source: 'shopify' | 'edrone';
  topic: string;
  /** X-Shopify-Webhook-Id or edrone's event_id: a repeated key is a duplicate delivery. */
  dedupeKey: string;
  /** The raw payload, for audit. */
  payload: string;
  jobKind: string;
  /** The job's payload, given the new event's id (the job carries it to check the event still exists). */
  jobPayload: (eventId: string) => unknown;
  receivedAt: Date;
}

export function createEventsRepository(db: Database) {
  const { prisma } = db;
  const store = createStoreDelivery(db.driver);
  const newest = (shopId: string, source: string) =>
    prisma.inboundEvent.findFirst({ where: { shopId, source }, orderBy: { receivedAt: 'desc' }, select: { receivedAt: true } });
  return {
    /** Stores the delivery and its job atomically; a repeated dedupe key stores nothing. */
    async storeWithJob(input: DeliveryToStore): Promise<StoreResult> {
      const eventId = randomUUID();
      const job = newJob(input.shopId, input.jobKind, input.jobPayload(eventId), input.receivedAt);
      const { shopId, source, topic, dedupeKey, payload, receivedAt } = input;
      const stored = await store({ id: eventId, shopId, source, topic, dedupeKey, payload, receivedAt }, job);
      return stored ? { status: 'accepted', eventId, jobId: job.id } : { status: 'duplicate' };
    },
    /**
     * When each side last delivered something to this shop: read from the events
     * (indexed), so ingest never updates the shared Shop row.
     */
    async lastReceived(shopId: string): Promise<{ shopify: Date | null; edrone: Date | null }> {
      const [shopify, edrone] = await Promise.all([newest(shopId, 'shopify'), newest(shopId, 'edrone')]);
      return { shopify: shopify?.receivedAt ?? null, edrone: edrone?.receivedAt ?? null };
    },
    /** False once a redact request erased the event: its job then has nothing left to do. */
    async exists(eventId: string): Promise<boolean> {
      return (await prisma.inboundEvent.findUnique({ where: { id: eventId }, select: { id: true } })) !== null;
    },
    /**
     * The newest delivery stored for each topic, for this shop. (One indexed query per topic:
     * an aggregate of dates is not read back reliably through the SQLite adapter.)
     */
    async lastDeliveries(shopId: string, topics: string[]): Promise<Map<string, Date>> {
      const newest = await Promise.all(
        [...new Set(topics)].map(async (topic) => {
          const event = await prisma.inboundEvent.findFirst({
            where: { shopId, source: 'shopify', topic },
            orderBy: { receivedAt: 'desc' },
            select: { receivedAt: true },
          });
          return [topic, event?.receivedAt ?? null] as const;
        }),
      );
      return new Map(newest.filter((e): e is readonly [string, Date] => e[1] !== null));
    },
    recentDeliveries(shopId: string, topic: string, take: number): Promise<{ receivedAt: Date; topic: string }[]> {
      return prisma.inboundEvent.findMany({
        where: { shopId, source: 'shopify', topic },
        orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
        take,
        select: { receivedAt: true, topic: true },
      });
    },
  };
}

export type EventsRepository = ReturnType<typeof createEventsRepository>;
