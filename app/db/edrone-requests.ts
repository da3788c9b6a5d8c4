// Requests to a shop's edrone sync URL that the app refused: time and reason only.
import type { PrismaClient } from './database.js';

/** Rows kept per shop: enough to see a pattern, bounded whatever edrone sends. */
const KEEP = 50;

export function createRejectedEdroneRequestsRepository(prisma: PrismaClient) {
  return {
    async record(shopId: string, httpStatus: number, reason: string, receivedAt: Date): Promise<void> {
      await prisma.rejectedEdroneRequest.create({ data: { shopId, httpStatus, reason, receivedAt } });
      const old = await prisma.rejectedEdroneRequest.findMany({
        where: { shopId },
        orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
        skip: KEEP,
        select: { id: true },
      });
      if (old.length > 0) await prisma.rejectedEdroneRequest.deleteMany({ where: { id: { in: old.map((o) => o.id) } } });
    },
    /** Newest first. */
    latest(shopId: string, take: number) {
      return prisma.rejectedEdroneRequest.findMany({ where: { shopId }, orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }], take });
    },
  };
}

export type RejectedEdroneRequestsRepository = ReturnType<typeof createRejectedEdroneRequestsRepository>;
