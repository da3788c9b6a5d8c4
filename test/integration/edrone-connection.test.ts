// Every refused request to a shop's sync URL is recorded with its time and a reason in merchant words,
// never the payload's personal data, and GET /api/edrone-connection shows the last request either way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDRONE_APP_ID, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
const auth = async () => ({ Authorization: `Bearer ${await h.token()}` });
const connection = async () => (await h.http().get('/api/edrone-connection').set(await auth())).body;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('edrone connection', () => {
  it('never called: nothing to show', async () => {
    expect(await connection()).toEqual({ last: null, lastAcceptedAt: null, recentRejections: [] });
  });

  it('a request signed with another secret is refused (401) and shown with its reason, without the email', async () => {
    const email = 'private-person@example.com';
    const sent = await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, appSecret: 'not-the-secret', channel: 'email', email, status: '0' });
    expect(sent.status).toBe(401);
    const body = await connection();
    expect(body.last).toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('Signature does not match') });
    expect(body.recentRejections).toHaveLength(1);
    const stored = await h.server.ctx.db.prisma.rejectedEdroneRequest.findMany();
    expect(JSON.stringify(stored)).not.toContain(email);
    expect(JSON.stringify(body)).not.toContain(email);
  });

  it('an unknown sync URL names no shop and records nothing', async () => {
    const res = await h.http().post('/edrone/sync/not-a-token').type('form').send('app_id=x');
    expect(res.status).toBe(404);
    expect(await h.server.ctx.db.prisma.rejectedEdroneRequest.count()).toBe(1);
  });

  it('a later accepted request becomes the last one; the refusal stays in the recent list', async () => {
    h.shopify.control.createCustomer({ shop: h.shop, email: 'ok@example.com', emailState: 'subscribed' });
    const sent = await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'ok@example.com', status: '0' });
    expect(sent.status).toBe(200);
    const body = await connection();
    expect(body.last).toMatchObject({ outcome: 'accepted', reason: null });
    expect(body.lastAcceptedAt).toBe(body.last.at);
    expect(body.recentRejections).toHaveLength(1);
  });
});
