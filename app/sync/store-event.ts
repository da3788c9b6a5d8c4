// Stores an accepted delivery and its job in one transaction. A repeated
// dedupe key is a duplicate delivery: nothing new is stored.
import { randomUUID } from 'node:crypto';
import { isUniqueViolation, type PrismaClient } from '../db/database.js';
import { newJob, type JobKind } from '../queue/job-queue.js';

export type StoreResult = { status: 'accepted'; eventId: string; jobId: string } | { status: 'duplicate' };


export async function storeEventWithJob(
  prisma: PrismaClient,
  input: {
    shopId: string;
    source: 'shopify' | 'edrone';
    topic: string;
    dedupeKey: string;
    payload: string;
    jobKind: JobKind;
    jobPayload: Record<string, unknown>;
    receivedAt: Date;
  },
): Promise<StoreResult> {
  const eventId = randomUUID();
  const job = newJob(input.shopId, input.jobKind, { eventId, ...input.jobPayload });
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
      prisma.job.create({ data: job }),
      prisma.shop.update({ where: { id: input.shopId }, data: lastSeen }),
    ]);
  } catch (e) {
    if (isUniqueViolation(e)) return { status: 'duplicate' };
    throw e;
  }
  return { status: 'accepted', eventId, jobId: job.id };
}
