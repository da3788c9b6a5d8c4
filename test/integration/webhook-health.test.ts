// Webhook health as the app ships (topics declared in shopify.app.toml): built on the app's
// own receipt records, never "missing" for a topic that delivers, and no Admin API call needed.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED_WEBHOOK_TOPICS, RARE_WEBHOOK_TOPICS } from '../../app/core/webhook-subscriptions.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const EMAIL = 'customers_email_marketing_consent/update';

let h: Harness;
const auth = async () => ({ Authorization: `Bearer ${await h.token()}` });
async function health() {
  const res = await h.http().get('/api/webhook-health').set(await auth());
  expect(res.status).toBe(200);
  return res.body as { topics: Array<{ topic: string; label: string; source: string; state: string; lastDeliveryAt: string | null; hoursSinceDelivery: number | null }>; monitoringUrl: string; apiRegistration: boolean };
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('webhook health (toml-declared topics)', () => {
  it('the toml declares exactly the topics the app checks', () => {
    const toml = readFileSync('shopify.app.toml', 'utf8');
    const block = /\n\s*topics = \[([^\]]*)\]/.exec(toml)?.[1] ?? '';
    const declared = [...block.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    expect(declared.sort()).toEqual([...EXPECTED_WEBHOOK_TOPICS, ...RARE_WEBHOOK_TOPICS].sort());
  });

  it('no delivery yet: "never", not missing; the Admin API is not asked', async () => {
    h.shopify.control.failNext(20, { status: 500 }); // would fail the answer if the Admin API were called
    const body = await health();
    h.shopify.control.failNext(0);
    expect(body.apiRegistration).toBe(false);
    expect(body.monitoringUrl).toMatch(/^https:\/\/dev\.shopify\.com/);
    expect(body.topics.map((t) => [t.topic, t.source, t.state])).toEqual(EXPECTED_WEBHOOK_TOPICS.map((t) => [t, 'app_config', 'never']));
    expect(body.topics.find((t) => t.topic === EMAIL)?.label).toBe('Email consent changes');
  });

  it('a delivered consent change makes its topic "receiving", with no Admin API subscription at all', async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'health@example.com' });
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'subscribed' });
    await h.settle();
    expect(h.shopify.control.webhookSubscriptions(h.shop)).toHaveLength(0);
    const email = (await health()).topics.find((t) => t.topic === EMAIL);
    expect(email).toMatchObject({ state: 'receiving', hoursSinceDelivery: 0 });
    expect(email?.lastDeliveryAt).not.toBeNull();
    // And the Admin API list has no "missing" rows to re-register.
    const list = await h.http().get('/api/webhook-subscriptions').set(await auth());
    expect(list.body.items).toEqual([]);
  });
});
