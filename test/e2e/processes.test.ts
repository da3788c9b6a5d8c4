// End to end with real processes: the fake Shopify, the fake edrone and the app
// (and, for the crash test, separate worker processes) each run as their own
// `node --import tsx` child, configured through the environment and talking
// HTTP. Uses a temporary SQLite file, or a fresh PostgreSQL database when
// TEST_DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EDRONE_APP_ID,
  edroneControl,
  eventually,
  installShop,
  shopifyControl,
  startProcessStack,
  type ManagedProcess,
  type ProcessStack,
  type TraceJson,
} from '../helpers/processes.js';

const WAIT_MS = 15_000;

/** A unique address per test, so tests never see each other's traces. */
const unique = (name: string) => `${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;
/** An event time in the past, whole seconds (edrone's event_date has no milliseconds). */
const secondsAgo = (s: number) => new Date(Math.floor(Date.now() / 1000) * 1000 - s * 1000);

// Two independent stacks, started side by side to save time: one whose app runs
// the worker inline, one whose app has WORKER=off and relies on worker processes.
let inline: ProcessStack | undefined;
let split: ProcessStack | undefined;
let firstWorker: ManagedProcess | undefined;

/** A stack with the shop installed; stopped again if the installation fails. */
async function startInstalled(options: Parameters<typeof startProcessStack>[0]): Promise<ProcessStack> {
  const stack = await startProcessStack(options);
  try {
    await installShop(stack);
    return stack;
  } catch (e) {
    await stack.close().catch(() => {});
    throw e;
  }
}

beforeAll(async () => {
  const [a, b] = await Promise.allSettled([
    startInstalled({ worker: 'inline' }),
    startInstalled({ worker: 'off', env: { WORKER_LEASE_MS: '2000' } }).then((s) => {
      // Started now (it takes a few seconds to boot); it finds nothing to do until the test.
      firstWorker = s.startWorker('worker-1');
      return s;
    }),
  ]);
  if (a.status === 'fulfilled') inline = a.value;
  if (b.status === 'fulfilled') split = b.value;
  const failed = [a, b].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) throw failed[0]!.reason;
}, 120_000);
afterAll(async () => {
  await Promise.allSettled([inline?.close(), split?.close()]);
});

describe('three real processes: fake Shopify, fake edrone, the app (inline worker)', () => {
  let stack: ProcessStack;
  let shopify: ReturnType<typeof shopifyControl>;
  let edrone: ReturnType<typeof edroneControl>;

  beforeAll(() => {
    stack = inline!;
    shopify = shopifyControl(stack.shopify.url);
    edrone = edroneControl(stack.edrone.url);
  });

  const traceWhere = (what: string, match: (t: TraceJson) => boolean) =>
    eventually(
      what,
      async () => (await edrone.traces()).traces.find(match),
      { timeoutMs: WAIT_MS, diagnostics: () => stack.diagnostics(), last: async () => (await edrone.traces()).requests.slice(-5) },
    );

  it('(a) an email unsubscribe in Shopify reaches edrone as subscriber_status=0', async () => {
    const email = unique('ann');
    const c = await shopify.createCustomer({ email, emailState: 'subscribed' });
    await shopify.setConsent(c.id, 'email', 'unsubscribed');
    const trace = await traceWhere(`a trace for ${email}`, (t) => t.fields.email === email);
    expect(trace.fields).toMatchObject({
      app_id: EDRONE_APP_ID,
      action_type: 'subscribe',
      sender_type: 'server',
      email,
      subscriber_status: '0',
    });
  });

  it('(b) an SMS subscribe in Shopify reaches edrone with the phone and sms_subscriber_status=1', async () => {
    const phone = '+48500100200';
    const c = await shopify.createCustomer({ phone: '+48 500 100 200' });
    await shopify.setConsent(c.id, 'sms', 'subscribed');
    const trace = await traceWhere(`an SMS trace for ${phone}`, (t) => t.fields.phone === phone);
    expect(trace.fields).toMatchObject({ app_id: EDRONE_APP_ID, action_type: 'subscribe', phone, sms_subscriber_status: '1' });
    expect(trace.fields.subscriber_status).toBeUndefined();
  });

  it('(c) an email unsubscribe from edrone (NATIVE_5) makes the Shopify customer UNSUBSCRIBED at event_date', async () => {
    const email = unique('bob');
    const c = await shopify.createCustomer({ email, emailState: 'subscribed', emailConsentUpdatedAt: secondsAgo(2 * 86_400).toISOString() });
    const eventDate = secondsAgo(3_600);
    const res = await edrone.sendSync({ channel: 'email', email, status: '0', eventDate: eventDate.toISOString() });
    expect(res, `the app's answer to the sync request: ${JSON.stringify(res)}`).toMatchObject({ status: 200 });
    const after = await eventually(
      `${email} to be unsubscribed in Shopify`,
      async () => {
        const now = await shopify.getCustomer(c.id);
        return now.emailConsent?.state === 'unsubscribed' ? now : undefined;
      },
      { timeoutMs: WAIT_MS, diagnostics: () => stack.diagnostics(), last: () => shopify.getCustomer(c.id) },
    );
    expect(after.emailConsent?.consentUpdatedAt).toBe(eventDate.toISOString().replace('.000Z', 'Z'));
  });

  it('(d) an SMS subscribe from edrone makes the Shopify customer SMS SUBSCRIBED', async () => {
    const phone = '+48501222333';
    const c = await shopify.createCustomer({ phone });
    const res = await edrone.sendSync({ channel: 'sms', phone, status: '1' });
    expect(res, `the app's answer to the sync request: ${JSON.stringify(res)}`).toMatchObject({ status: 200 });
    await eventually(
      `${phone} to be SMS subscribed in Shopify`,
      async () => (await shopify.getCustomer(c.id)).smsConsent?.state === 'subscribed',
      { timeoutMs: WAIT_MS, diagnostics: () => stack.diagnostics(), last: () => shopify.getCustomer(c.id) },
    );
  });
});

