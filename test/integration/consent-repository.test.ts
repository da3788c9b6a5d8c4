// Two workers (processes) that read the same customer's consent and both try to
// save: the second save fails as retriable, so its job decides again on fresh state.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../app/db/database.js';
import { openConsent } from '../../app/db/consent.js';
import { RetriableError } from '../../app/errors.js';
import { useOpenDatabase } from '../helpers/test-database.js';

const database = useOpenDatabase();
let db: Database;
beforeAll(() => {
  db = database();
});

const key = { shopId: 's.myshopify.com', channel: 'email' as const, identity: 'race@example.com' };

describe('consent rows under concurrent workers', () => {
  it('when two workers create the same row, the second save is rejected as retriable', async () => {
    const [a, b] = await Promise.all([openConsent(db.prisma, key), openConsent(db.prisma, key)]);
    await a.save({ ...a.record, truthState: 'unsubscribed', truthAt: new Date('2026-01-01T00:00:00Z'), truthSource: 'edrone' });
    await expect(b.save({ ...b.record, truthState: 'subscribed', truthAt: new Date('2025-01-01T00:00:00Z'), truthSource: 'shopify' })).rejects.toBeInstanceOf(RetriableError);
    expect((await openConsent(db.prisma, key)).record.truthState).toBe('unsubscribed');
  });

  it('when two workers update the same row, only the first save wins; a handle can save repeatedly on its own', async () => {
    const [a, b] = await Promise.all([openConsent(db.prisma, key), openConsent(db.prisma, key)]);
    await a.save({ ...a.record, edroneState: 'unsubscribed' });
    await a.save({ ...a.record, edroneState: 'unsubscribed', shopifyState: 'unsubscribed' }, '7064055069303700123');
    await expect(b.save({ ...b.record, edroneState: 'subscribed' })).rejects.toThrow(/applied again/);
    const fresh = await openConsent(db.prisma, key);
    expect(fresh.record).toMatchObject({ edroneState: 'unsubscribed', shopifyState: 'unsubscribed' });
    expect(fresh.shopifyCustomerId).toBe('7064055069303700123');
  });
});

describe('the remembered traces are stored with the row', () => {
  it('a saved record reads back with its traces and from when they are complete; a row from before them remembers none', async () => {
    const k = { ...key, identity: 'traces@example.com' };
    const handle = await openConsent(db.prisma, k);
    expect(handle.record).toMatchObject({ recentTraces: [], tracesCompleteFrom: 0 });
    const traces = [{ state: 'unsubscribed' as const, sentAt: 1_767_000_000_000, doneAt: 1_767_000_000_300, reportedAt: null }];
    await handle.save({ ...handle.record, recentTraces: traces, tracesCompleteFrom: 0 });
    expect((await openConsent(db.prisma, k)).record).toMatchObject({ recentTraces: traces, tracesCompleteFrom: 0 });
    // A row written before the column existed.
    await db.prisma.consentState.updateMany({ where: k, data: { recentTraces: null } });
    expect((await openConsent(db.prisma, k)).record).toMatchObject({ recentTraces: [], tracesCompleteFrom: null });
  });

  it('the reports decided for a row are stored with it; a row from before them remembers none', async () => {
    const k = { ...key, identity: 'reports@example.com' };
    const handle = await openConsent(db.prisma, k);
    expect(handle.record.decidedReports).toEqual([]);
    await handle.save({ ...handle.record, decidedReports: ['ev-1:0', 'ev-2:1'] });
    expect((await openConsent(db.prisma, k)).record.decidedReports).toEqual(['ev-1:0', 'ev-2:1']);
    // Stored before the report memory: traces only.
    await db.prisma.consentState.updateMany({ where: k, data: { recentTraces: JSON.stringify({ from: 0, traces: [] }) } });
    expect((await openConsent(db.prisma, k)).record).toMatchObject({ decidedReports: [], tracesCompleteFrom: 0 });
  });
});
