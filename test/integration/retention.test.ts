// Retention: the activity log is pruned after ACTIVITY_RETENTION_DAYS (90), the
// consent history only after CONSENT_HISTORY_RETENTION_DAYS (5 years), in batches,
// while ingest keeps accepting deliveries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const DAY = 86_400_000;

describe('retention', () => {
  it('deletes activity older than 90 days and history older than 5 years, keeps the rest, in batches', async () => {
    const db = h.server.ctx.db.prisma;
    const now = new Date();
    const at = (days: number) => new Date(now.getTime() - days * DAY);
    const activity = (createdAt: Date, n: number) =>
      Array.from({ length: n }, () => ({ shopId: h.shop, origin: 'shopify', target: 'edrone', channel: 'email', identity: 'old@example.com', result: 'sent', createdAt }));
    await db.activity.createMany({ data: [...activity(at(91), 1200), ...activity(at(89), 3)] });
    const history = (createdAt: Date, n: number) =>
      Array.from({ length: n }, () => ({
        shopId: h.shop,
        channel: 'email',
        identity: 'old@example.com',
        source: 'shopify',
        origin: 'shopify',
        actor: 'Shopify',
        action: 'sent',
        target: 'edrone',
        createdAt,
      }));
    await db.consentHistory.createMany({ data: [...history(at(1827), 700), ...history(at(91), 2), ...history(at(1825), 1)] });

    // A delivery arriving while the pass runs is accepted all the same.
    const pass = h.server.ctx.worker.retention!.tick(now);
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'during@example.com' });
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'subscribed' });
    const result = await pass;
    await h.settle();

    expect(result).toEqual({ history: 700, activity: 1200 });
    expect(await db.activity.count({ where: { identity: 'old@example.com' } })).toBe(3);
    // Proof outlives the operational log: history of 91 days ago stays.
    expect(await db.consentHistory.count({ where: { identity: 'old@example.com' } })).toBe(3);
    expect(await db.consentHistory.count({ where: { identity: 'during@example.com' } })).toBeGreaterThan(0);
    expect((await h.server.ctx.worker.retention!.tick(now)).history).toBe(0);
  });

  it('the retention periods are settings', async () => {
    const { loadConfig } = await import('../../app/config.js');
    expect(loadConfig({}).retention).toMatchObject({ historyDays: 1826, activityDays: 90 });
    expect(loadConfig({ CONSENT_HISTORY_RETENTION_DAYS: '3650', ACTIVITY_RETENTION_DAYS: '30' }).retention).toMatchObject({ historyDays: 3650, activityDays: 30 });
    expect(() => loadConfig({ ACTIVITY_RETENTION_DAYS: '0' })).toThrow(/ACTIVITY_RETENTION_DAYS/);
  });
});
