// Separate workers are woken, not polling (PostgreSQL LISTEN/NOTIFY): a worker
// process that polls only every 10 minutes still runs a job stored by another
// process (the web process, WORKER=off) right after its commit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type AppContext } from '../../app/context.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const onPostgres = /^postgres(ql)?:\/\//.test(process.env.TEST_DATABASE_URL ?? '');

describe.skipIf(!onPostgres)('worker wake-up on PostgreSQL', () => {
  let h: Harness;
  let worker: AppContext;
  beforeAll(async () => {
    h = await startHarness();
    // Another process on the same database: only a worker, with a poll too slow to matter.
    worker = await createContext({ ...h.config, worker: { ...h.config.worker, pollMs: 600_000 } });
  });
  afterAll(async () => {
    await worker?.close();
    await h?.close();
  });

  it('when the web process stores a webhook, the separate worker runs it without waiting for its poll', async () => {
    worker.worker.start();
    // Let its first look (an empty queue) pass, so only a notification can wake it now.
    await new Promise((r) => setTimeout(r, 500));
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'woken@example.com', emailState: 'subscribed' });
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'unsubscribed' });
    const deadline = Date.now() + 30_000;
    while (!h.edrone.traces.some((t) => t.fields.email === 'woken@example.com') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(h.edrone.traces.find((t) => t.fields.email === 'woken@example.com')?.fields.subscriber_status).toBe('0');
  });

  it("when one process changes a shop's settings, another process's cached shop is dropped", async () => {
    const token = (await h.server.ctx.db.prisma.shop.findUniqueOrThrow({ where: { id: h.shop } })).syncToken;
    expect((await worker.data.shops.findBySyncToken(token))?.edroneAppId).toBe('edroneapp123');
    const put = await h
      .http()
      .put('/api/settings')
      .set('Authorization', `Bearer ${await h.token()}`)
      .send({ edroneAppId: 'changedapp', direction: 'both', edroneStatuses: 'all', channels: { email: true, sms: true }, createMissingCustomers: false });
    expect(put.status).toBe(200);
    const deadline = Date.now() + 10_000;
    let seen: string | null | undefined;
    while (Date.now() < deadline) {
      // The notification drops it at once; the cache's 2 s lifetime is the fallback.
      seen = (await worker.data.shops.findBySyncToken(token))?.edroneAppId;
      if (seen === 'changedapp') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).toBe('changedapp');
  });
});
