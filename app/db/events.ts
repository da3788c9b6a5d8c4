// Accepted deliveries (Shopify webhooks, edrone requests): stored raw for audit,
// deduplicated per shop and source, each with its job in one transaction.
import { randomUUID } from 'node:crypto';
import { insertJob, newJob } from '../queue/index.js';
import { isUniqueViolation, type PrismaClient } from './database.js';

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

export function createEventsRepository(prisma: PrismaClient) {
  return {
    /** Stores the delivery and its job in one transaction; a repeated dedupe key stores nothing. */
    async storeWithJob(input: DeliveryToStore): Promise<StoreResult> {
      const eventId = randomUUID();
      const job = newJob(input.shopId, input.jobKind, input.jobPayload(eventId), input.receivedAt);
      const lastSeen = input.source === 'shopify' ? { lastShopifyEventAt: input.receivedAt } : { lastEdroneEventAt: input.receivedAt };
      try {
        await prisma.$transaction([
          prisma.inboundEvent.create({
            data: {
              id: eventId,
              shopId: input.shopId,
              source: input.source,
              topic: input.topic,
              dedupeKey: input.dedupeKey,
              payload: input.payload,
              receivedAt: input.receivedAt,
            },
          }),
          insertJob(prisma, job),
          prisma.shop.update({ where: { id: input.shopId }, data: lastSeen }),
        ]);
      } catch (e) {
        if (isUniqueViolation(e)) return { status: 'duplicate' };
        throw e;
      }
      return { status: 'accepted', eventId, jobId: job.id };
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
