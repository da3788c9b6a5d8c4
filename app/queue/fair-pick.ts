// Fairness of a claim: one large store's backlog cannot starve the others.

/** Interleaves candidates shop by shop (each shop's in the given order), so one large store cannot starve the others. */
export function fairPick<T extends { shopId: string }>(candidates: T[], limit: number): T[] {
  const byShop = new Map<string, T[]>();
  for (const c of candidates) {
    const queue = byShop.get(c.shopId);
    if (queue) queue.push(c);
    else byShop.set(c.shopId, [c]);
  }
  const queues = [...byShop.values()];
  const picked: T[] = [];
  for (let round = 0; picked.length < limit && queues.some((q) => q.length > round); round++) {
    for (const q of queues) {
      const next = q[round];
      if (next && picked.length < limit) picked.push(next);
    }
  }
  return picked;
}
