// GET /api/failures and its retries (issue 11, point 4): each failure names the customer, the
// channel, the change and the side it could not reach, says why and what to do, with the real
// number of tries; /api/status tells "some changes failed" from "sync is failing".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDRONE_SECRET, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const auth = async (shop?: string) => `Bearer ${await h.token(shop)}`;

/** Every place the secret could leak: the plain text, and its usual encodings. */
function expectNoSecret(text: string, secret = EDRONE_SECRET): void {
  expect(text).not.toContain(secret);
  expect(text).not.toContain(Buffer.from(secret).toString('base64'));
  expect(text).not.toContain(Buffer.from(secret).toString('hex'));
}

describe('failures and retries', () => {
  const failures = async (shop?: string) => h.http().get('/api/failures').set('Authorization', await auth(shop));

  /** A Shopify change whose trace edrone refuses for good (HTTP 400): the job is dead-lettered. */
  async function deadJob(email: string): Promise<void> {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email });
    h.edrone.control.failNext(1, 400);
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'subscribed' });
    await h.settle();
  }

  it('when a job is dead-lettered, then /api/failures names the customer and the change, /api/status says some changes failed, and retrying it by id sends the change', async () => {
    await deadJob('fail-one@example.com');
    const list = await failures();
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(1);
    const [item] = list.body.items;
    // A permanent refusal is tried once, and the row says so.
    expect(item).toMatchObject({
      kind: 'shopify-webhook',
      attempts: 1,
      customer: 'fail-one@example.com',
      channel: 'email',
      change: 'subscribe',
      target: 'edrone',
      otherChanges: 0,
      summary: 'Subscribe (email) of fail-one@example.com could not reach edrone',
    });
    expect(item.lastError).toMatch(/edrone/);
    expect(item.reason).toMatch(/^edrone refused this change on the first try, so it was not tried again\. edrone rejected the update \(HTTP 400\)/);
    expect(item.action).toMatch(/Retry/);
    expectNoSecret(list.text);
    // The open Failures page re-reads with If-None-Match: an unchanged list costs a 304.
    expect(list.headers.etag).toEqual(expect.any(String));
    const unchanged = await h.http().get('/api/failures').set('Authorization', await auth()).set('If-None-Match', String(list.headers.etag));
    expect(unchanged.status).toBe(304);

    // One refused change is not an outage: amber, not red.
    const status = await h.http().get('/api/status').set('Authorization', await auth());
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ state: 'some_failed', failures: 1 });
    expect(status.body.reason).toMatch(/^1 change could not be synced; the others go through\. See Failures/);
    expectNoSecret(status.text);

    const tracesBefore = h.edrone.traces.length;
    const retry = await h.http().post(`/api/failures/${item.id}/retry`).set('Authorization', await auth());
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual({ ok: true, job: { id: item.id, status: 'queued' } });
    expectNoSecret(retry.text);
    await h.settle();
    expect(h.edrone.traces.slice(tracesBefore).map((t) => t.fields.email)).toContain('fail-one@example.com');
    expect((await failures()).body.total).toBe(0);

    const again = await h.http().post(`/api/failures/${item.id}/retry`).set('Authorization', await auth());
    expect(again.status).toBe(404);
  });

  it('when an unknown failure id is retried, then it answers 404 with a message', async () => {
    const res = await h.http().post('/api/failures/no-such-job/retry').set('Authorization', await auth());
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual(expect.any(String));
  });

  it("when another shop retries this shop's failure or calls retry-all, then this shop's job stays dead", async () => {
    await deadJob('fail-other-shop@example.com');
    const [item] = (await failures()).body.items;
    const other = 'fresh-store.myshopify.com';
    const byId = await h.http().post(`/api/failures/${item.id}/retry`).set('Authorization', await auth(other));
    expect(byId.status).toBe(404);
    const all = await h.http().post('/api/failures/retry-all').set('Authorization', await auth(other));
    expect(all.body).toEqual({ retried: 0 });
    expect((await failures(other)).body.total).toBe(0);
    expect((await h.server.ctx.db.prisma.job.findUniqueOrThrow({ where: { id: item.id } })).status).toBe('dead');
  });

  it('when retry-all is called, then every dead job of the shop is queued again and sent', async () => {
    await deadJob('fail-two@example.com');
    expect((await failures()).body.total).toBe(2);
    const tracesBefore = h.edrone.traces.length;
    const res = await h.http().post('/api/failures/retry-all').set('Authorization', await auth());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ retried: 2 });
    expectNoSecret(res.text);
    await h.settle();
    const sent = h.edrone.traces.slice(tracesBefore).map((t) => t.fields.email);
    expect(sent).toEqual(expect.arrayContaining(['fail-other-shop@example.com', 'fail-two@example.com']));
    expect((await failures()).body.total).toBe(0);
    const status = await h.http().get('/api/status').set('Authorization', await auth());
    expect(status.body).toMatchObject({ state: 'healthy', failures: 0, reason: null });
  });

  it('when the newest three changes fail, then status says sync is failing; once as many go through as failed, it is amber again', async () => {
    for (const n of [1, 2, 3]) await deadJob(`fail-streak-${n}@example.com`);
    const status = async () => (await h.http().get('/api/status').set('Authorization', await auth())).body;
    expect(await status()).toMatchObject({ state: 'failing', failures: 3 });
    expect((await status()).reason).toMatch(/^The latest changes are failing: \d+ of the last \d+ could not be synced\. See Failures/);

    const goesThrough = async (email: string) => {
      const c = h.shopify.control.createCustomer({ shop: h.shop, email });
      h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'subscribed' });
      await h.settle();
    };
    await goesThrough('goes-through-1@example.com');
    await goesThrough('goes-through-2@example.com');
    await goesThrough('goes-through-3@example.com');
    expect(await status()).toMatchObject({ state: 'some_failed', failures: 3 });

    const list = (await failures()).body;
    expect(list.items.map((i: { customer: string }) => i.customer)).toEqual([
      'fail-streak-3@example.com',
      'fail-streak-2@example.com',
      'fail-streak-1@example.com',
    ]);
    await h.http().post('/api/failures/retry-all').set('Authorization', await auth());
    await h.settle();
    expect(await status()).toMatchObject({ state: 'healthy', failures: 0 });
  });
});
