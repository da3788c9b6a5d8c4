// One consent job's writes, kept until the end and stored in ONE transaction
// (app/db/consent-job.ts): the consent row (however many times the use case
// saved it), the Activity and consent-history rows, and the job's "done". The
// use case runs unchanged on a data layer whose consent handle, activity and
// history inserts collect here instead of writing one by one.
import type { HistoryEntry } from '../core/consent-history.js';
import type { Channel, ConsentRecord } from '../core/types.js';
import {
  recordOfRow,
  type ActivityInput,
  type ConsentHandle,
  type ConsentJobRead,
  type ConsentJobWrite,
  type ConsentKey,
  type StoredConsentRow,
} from '../db/index.js';
import { consentLockKey } from './consent-sync.js';
import type { Job } from '../queue/index.js';
import type { SyncDeps } from './deps.js';

export interface ConsentJobUnit {
  /** The use case's dependencies: writes collect in this unit; the customer's lock is already held. */
  deps: SyncDeps;
  /**
   * Stores what was collected in one transaction, with the job marked done when given.
   * Throws (storing nothing) when the consent row changed since it was read.
   */
  commit(job: Job | null): Promise<void>;
}

const sameKey = (a: ConsentKey, b: ConsentKey) => a.shopId === b.shopId && a.channel === b.channel && a.identity === b.identity;

/**
 * `stored` is the customer's row as read with the job (`key`); `heldLock` the lock key the
 * caller holds for it (the use case would otherwise wait for its own lock).
 */
export function openConsentJobUnit(deps: SyncDeps, key: ConsentKey | null, stored: StoredConsentRow | null, heldLock: string | null): ConsentJobUnit {
  const activities: ConsentJobWrite['activities'] = [];
  const history: ConsentJobWrite['history'] = [];
  let version = stored?.version ?? null;
  let pending: { record: ConsentRecord; shopifyCustomerId: string | null } | null = null;

  const handle: ConsentHandle | null = key && {
    key,
    record: recordOfRow(stored),
    shopifyCustomerId: stored?.shopifyCustomerId ?? null,
    async save(record, shopifyCustomerId) {
      // As a direct save: an id is set only when given, never erased.
      pending = { record, shopifyCustomerId: shopifyCustomerId || pending?.shopifyCustomerId || null };
    },
  };

  const data = {
    ...deps.data,
    consent: { ...deps.data.consent, open: async (k: ConsentKey) => (handle && sameKey(k, handle.key) ? handle : deps.data.consent.open(k)) },
    activity: {
      ...deps.data.activity,
      insert: async (a: ActivityInput) => void activities.push({ ...a, createdAt: new Date() }),
    },
    consentHistory: {
      ...deps.data.consentHistory,
      insert: async (e: HistoryEntry) => void history.push({ ...e, createdAt: new Date() }),
    },
  };
  const locks = { run: <T>(k: string, fn: () => Promise<T>) => (k === heldLock ? fn() : deps.locks.run(k, fn)) };

  return {
    deps: { ...deps, data, locks },
    async commit(job) {
      const consent = pending && key ? { key, version, ...pending } : null;
      const done = job?.lockedBy ? { id: job.id, lockedBy: job.lockedBy } : null;
      if (!consent && activities.length === 0 && history.length === 0 && !done) return;
      await deps.data.consentJobs.write({ now: new Date(), consent, activities: activities.splice(0), history: history.splice(0), job: done });
      if (consent) version = (version ?? 0) + 1;
      pending = null;
    },
  };
}

/**
 * Under the customer's lock (the one consent-sync.ts takes; none without an identity): reads
 * the event's presence, the shop and the customer's row in one query (`eventId` null: no
 * stored delivery to look for) and hands `work` that read and a unit opened on the row.
 */
export function withConsentUnit<T>(
  deps: SyncDeps,
  shopId: string,
  change: { channel: Channel; identity: string | null },
  eventId: string | null,
  work: (read: ConsentJobRead, unit: ConsentJobUnit) => Promise<T>,
): Promise<T> {
  const key = change.identity ? { shopId, channel: change.channel, identity: change.identity } : null;
  const lock = key && consentLockKey(key);
  const locked = async () => {
    const read = await deps.data.consentJobs.read(eventId, shopId, key);
    return work(read, openConsentJobUnit(deps, key, read.consent, lock));
  };
  return lock ? deps.locks.run(lock, locked) : locked();
}

/**
 * Runs the use case on the unit and stores what it collected, with `job` marked done when
 * given. A failure stores what was decided so far (as separate saves would have) and is rethrown.
 */
export async function runInUnit<T>(unit: ConsentJobUnit, job: Job | null, useCase: (deps: SyncDeps) => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await useCase(unit.deps);
  } catch (e) {
    await unit.commit(null).catch(() => {});
    throw e;
  }
  await unit.commit(job);
  return result;
}
