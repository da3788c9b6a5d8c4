// One slow outside system must not hold the others up (issue 9, point 8): while
// edrone hangs on every trace, the worker's edrone slots fill with waiting
// Shopify -> edrone jobs, and an edrone -> Shopify change still reaches Shopify,
// because calls to Shopify have their own share of the worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDRONE_APP_ID, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  // Long enough that no hung trace times out during the test.
  h = await startHarness({ env: { EDRONE_TIMEOUT_MS: '120000', WORKER_CONCURRENCY: '2' } });
});
afterAll(async () => {
  // The fake edrone first: closing it ends the hung traces, so the worker can stop.
  await h?.edrone.close();
  await h?.server.close();
  await h?.shopify.close();
  await h?.db.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean> | boolean, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}: ${JSON.stringify(await h.server.ctx.db.prisma.job.groupBy({ by: ['kind', 'status'], _count: { _all: true } }))}`);
    await sleep(50);
  }
}

describe('a hanging edrone', () => {
  it('when every trace hangs, an edrone unsubscribe is still written to Shopify while the traces wait', { timeout: 90_000 }, async () => {
    const { prisma } = h.server.ctx.db;
    h.edrone.control.hangNext(1_000);
    for (let i = 0; i < 6; i++) {
      const c = h.shopify.control.createCustomer({ shop: h.shop, email: `waiting${i}@example.com`, emailState: 'subscribed' });
      h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'unsubscribed' });
    }
    await h.shopify.control.webhooksIdle();
    const target = h.shopify.control.createCustomer({ shop: h.shop, email: 'leaving@example.com', emailState: 'subscribed', emailConsentUpdatedAt: '2026-01-01T00:00:00Z' });

    h.server.ctx.worker.start();
    // The shop's share of the edrone slots is taken by traces that get no answer.
    await until('traces hanging', async () => (await prisma.job.count({ where: { kind: 'shopify-webhook', status: 'running' } })) >= 1);

    const res = await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'leaving@example.com', status: '0' });
    expect(res.status).toBe(200);
    h.server.ctx.worker.wake();
    await until('the Shopify write', () => h.shopify.control.getCustomer(h.shop, target.id)?.emailConsent.state === 'unsubscribed');

    // The traces are still waiting for edrone: nothing of theirs finished.
    expect(await prisma.job.count({ where: { kind: 'shopify-webhook', status: 'done' } })).toBe(0);
    expect(await prisma.job.count({ where: { kind: 'shopify-webhook', status: 'running' } })).toBeGreaterThanOrEqual(1);
  });
});
