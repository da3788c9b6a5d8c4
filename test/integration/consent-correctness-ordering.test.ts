// Consent correctness through HTTP + worker + stand-ins: out-of-order deliveries,
// echoes both ways, real changes inside the echo window, and no silent
// re-subscribe. Rules: app/core/decide.ts; model: ARCHITECTURE.md "Consent model".
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SKIP_REASONS } from '../../app/core/decide.js';
import { EDRONE_APP_ID, startHarness, type Harness } from '../helpers/harness.js';
import {
  activityFor,
  deliverConsentWebhook,
  shopifyTime,
  sleep,
  startOfSecond,
  tracesFor,
  uniqueEmail,
  uniquePhone,
} from '../helpers/correctness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());
beforeEach(() => {
  h.shopify.control.resetCalls();
  h.shopify.control.deliverWebhooks = true;
  h.edrone.control.echoTraces = false;
});

const ago = (ms: number) => new Date(Date.now() - ms);
const mutations = () => h.shopify.control.calls().customerEmailMarketingConsentUpdate ?? 0;
const smsMutations = () => h.shopify.control.calls().customerSmsMarketingConsentUpdate ?? 0;

function customer(email: string, state: 'subscribed' | 'unsubscribed', at = ago(3600_000)) {
  return h.shopify.control.createCustomer({ shop: h.shop, email, emailState: state, emailConsentUpdatedAt: at.toISOString() });
}

describe('out-of-order delivery: the newest change wins, the older one is skipped with a reason', () => {
  it('two Shopify webhooks delivered newest first: edrone ends with the newest state, the older is "stale" in Activity', async () => {
    const email = uniqueEmail('ooo-shopify');
    const c = customer(email, 'subscribed');
    // Capture the two real webhooks Shopify would send, then deliver them in reverse.
    h.shopify.control.deliverWebhooks = false;
    const before = h.shopify.control.deliveries().length;
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'unsubscribed', consentUpdatedAt: ago(60_000) });
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'subscribed', consentUpdatedAt: ago(30_000) });
    const [older, newer] = h.shopify.control.deliveries().slice(before);
    expect(older?.outcome).toBe('dropped');
    expect(JSON.parse(newer!.body).email_marketing_consent.state).toBe('subscribed');
    h.shopify.control.deliverWebhooks = true;

    for (const d of [newer!, older!]) {
      const res = await h.shopify.control.sendWebhook({ shop: h.shop, topic: d.topic, body: d.body, retry: false });
      expect(res.status).toBe(200);
      await h.settle();
    }

    expect(tracesFor(h, email).map((t) => t.fields.subscriber_status)).toEqual(['1']);
    expect(h.edrone.control.statusOf(EDRONE_APP_ID, 'email', email)).toBe('1');
    const rows = await activityFor(h, email);
    expect(rows.map((r) => [r.origin, r.newState, r.result])).toEqual([
      ['shopify', 'subscribed', 'sent'],
      ['shopify', 'unsubscribed', 'skipped'],
    ]);
    expect(rows[1]!.reason).toBe(SKIP_REASONS.stale);
  });

  it('the same two webhooks queued together (newest first) end the same way, whatever order the worker takes them', async () => {
    const email = uniqueEmail('ooo-shopify-queued');
    const c = customer(email, 'subscribed');
    const t1 = shopifyTime(ago(60_000));
    const t2 = shopifyTime(ago(30_000));
    await deliverConsentWebhook(h, 'email', c.id, email, 'subscribed', t2);
    await deliverConsentWebhook(h, 'email', c.id, email, 'unsubscribed', t1);
    await h.settle();

    expect(h.edrone.control.statusOf(EDRONE_APP_ID, 'email', email)).toBe('1');
    expect(tracesFor(h, email).at(-1)?.fields.subscriber_status).toBe('1');
  });

  it('two edrone events with event_dates reversed: Shopify ends with the newest, the older is "stale" with its edrone reason', async () => {
    const email = uniqueEmail('ooo-edrone');
    const c = customer(email, 'subscribed');
    const t1 = ago(60_000);
    const t2 = ago(30_000);
    // Newest first: an agent unsubscribe at t2, then a delayed agent subscribe at t1.
    expect((await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email, status: '0', reason: 4, eventDate: t2 })).status).toBe(200);
    await h.settle();
    expect((await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email, status: '1', reason: 11, eventDate: t1 })).status).toBe(200);
    await h.settle();

    const after = h.shopify.control.getCustomer(h.shop, c.id)!;
    expect(after.emailConsent.state).toBe('unsubscribed');
    expect(after.emailConsent.consentUpdatedAt).toBe(shopifyTime(t2));
    expect(mutations()).toBe(1);
    const fromEdrone = (await activityFor(h, email)).filter((r) => r.origin === 'edrone');
    expect(fromEdrone.map((r) => [r.newState, r.result, r.reasonCode])).toEqual([
      ['unsubscribed', 'sent', '4'],
      ['subscribed', 'skipped', '11'],
    ]);
    expect(fromEdrone[1]!.reason).toBe(`${SKIP_REASONS.stale} (edrone reason: AGENT_SUBSCRIBED)`);
    // No trace: edrone already holds the newest state.
    expect(tracesFor(h, email)).toHaveLength(0);
  });

  it('two edrone SMS events with event_dates reversed: Shopify SMS ends with the newest', async () => {
    const phone = uniquePhone();
    const c = h.shopify.control.createCustomer({ shop: h.shop, phone, smsState: 'unsubscribed', smsConsentUpdatedAt: ago(3600_000).toISOString() });
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'sms', phone, status: '1', reason: 5, eventDate: ago(20_000) });
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'sms', phone, status: '0', reason: 4, eventDate: ago(40_000) });
    await h.settle();

    expect(h.shopify.control.getCustomer(h.shop, c.id)?.smsConsent.state).toBe('subscribed');
    expect(smsMutations()).toBe(1);
  });
});