describe('separate worker processes (WORKER=off on the app)', () => {
  let stack: ProcessStack;

  beforeAll(() => {
    stack = split!;
  });

  it('(e) a worker killed mid-job loses nothing: another worker delivers the change exactly once', async () => {
    const shopify = shopifyControl(stack.shopify.url);
    const edrone = edroneControl(stack.edrone.url);
    const diagnostics = () => stack.diagnostics();
    const email = unique('crash');
    const forEmail = (list: TraceJson[]) => list.filter((t) => t.fields.email === email);

    // edrone never answers the next trace: the first worker will be stuck inside the job.
    await edrone.failures('hang', 1);
    const first = firstWorker!;
    expect(first.exitInfo(), `worker-1 is running\n${first.describe()}`).toBeNull();
    const c = await shopify.createCustomer({ email, emailState: 'subscribed' });
    await shopify.setConsent(c.id, 'email', 'unsubscribed');

    // The first worker has claimed the job and its call to edrone hangs.
    const claimed = await eventually(
      'the first worker to claim the job while edrone hangs',
      async () => {
        const [jobs, { requests }] = await Promise.all([stack.jobs(), edrone.traces()]);
        // This stack's database holds this one change only.
        const running = jobs.find((j) => j.status === 'running');
        const hung = forEmail(requests).find((r) => r.response === 'hung');
        return running && hung ? running : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, diagnostics, last: () => stack.jobs() },
    );
    expect(first.exitInfo(), 'the first worker is still running').toBeNull();

    const exit = await first.kill();
    const killedAt = Date.now();
    expect(exit.signal).toBe('SIGKILL');
    expect(forEmail((await edrone.traces()).traces), 'nothing reached edrone from the killed worker').toHaveLength(0);
    expect((await stack.jobs()).find((j) => j.id === claimed.id)?.status).toBe('running');

    // A new worker takes the job over once the dead worker's lease (2 s) runs out.
    const second = stack.startWorker('worker-2');
    const done = await eventually(
      'the job to be done by the second worker',
      async () => {
        const job = (await stack.jobs()).find((j) => j.id === claimed.id);
        return job?.status === 'done' ? job : undefined;
      },
      { timeoutMs: 25_000, intervalMs: 100, diagnostics, last: () => stack.jobs() },
    );
    expect(done.status).toBe('done');
    expect(second.exitInfo(), `worker-2 is still running\n${second.describe()}`).toBeNull();

    // Exactly one successful trace, delivered after the first worker died; give a duplicate time to show up.
    await new Promise((r) => setTimeout(r, 1_000));
    const { traces, requests } = await edrone.traces();
    const delivered = forEmail(traces);
    expect(delivered, `successful traces for ${email}\n${diagnostics()}`).toHaveLength(1);
    expect(delivered[0]!.fields).toMatchObject({ app_id: EDRONE_APP_ID, email, subscriber_status: '0' });
    expect(delivered[0]!.receivedAt).toBeGreaterThanOrEqual(killedAt);
    expect(forEmail(requests).map((r) => r.response)).toEqual(['hung', 200]);
    expect(await stack.jobs(), 'one job for the one change').toHaveLength(1);
  }, 60_000);
});
