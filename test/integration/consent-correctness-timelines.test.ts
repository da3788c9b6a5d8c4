// The three timelines of issue 9 ("Consent that always converges"), through HTTP,
// the worker and the stand-ins, with edrone reporting every status change
// (including those its traces cause) and Shopify sending a webhook for every
// change (the app's own included). Each ended split before the fix: one side
// subscribed, the other unsubscribed, for good, with a plausible skip reason.
// Times are given explicitly (whole seconds, as both platforms count), so the
// same-second interleavings happen every run, whatever the machine's speed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EDRONE_APP_ID, startHarness, type Harness } from '../helpers/harness.js';
import { activityFor, shopifyTime, sleep, startOfSecond, tracesFor, uniqueEmail } from '../helpers/correctness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());
beforeEach(() => {
  h.shopify.control.deliverWebhooks = true;
  // edrone reports every status change, the ones its traces cause included.
  h.edrone.control.echoTraces = true;
});

const wholeSecond = (t: number) => new Date(Math.floor(t / 1000) * 1000);
const hourAgo = () => new Date(Date.now() - 3600_000);

/** A customer subscribed to email on both sides since an hour ago. */
function subscribedCustomer(tag: string) {
  const email = uniqueEmail(tag);
  const c = h.shopify.control.createCustomer({ shop: h.shop, email, emailState: 'subscribed', emailConsentUpdatedAt: hourAgo().toISOString() });
  h.edrone.control.setStatus(EDRONE_APP_ID, 'email', email, '1');
  return { email, id: c.id };
}

function sides(email: string, id: string) {
  return {
    shopify: h.shopify.control.getCustomer(h.shop, id)!.emailConsent.state,
    edrone: h.edrone.control.statusOf(EDRONE_APP_ID, 'email', email),
  };
}

describe('issue 9 timelines: both sides end in the same state', () => {
  it('1. same-second change on the side the app just wrote (Shopify): the tie goes to the unsubscribe, on both sides', async () => {
    // The timeline needs the app's write done within one second; on a machine too busy for
    // that, it starts again with a new customer (the precondition failed, not the app).
    let email = '';
    let id = '';
    let second = new Date(0);
    for (let attempt = 1; ; attempt++) {
      ({ email, id } = subscribedCustomer(`timeline1-${attempt}`));
      await startOfSecond();
      // The second both changes fall in starts once the app's write is done (whatever the machine's
      // speed): edrone's clock runs a little ahead of ours, within the skew the app allows.
      second = wholeSecond(Date.now() + 1000);
      // The customer clicks unsubscribe in edrone (CUSTOMER_UNSUBSCRIBED).
      await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email, status: '0', reason: 1, eventDate: second });
      await h.settle();
      expect(h.shopify.control.getCustomer(h.shop, id)!.emailConsent).toMatchObject({ state: 'unsubscribed', consentUpdatedAt: shopifyTime(second) });
      // In the same second, 60 ms in, the customer subscribes at checkout (below).
      await sleep(Math.max(0, second.getTime() + 60 - Date.now()));
      if (Date.now() < second.getTime() + 900) break;
      if (attempt === 5) throw new Error('the machine never did the write within a second in 5 attempts');
    }
    // Shopify sends its webhook.
    h.shopify.control.setConsent({ shop: h.shop, customerId: id, channel: 'email', state: 'subscribed', consentUpdatedAt: second });
    await h.settle();

    expect(sides(email, id)).toEqual({ shopify: 'unsubscribed', edrone: '0' });
    // Activity shows the tie and its resolution, not "The other side has a newer change".
    const rows = await activityFor(h, email);
    // The checkout's webhook led to writing the tie's winner back to Shopify.
    const checkout = rows.find((r) => r.origin === 'shopify' && r.target === 'shopify');
    expect(checkout).toMatchObject({ result: 'sent', newState: 'unsubscribed' });
    expect(checkout?.reason).toMatch(/same second/i);
  });

  it('2. the mirror in edrone: an agent re-subscribes in the second of the app\'s trace; the tie goes to the unsubscribe, on both sides', async () => {
    const { email, id } = subscribedCustomer('timeline2');
    await startOfSecond();
    const second = wholeSecond(Date.now());
    // The customer unsubscribes in Shopify; the app traces 0; edrone reports the trace back.
    h.shopify.control.setConsent({ shop: h.shop, customerId: id, channel: 'email', state: 'unsubscribed', consentUpdatedAt: second });
    await h.settle();
    const [trace] = tracesFor(h, email);
    expect(trace?.fields.subscriber_status).toBe('0');

    // 60 ms after the trace, in its second, an agent re-subscribes in Mission Control.
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email, status: '1', reason: 11, eventDate: wholeSecond(trace!.receivedAt + 60) });
    await h.settle();

    const end = sides(email, id);
    expect(end.edrone === '1' ? 'subscribed' : 'unsubscribed').toBe(end.shopify);
    // Shopify's unsubscribe and the agent's subscribe share a second only when the trace went out in Shopify's second.
    const tie = wholeSecond(trace!.receivedAt + 60).getTime() === second.getTime();
    expect(end.shopify).toBe(tie ? 'unsubscribed' : 'subscribed');
  });

  it('3. a storefront sign-up reported as TRACE_SUBSCRIBED a second after the app\'s unsubscribe trace is a real change: both sides subscribed', async () => {
    const { email, id } = subscribedCustomer('timeline3');
    await startOfSecond();
    const second = wholeSecond(Date.now());
    h.shopify.control.setConsent({ shop: h.shop, customerId: id, channel: 'email', state: 'unsubscribed', consentUpdatedAt: second });
    await h.settle();
    const [trace] = tracesFor(h, email);
    expect(trace?.fields.subscriber_status).toBe('0');

    // 1.2 s later the customer signs up again through an edrone storefront form: edrone's forms
    // subscribe through browser traces, so its sync reports TRACE_SUBSCRIBED (id 10).
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email, status: '1', reason: 10, eventDate: wholeSecond(trace!.receivedAt + 1200) });
    await h.settle();

    expect(sides(email, id)).toEqual({ shopify: 'subscribed', edrone: '1' });
    const signUp = (await activityFor(h, email)).find((r) => r.origin === 'edrone' && r.newState === 'subscribed');
    expect(signUp).toMatchObject({ result: 'sent', reasonCode: '10' });
  });
});