describe('echoes are never sent back', () => {
  it('a Shopify change -> one trace -> edrone reports it back (TRACE_UNSUBSCRIBED) -> no Shopify mutation, Activity says "echo"', async () => {
    h.edrone.control.echoTraces = true;
    const email = uniqueEmail('echo-shopify');
    const c = customer(email, 'subscribed');
    const echoesBefore = h.edrone.control.echoes.length;

    // Start early in a wall-clock second, so edrone's whole-second event_date of the echo is not
    // more than CLOCK_SKEW_MS older than the app's trace time (see the report on decide.ts: when
    // it is, the echo is still not sent back, but it is labelled "stale" instead of "echo").
    await startOfSecond();
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'unsubscribed' });
    await h.settle();

    expect(tracesFor(h, email).map((t) => t.fields.subscriber_status)).toEqual(['0']);
    const echoes = h.edrone.control.echoes.slice(echoesBefore).filter((e) => e.identity === email);
    expect(echoes).toHaveLength(1);
    expect(echoes[0]!.result).toMatchObject({ status: 200 });
    expect(mutations()).toBe(0);
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent.state).toBe('unsubscribed');

    const echoRow = (await activityFor(h, email)).find((r) => r.origin === 'edrone');
    expect(echoRow).toMatchObject({ result: 'skipped', reasonCode: '6', newState: 'unsubscribed' });
    expect(echoRow!.reason).toBe(`${SKIP_REASONS.echo} (edrone reason: TRACE_UNSUBSCRIBED)`);
  });

  it('an edrone change -> one Shopify mutation -> Shopify\'s consent webhook comes back -> no trace, Activity says "echo"', async () => {
    h.edrone.control.echoTraces = true;
    const email = uniqueEmail('echo-edrone');
    const c = customer(email, 'subscribed');
    const deliveriesBefore = h.shopify.control.deliveries().length;

    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email, status: '0', reason: 1 });
    await h.settle();

    expect(mutations()).toBe(1);
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent.state).toBe('unsubscribed');
    // Shopify did send the webhook of the app's own mutation, and the app received it...
    const webhooks = h.shopify.control.deliveries().slice(deliveriesBefore).filter((d) => d.body.includes(email));
    expect(webhooks.map((d) => d.outcome)).toEqual(['delivered']);
    // ...and sent nothing back to edrone.
    expect(tracesFor(h, email)).toHaveLength(0);
    const shopifyRow = (await activityFor(h, email)).find((r) => r.origin === 'shopify');
    expect(shopifyRow).toMatchObject({ result: 'skipped', reason: SKIP_REASONS.echo, newState: 'unsubscribed' });
  });

  it('SMS both ways: a Shopify SMS change is traced once and its TRACE_UPDATE report is an echo; an edrone SMS change is mutated once and its webhook is an echo', async () => {
    h.edrone.control.echoTraces = true;
    const phone = uniquePhone();
    const c = h.shopify.control.createCustomer({ shop: h.shop, phone, smsState: 'subscribed', smsConsentUpdatedAt: ago(3600_000).toISOString() });

    await startOfSecond(); // see the first test of this block
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'sms', state: 'unsubscribed' });
    await h.settle();
    expect(tracesFor(h, phone).map((t) => t.fields.sms_subscriber_status)).toEqual(['0']);
    expect(smsMutations()).toBe(0);

    await sleep(2100); // clear of the trace's second (edrone dates in whole seconds, give or take 1 s)
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'sms', phone, status: '1', reason: 5 });
    await h.settle();
    expect(smsMutations()).toBe(1);
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.smsConsent.state).toBe('subscribed');
    expect(tracesFor(h, phone)).toHaveLength(1);

    const rows = await activityFor(h, phone);
    expect(rows.filter((r) => r.result === 'sent').map((r) => `${r.origin}->${r.target}:${r.newState}`)).toEqual([
      'shopify->edrone:unsubscribed',
      'edrone->shopify:subscribed',
    ]);
    expect(rows.filter((r) => r.reason?.startsWith(SKIP_REASONS.echo))).toHaveLength(2);
  });

  it('a run of real changes alternating sides, with edrone echoing every trace: exactly one write per real change', async () => {
    h.edrone.control.echoTraces = true;
    const email = uniqueEmail('pingpong');
    const c = customer(email, 'subscribed');
    const steps: Array<['shopify' | 'edrone', 'subscribed' | 'unsubscribed']> = [
      ['shopify', 'unsubscribed'],
      ['edrone', 'subscribed'],
      ['shopify', 'unsubscribed'],
      ['edrone', 'subscribed'],
      ['edrone', 'unsubscribed'],
      ['shopify', 'subscribed'],
    ];
    for (const [side, state] of steps) {
      await sleep(2100); // each real change clear of the second of the app's previous write
      if (side === 'shopify') h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state });
      else await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email, status: state === 'subscribed' ? '1' : '0' });
      await h.settle();
    }

    // Shopify changes are traced once each; edrone changes are mutated once each.
    expect(tracesFor(h, email).map((t) => t.fields.subscriber_status)).toEqual(['0', '0', '1']);
    expect(mutations()).toBe(3);
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent.state).toBe('subscribed');
    expect(h.edrone.control.statusOf(EDRONE_APP_ID, 'email', email)).toBe('1');
    const sent = (await activityFor(h, email)).filter((r) => r.result === 'sent');
    expect(sent).toHaveLength(steps.length);
  });
});

