// Issue 9, part 2, points 2, 3, 4 and 10 through HTTP: every field of edrone's
// sync request has one exact format before its signature is trusted (no
// splicing between fields), dates have a real offset and do not lie in the
// future, a huge pathological field costs nothing before authentication, and
// the documented keyed hash is accepted in its three encodings, never without
// the App Secret. Each refusal stores nothing.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signNative5, type Native5SignedFields } from '../../app/adapters/edrone/index.js';
import { edroneDate } from '../../app/sandbox/fake-edrone.js';
import { EDRONE_APP_ID, EDRONE_SECRET, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let syncPath: string;
beforeAll(async () => {
  h = await startHarness();
  syncPath = new URL(h.syncUrl).pathname;
});
afterAll(async () => h?.close());

type Fields = Record<string, string>;

function fields(overrides: Fields = {}): Native5SignedFields & Fields {
  return {
    subscription_status_type_id: '1',
    email: `user-${randomBytes(4).toString('hex')}@example.com`,
    subscriber_status: '0',
    subscription_status_reason: '4',
    event_date: edroneDate(new Date(Date.now() - 60_000)),
    event_id: randomBytes(8).toString('hex'),
    app_id: EDRONE_APP_ID,
    ...overrides,
  };
}

/** The documented concatenation, computed here independently of the app. */
function digestOf(f: Fields, secret = EDRONE_SECRET): Buffer {
  const id = f.subscription_status_type_id === '1' ? f.email : f.phone;
  const text = [id, f.subscriber_status, f.subscription_status_reason, f.event_date, f.event_id, secret, f.app_id].join('');
  return createHash('sha256').update(text, 'utf8').digest();
}

const signed = (f: Native5SignedFields & Fields): Fields => ({ ...f, signature: signNative5(f, EDRONE_SECRET) });

function post(body: Fields, path = syncPath) {
  return h.http().post(path).set('Content-Type', 'application/x-www-form-urlencoded').send(new URLSearchParams(body).toString());
}

async function stored() {
  const { prisma } = h.server.ctx.db;
  return { events: await prisma.inboundEvent.count(), jobs: await prisma.job.count() };
}

async function expectRefused(body: Fields, status: number, error?: RegExp) {
  const before = await stored();
  const res = await post(body);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  if (error) expect(res.body.error).toMatch(error);
  expect(await stored()).toEqual(before);
  return res;
}

describe('point 2: splicing characters between fields of a signed request', () => {
  it('when the seconds of event_date are moved into event_id (same concatenation), then 400 and nothing stored', async () => {
    const real = signed(fields({ event_date: '2026-01-15 10:30:00', event_id: 'abc123' }));
    expect((await post(real)).status).toBe(200);
    const forged = { ...real, event_date: '2026-01-15 10:30', event_id: ':00abc123' };
    await expectRefused(forged, 400, /event_date|event_id/);
    const dateOnly = { ...real, event_date: '2026-01-15', event_id: ' 10:30:00abc123' };
    await expectRefused(dateOnly, 400, /event_date|event_id/);
  });

  it('when a status digit is moved into the email (or out of it), then 400', async () => {
    const base = fields({ email: 'ann@example.com', subscriber_status: '1', subscription_status_reason: '11' });
    const real = signed(base);
    await expectRefused({ ...real, email: 'ann@example.com1', subscriber_status: '' }, 400, /email/);
  });

  it('when a no-op report (status empty, reason 13 TRACE_UNKNOWN) is re-split into a subscribe (status 1, reason 3), then 400', async () => {
    const noOp = signed(fields({ subscriber_status: '', subscription_status_reason: '13' }));
    expect((await post(noOp)).status).toBe(200);
    await expectRefused({ ...noOp, event_id: `${noOp.event_id}`, subscriber_status: '1', subscription_status_reason: '3' }, 400, /subscriber_status/);
  });

  it('when a no-op SMS report (status empty) is re-split so the phone hands its last digit to the status, then 400', async () => {
    const noOp = signed(fields({ subscription_status_type_id: '2', email: '', phone: '+4915123456781', subscriber_status: '', subscription_status_reason: '3' }));
    await expectRefused({ ...noOp, phone: '+491512345678', subscriber_status: '1' }, 400, /subscriber_status|phone/);
  });

  it.each([
    ['subscriber_status 2', { subscriber_status: '2' }, /subscriber_status/],
    ['subscriber_status " 1"', { subscriber_status: ' 1' }, /subscriber_status/],
    ['subscription_status_type_id " 1"', { subscription_status_type_id: ' 1' }, /subscription_status_type_id/],
    ['an email with a space', { email: 'ann smith@example.com' }, /email/],
    ['an email ending in a digit', { email: 'ann@example.c0' }, /email/],
    ['a phone with letters', { subscription_status_type_id: '2', phone: '+48500abc200' }, /phone/],
    ['a phone without country code', { subscription_status_type_id: '2', phone: '500100200' }, /phone/],
    ['an unknown numeric reason', { subscription_status_reason: '99' }, /subscription_status_reason/],
    ['an event_id with a colon', { event_id: 'a:b' }, /event_id/],
  ])('when the signed request has %s, then 400 naming the field', async (_name, overrides, error) => {
    await expectRefused(signed(fields(overrides)), 400, error);
  });
});

describe('point 3: impossible offsets and future dates', () => {
  it.each(['2026-01-15 10:30:00+99', '2026-01-15 10:30:00-12:99', '2026-01-15 10:30:00+2500', '2026-01-15 10:30:00+25:00', '2026-01-15 10:30:00-13:00'])(
    'when event_date is %s, then 400',
    async (eventDate) => {
      await expectRefused(signed(fields({ event_date: eventDate })), 400, /event_date/);
    },
  );

  it('when event_date is in 2099, then 400, and a later real subscribe is still applied', async () => {
    const email = `future-${randomBytes(3).toString('hex')}@example.com`;
    await expectRefused(signed(fields({ email, event_date: '2099-01-01 00:00:00' })), 400, /future/);
    await expectRefused(signed(fields({ email, event_date: edroneDate(new Date(Date.now() + 30 * 60_000)) })), 400, /future/);
    const ok = await post(signed(fields({ email, subscriber_status: '1', subscription_status_reason: '11', event_date: edroneDate(new Date()) })));
    expect(ok.status).toBe(200);
  });

  it('a valid offset and a date a minute ahead (clock skew) are accepted', async () => {
    expect((await post(signed(fields({ event_date: '2026-01-15 12:30:00+02:00' })))).status).toBe(200);
    expect((await post(signed(fields({ event_date: edroneDate(new Date(Date.now() + 60_000)) })))).status).toBe(200);
  });
});

describe('point 4: no costly work before authentication', () => {
  it('an unsigned request with a 61 KB pathological email is refused at once, without echoing the value', async () => {
    const email = `${'a.'.repeat(30_000)}@${'b.'.repeat(500)}`;
    const res = await expectRefused({ ...fields({ email }), signature: 'x' }, 400, /email.*longer than 254/);
    expect(JSON.stringify(res.body).length).toBeLessThan(500);
    expect((await h.http().get('/healthz')).status).toBe(200);
  });

  it('an over-long field of any name is refused by length before anything else', async () => {
    await expectRefused({ ...signed(fields()), note: 'x'.repeat(1000) }, 400, /note.*longer/);
    await expectRefused({ ...signed(fields()), event_id: 'e'.repeat(200) }, 400, /event_id.*longer/);
  });
});

describe('point 10: the keyed hash in its three encodings, never without the secret', () => {
  async function variantOf(): Promise<string | null> {
    const res = await h.http().get('/api/settings').set('Authorization', `Bearer ${await h.token()}`);
    expect(res.status).toBe(200);
    return res.body.edroneSignatureVariant;
  }

  it('the documented base64 of the hex text is accepted and recorded', async () => {
    const f = fields();
    expect((await post({ ...f, signature: Buffer.from(digestOf(f).toString('hex')).toString('base64') })).status).toBe(200);
    expect(await variantOf()).toBe('base64_of_hex');
  });

  it('bare lower-case hex is accepted and recorded; upper-case hex is not', async () => {
    const f = fields();
    await expectRefused({ ...f, signature: digestOf(f).toString('hex').toUpperCase() }, 401);
    expect((await post({ ...f, signature: digestOf(f).toString('hex') })).status).toBe(200);
    expect(await variantOf()).toBe('hex');
  });

  it('base64 of the raw digest is accepted and recorded', async () => {
    const f = fields();
    expect((await post({ ...f, signature: digestOf(f).toString('base64') })).status).toBe(200);
    expect(await variantOf()).toBe('base64_of_digest');
  });

  it('a formula without the App Secret (PrestaShop module style, public App ID only) is refused in every encoding', async () => {
    const f = fields();
    const noSecret = createHash('sha256')
      .update([f.email, f.subscription_status_type_id, f.subscription_status_reason, f.event_date, f.event_id, f.app_id].join(''))
      .digest();
    const documentedNoSecret = digestOf(f, '');
    for (const digest of [noSecret, documentedNoSecret]) {
      for (const signature of [digest.toString('hex'), digest.toString('base64'), Buffer.from(digest.toString('hex')).toString('base64')]) {
        await expectRefused({ ...f, signature }, 401, /signature/);
      }
    }
  });
});
