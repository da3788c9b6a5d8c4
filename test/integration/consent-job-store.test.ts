// The worker's hot path in the app's own SQL (app/db/consent-job.ts): one read of
// event, shop and consent row, one write of consent row + Activity + history +
// job done. The rows read back through Prisma exactly as its own saves leave them;
// a save on an outdated read stores nothing; the job is done only for its claimer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_RECORD, type ConsentRecord } from '../../app/core/types.js';
import { createConsentJobStore, type ConsentJobStore, type ConsentJobWrite } from '../../app/db/consent-job.js';
import { openConsent } from '../../app/db/consent.js';
import { openDatabase, type Database } from '../../app/db/database.js';
import { createJobQueue, insertJob, newJob } from '../../app/queue/index.js';
import { RetriableError } from '../../app/errors.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let tdb: TestDatabase;
let db: Database;
let store: ConsentJobStore;
const shopId = 'store.myshopify.com';
beforeAll(async () => {
  tdb = await createTestDatabase();
  db = await openDatabase(tdb.url);
  store = createConsentJobStore(db.driver);
  await db.prisma.shop.create({ data: { id: shopId, syncToken: 'tok', edroneAppId: 'app1', createMissingCustomers: true } });
});
afterAll(async () => {
  await db?.close();
  await tdb?.drop();
});

const at = new Date('2026-03-01T10:00:00.123Z');
const record: ConsentRecord = {
  ...EMPTY_RECORD,
  truthState: 'subscribed',
  truthAt: at,
  truthSource: 'shopify',
  shopifyState: 'subscribed',
  shopifyAt: at,
  wroteEdroneState: 'subscribed',
  wroteEdroneWallAt: new Date('2026-03-01T10:00:01.456Z'),
  recentTraces: [{ state: 'subscribed', sentAt: 1_772_359_201_456, doneAt: null, reportedAt: null }],
  tracesCompleteFrom: 0,
};

function write(over: Partial<ConsentJobWrite>): ConsentJobWrite {
  return { now: new Date(), consent: null, activities: [], history: [], job: null, ...over };
}

describe('one read, one write', () => {
  it('reads the shop and no row for a new customer; the write stores the row as Prisma would, with its Activity and history rows', async () => {
    const key = { shopId, channel: 'email' as const, identity: 'new@example.com' };
    const read = await store.read('no-such-event', shopId, key);
    expect(read.eventPresent).toBe(false);
    expect(read.consent).toBeNull();
    expect(read.shop).toEqual(await db.prisma.shop.findUnique({ where: { id: shopId } }));

    await store.write(
      write({
        consent: { key, version: null, record, shopifyCustomerId: '123' },
        activities: [{ shopId, origin: 'shopify', target: 'edrone', channel: 'email', identity: key.identity, result: 'sent', reason: 'Sent.', createdAt: at }],
        history: [
          {
            shopId, channel: 'email', identity: key.identity, customerId: '123', eventId: null, source: 'shopify', origin: 'shopify', actor: 'the customer',
            observedState: 'subscribed', eventAt: at, reasonCode: null, reasonName: null, reasonWords: null, action: 'sent', target: 'edrone',
            writtenState: 'subscribed', optInLevel: 'SINGLE_OPT_IN', detail: null, createdAt: at,
          },
        ],
      }),
    );
    const handle = await openConsent(db.prisma, key);
    expect(handle.record).toEqual(record);
    expect(handle.shopifyCustomerId).toBe('123');
    const again = await store.read('no-such-event', shopId, key);
    expect(again.consent).toMatchObject({ version: 1, shopifyCustomerId: '123', truthAt: at });
    expect(await db.prisma.activity.findFirst({ where: { identity: key.identity } })).toMatchObject({ result: 'sent', retried: false, createdAt: at, jobId: null });
    expect(await db.prisma.consentHistory.findFirst({ where: { identity: key.identity } })).toMatchObject({ optInLevel: 'SINGLE_OPT_IN', eventAt: at, createdAt: at });
  });

  it('a write on an outdated read stores nothing and is retriable; the customer id is kept when none is given', async () => {
    const key = { shopId, channel: 'email' as const, identity: 'race@example.com' };
    await store.write(write({ consent: { key, version: null, record, shopifyCustomerId: '9' } }));
    const activity = { shopId, origin: 'shopify' as const, target: 'edrone' as const, channel: 'email' as const, identity: key.identity, result: 'skipped' as const, createdAt: new Date() };
    await store.write(write({ consent: { key, version: 1, record: { ...record, edroneState: 'subscribed' }, shopifyCustomerId: null }, activities: [activity] }));
    const stale = store.write(write({ consent: { key, version: 1, record: { ...record, edroneState: 'unsubscribed' }, shopifyCustomerId: null }, activities: [activity] }));
    await expect(stale).rejects.toBeInstanceOf(RetriableError);
    const handle = await openConsent(db.prisma, key);
    expect(handle.record.edroneState).toBe('subscribed');
    expect(handle.shopifyCustomerId).toBe('9');
    expect(await db.prisma.activity.count({ where: { identity: key.identity } })).toBe(1);
    // A second insert of a row someone else created first is refused the same way.
    await expect(store.write(write({ consent: { key, version: null, record, shopifyCustomerId: null } }))).rejects.toBeInstanceOf(RetriableError);
  });

  it('marks the job done only for the claim that holds it', async () => {
    const queue = createJobQueue(db);
    const job = newJob(shopId, 'test-kind', {});
    await insertJob(db.prisma, job);
    const [claimed] = await queue.claim('w1', 1);
    expect(claimed?.lockedBy).toBeTruthy();
    await store.write(write({ job: { id: job.id, lockedBy: 'someone-else' } }));
    expect((await db.prisma.job.findUnique({ where: { id: job.id } }))?.status).toBe('running');
    await store.write(write({ job: { id: job.id, lockedBy: claimed!.lockedBy! } }));
    expect(await db.prisma.job.findUnique({ where: { id: job.id } })).toMatchObject({ status: 'done', lockedBy: null, leaseUntil: null });
  });
});