describe('a real change inside the echo window still syncs', () => {
  it('after the app traced "unsubscribed", a real edrone subscribe (agent) seconds later is applied to Shopify', async () => {
    h.edrone.control.echoTraces = true;
    const email = uniqueEmail('window-edrone');
    const c = customer(email, 'subscribed');
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'unsubscribed' });
    await h.settle();
    expect(tracesFor(h, email)).toHaveLength(1);

    await sleep(2100); // clear of the trace's second: edrone dates in whole seconds, give or take 1 s
    const res = await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email, status: '1', reason: 11 });
    expect(res.status).toBe(200);
    await h.settle();

    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent.state).toBe('subscribed');
    expect(mutations()).toBe(1);
    expect(tracesFor(h, email)).toHaveLength(1); // the mutation's webhook is not traced back
  });

  it('after the app traced "unsubscribed", a TRACE_SUBSCRIBED report (a state the app never traced) is a real change and is applied', async () => {
    h.edrone.control.echoTraces = true;
    const email = uniqueEmail('window-trace-sub');
    const c = customer(email, 'subscribed');
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'unsubscribed' });
    await h.settle();

    await sleep(2100); // clear of the trace's second: edrone dates in whole seconds, give or take 1 s
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email, status: '1', reason: 10 });
    await h.settle();

    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent.state).toBe('subscribed');
    expect(mutations()).toBe(1);
  });

  it('after an app mutation, a real different Shopify change seconds later is traced', async () => {
    h.edrone.control.echoTraces = true;
    const email = uniqueEmail('window-shopify');
    const c = customer(email, 'subscribed');
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email, status: '0', reason: 1 });
    await h.settle();
    expect(mutations()).toBe(1);
    expect(tracesFor(h, email)).toHaveLength(0);

    await sleep(1100);
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'subscribed' });
    await h.settle();

    expect(tracesFor(h, email).map((t) => t.fields.subscriber_status)).toEqual(['1']);
    expect(h.edrone.control.statusOf(EDRONE_APP_ID, 'email', email)).toBe('1');
    expect(mutations()).toBe(1); // edrone's TRACE_SUBSCRIBED report of that trace is an echo
  });
});

