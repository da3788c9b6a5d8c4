// GET /api/activity in merchant words, through HTTP + worker + stand-ins: an agent's unsubscribe in
// edrone reaches Shopify, whose webhook of that very write comes back (an echo). The rows carry a
// merchant headline and reason (technical text kept in `reason`), and `echoes=hide` leaves the echo out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDRONE_APP_ID, startHarness, type Harness } from '../helpers/harness.js';
import { uniqueEmail } from '../helpers/correctness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

interface Row {
  origin: string;
  result: string;
  reason: string | null;
  reasonCode: string | null;
  summary: string;
  explanation: string | null;
  echo: boolean;
}

async function rows(email: string, echoes?: 'hide' | 'show'): Promise<Row[]> {
  const res = await h
    .http()
    .get('/api/activity')
    .query({ q: email, pageSize: 100, ...(echoes ? { echoes } : {}) })
    .set('Authorization', `Bearer ${await h.token()}`);
  expect(res.status).toBe(200);
  return res.body.items as Row[];
}

describe('GET /api/activity: merchant words and the echoes filter', () => {
  it("an agent's unsubscribe in edrone is worded; the app's own change coming back is hidden with echoes=hide", async () => {
    h.shopify.control.deliverWebhooks = true;
    const email = uniqueEmail('words-agent');
    h.shopify.control.createCustomer({ shop: h.shop, email, emailState: 'subscribed', emailConsentUpdatedAt: new Date(Date.now() - 3600_000).toISOString() });
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email, status: '0', reason: 4 });
    await h.settle();

    const all = await rows(email, 'show');
    expect(all.map((r) => [r.origin, r.result, r.echo])).toEqual([
      ['shopify', 'skipped', true],
      ['edrone', 'sent', false],
    ]);
    const [echo, agent] = all as [Row, Row];
    expect(agent.summary).toBe('Unsubscribed in edrone by an agent');
    expect(agent.reasonCode).toBe('4');
    // The technical text stays in `reason`; `explanation` has no edrone code.
    expect(agent.reason).toContain('AGENT_UNSUBSCRIBED');
    expect(agent.explanation ?? '').not.toContain('AGENT_UNSUBSCRIBED');
    expect(echo.summary).toBe('Email unsubscribe from Shopify');

    // Absent: every row, as before (API clients and tests read echoes).
    expect(await rows(email)).toHaveLength(2);
    const hidden = await rows(email, 'hide');
    expect(hidden.map((r) => r.origin)).toEqual(['edrone']);
  });

  it('echoes=hide keeps the other skips, and a skipped row without a reason', async () => {
    const email = uniqueEmail('words-insync');
    h.shopify.control.createCustomer({ shop: h.shop, email, emailState: 'unsubscribed', emailConsentUpdatedAt: new Date(Date.now() - 3600_000).toISOString() });
    // edrone reports the state Shopify already holds: skipped as in sync, not an echo.
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email, status: '0', reason: 1 });
    await h.settle();
    const hidden = await rows(email, 'hide');
    expect(hidden.length).toBeGreaterThan(0);
    expect(hidden.every((r) => !r.echo)).toBe(true);
    expect(hidden).toEqual(await rows(email, 'show'));

    // SQL's NOT over a NULL reason would drop the row: the filter must keep it.
    const bare = uniqueEmail('words-null-reason');
    await h.server.ctx.db.prisma.activity.create({
      data: { shopId: h.shop, origin: 'shopify', target: 'edrone', channel: 'email', identity: bare, result: 'skipped', reason: null },
    });
    expect((await rows(bare, 'hide')).map((r) => [r.result, r.reason, r.echo])).toEqual([['skipped', null, false]]);
  });

  it('answers 400 for an unknown echoes value', async () => {
    const res = await h.http().get('/api/activity?echoes=maybe').set('Authorization', `Bearer ${await h.token()}`);
    expect(res.status).toBe(400);
    expect(res.body.fieldErrors.echoes).toEqual(expect.any(String));
  });
});
