// Ingest's one write. On SQLite the deliveries of one event-loop turn share a
// transaction (group commit): each must still get its own answer, a duplicate in
// the same batch is a duplicate, and one delivery the database refuses must not
// take the others down with it. PostgreSQL stores each in its own statement; the
// same answers hold.
import { describe, expect, it } from 'vitest';
import { createStoreDelivery } from '../../app/db/store-delivery.js';
import { newJob } from '../../app/queue/index.js';
import { useOpenDatabase } from '../helpers/test-database.js';

const database = useOpenDatabase();

const SHOP = 'group-commit.myshopify.com';
const delivery = (dedupeKey: string) => ({
  event: { id: `event-${dedupeKey}-${Math.random()}`, shopId: SHOP, source: 'shopify', topic: 'customers_email_marketing_consent/update', dedupeKey, payload: '{}', receivedAt: new Date() },
  job: newJob(SHOP, 'shopify-webhook', { dedupeKey }),
});

describe('storing accepted deliveries', () => {
  it('twenty deliveries at once, one of them twice: nineteen stored with their jobs, the repeat answered as a duplicate', async () => {
    const db = database();
    const store = createStoreDelivery(db.driver);
    const keys = [...Array.from({ length: 20 }, (_, i) => `once-${i}`), 'once-7'];
    const answers = await Promise.all(keys.map((k) => delivery(k)).map((d) => store(d.event, d.job)));
    expect(answers.filter((a) => a === true)).toHaveLength(20);
    expect(answers.at(-1)).toBe(false);
    expect(await db.prisma.inboundEvent.count({ where: { shopId: SHOP, dedupeKey: { startsWith: 'once-' } } })).toBe(20);
    expect(await db.prisma.job.count({ where: { shopId: SHOP, payload: { contains: 'once-' } } })).toBe(20);
  });

  it('a delivery the database refuses fails alone: the others of its turn are stored and answered', async () => {
    const db = database();
    const store = createStoreDelivery(db.driver);
    const good = Array.from({ length: 5 }, (_, i) => delivery(`good-${i}`));
    // Its job reuses another job's id: the insert breaks the primary key (not a dedupe conflict).
    const bad = delivery('bad');
    bad.job = { ...bad.job, id: good[2]!.job.id };
    const answers = await Promise.allSettled([...good.slice(0, 3), bad, ...good.slice(3)].map((d) => store(d.event, d.job)));
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(await db.prisma.inboundEvent.count({ where: { shopId: SHOP, dedupeKey: { startsWith: 'good-' } } })).toBe(5);
    // Nothing of the refused delivery stays: no event without its job.
    expect(await db.prisma.inboundEvent.count({ where: { shopId: SHOP, dedupeKey: 'bad' } })).toBe(0);
  });
});