describe('no silent re-subscribe', () => {
  it('edrone unsubscribes at T2; a delayed Shopify subscribe of T1 < T2 sends nothing; a newer explicit subscribe (T3 > T2) is sent', async () => {
    const email = uniqueEmail('noresub');
    const t1 = ago(60_000);
    const t2 = ago(30_000);
    // The customer subscribed in Shopify at t1; that webhook is held up somewhere.
    const c = customer(email, 'subscribed', t1);
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email, status: '0', reason: 1, eventDate: t2 });
    await h.settle();

    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent.state).toBe('unsubscribed');
    // The delayed webhook of the t1 subscribe arrives only now.
    await deliverConsentWebhook(h, 'email', c.id, email, 'subscribed', shopifyTime(t1));
    await h.settle();

    expect(tracesFor(h, email).filter((t) => t.fields.subscriber_status === '1')).toHaveLength(0);
    expect(h.edrone.control.statusOf(EDRONE_APP_ID, 'email', email)).toBe('0');
    const late = (await activityFor(h, email)).find((r) => r.origin === 'shopify' && r.newState === 'subscribed');
    expect(late).toMatchObject({ result: 'skipped', reason: SKIP_REASONS.other_side_newer });

    // A newer explicit subscribe in Shopify is a real change, and is sent.
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'subscribed', consentUpdatedAt: new Date(t2.getTime() + 10_000) });
    await h.settle();
    expect(tracesFor(h, email).map((t) => t.fields.subscriber_status)).toEqual(['1']);
    expect(h.edrone.control.statusOf(EDRONE_APP_ID, 'email', email)).toBe('1');
  });

  it('Shopify unsubscribes at T2; a delayed edrone subscribe of T1 < T2 does not re-subscribe in Shopify', async () => {
    const email = uniqueEmail('noresub-edrone');
    const c = customer(email, 'subscribed');
    const t1 = ago(60_000);
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'unsubscribed', consentUpdatedAt: ago(30_000) });
    await h.settle();
    expect(tracesFor(h, email).map((t) => t.fields.subscriber_status)).toEqual(['0']);

    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email, status: '1', reason: 11, eventDate: t1 });
    await h.settle();

    expect(mutations()).toBe(0);
    expect(h.shopify.control.getCustomer(h.shop, c.id)?.emailConsent.state).toBe('unsubscribed');
    expect(tracesFor(h, email).filter((t) => t.fields.subscriber_status === '1')).toHaveLength(0);
  });

  it('a Shopify webhook retried after a newer unsubscribe (same body, redelivered) changes nothing', async () => {
    const email = uniqueEmail('noresub-retry');
    const c = customer(email, 'unsubscribed');
    const t1 = shopifyTime(ago(60_000));
    await deliverConsentWebhook(h, 'email', c.id, email, 'subscribed', t1);
    await h.settle();
    expect(tracesFor(h, email).map((t) => t.fields.subscriber_status)).toEqual(['1']);
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'unsubscribed', consentUpdatedAt: ago(30_000) });
    await h.settle();
    // A different delivery (new webhook id) of the old subscribe, e.g. a replay from a queue.
    await deliverConsentWebhook(h, 'email', c.id, email, 'subscribed', t1);
    await h.settle();

    expect(tracesFor(h, email).map((t) => t.fields.subscriber_status)).toEqual(['1', '0']);
    expect(h.edrone.control.statusOf(EDRONE_APP_ID, 'email', email)).toBe('0');
  });
});
