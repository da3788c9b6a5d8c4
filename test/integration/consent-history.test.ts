// A customer's consent history through HTTP: both channels across both systems,
// the CSV export (streamed), and customers/redact removing the customer from both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerConsentAnswer, HISTORY_CSV_COLUMNS } from '../../app/api-contract/index.js';
import { HISTORY_CSV_COLUMNS as CORE_COLUMNS } from '../../app/core/consent-history.js';
import { EDRONE_APP_ID, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let auth: Record<string, string>;
beforeAll(async () => {
  h = await startHarness();
  auth = { Authorization: `Bearer ${await h.token()}` };
});
afterAll(async () => h?.close());

/** A minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (ch !== '\r') field += ch;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

async function csv(query: Record<string, string>) {
  const res = await h.http().get('/api/consent-history.csv').query(query).set(auth).buffer(true).parse((r, cb) => {
    let body = '';
    r.setEncoding('utf8');
    r.on('data', (c: string) => (body += c));
    r.on('end', () => cb(null, body));
  });
  return { status: res.status, headers: res.headers, rows: parseCsv(res.body as string) };
}

describe('consent history', () => {
  let customerId = '';
  beforeAll(async () => {
    const c = h.shopify.control.createCustomer({ shop: h.shop, email: 'Hist@Example.com', phone: '+48500111222' });
    customerId = c.id;
    h.shopify.control.setConsent({ shop: h.shop, customerId: c.id, channel: 'email', state: 'subscribed', consentUpdatedAt: '2026-11-01T09:00:00Z' });
    await h.settle();
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'email', email: 'hist@example.com', status: '0', reason: 1, eventDate: new Date('2026-11-10T12:00:00Z') });
    await h.edrone.control.sendSync({ appId: EDRONE_APP_ID, channel: 'sms', phone: '+48500111222', status: '1', reason: 9, eventDate: new Date('2026-11-11T12:00:00Z') });
    await h.settle();
  });

  it('shows both channels across both systems, with who, reason in words, opt-in level, what was written and what each side holds now', async () => {
    const res = await h.http().get('/api/customers/consent').query({ customer: ' HIST@example.com ' }).set(auth);
    expect(res.status).toBe(200);
    const body = customerConsentAnswer.parse(res.body);
    expect(body.customer.shopifyCustomerIds).toEqual([customerId]);
    const [email, sms] = body.channels;
    expect(email?.identity).toBe('hist@example.com');
    expect(email?.now).toMatchObject({ shopify: { state: 'unsubscribed' }, edrone: { state: 'unsubscribed' }, lastChange: { state: 'unsubscribed', side: 'edrone' } });
    const shopifyChange = email?.entries.find((e) => e.source === 'shopify' && e.action === 'sent');
    expect(shopifyChange).toMatchObject({
      changedBy: expect.stringMatching(/Shopify/),
      observedState: 'subscribed',
      changedAt: '2026-11-01T09:00:00.000Z',
      target: 'edrone',
      writtenState: 'subscribed',
      optInLevel: 'SINGLE_OPT_IN',
    });
    const edroneChange = email?.entries.find((e) => e.source === 'edrone' && e.action === 'sent');
    expect(edroneChange).toMatchObject({
      changedBy: 'the customer (in edrone)',
      edroneReasonCode: '1',
      edroneReason: 'CUSTOMER_UNSUBSCRIBED',
      edroneReasonWords: 'The customer clicked the unsubscribe link',
      changedAt: '2026-11-10T12:00:00.000Z',
      target: 'shopify',
      writtenState: 'unsubscribed',
      optInLevel: 'UNKNOWN',
    });
    // The echo of the app's own write is in the timeline too, as a skip with its reason.
    expect(email?.entries.some((e) => e.action === 'skipped' && /own update/.test(e.detail ?? ''))).toBe(true);

    // SMS is found through the same Shopify customer, though it was asked for by email.
    expect(sms?.identity).toBe('+48500111222');
    expect(sms?.entries.find((e) => e.action === 'sent' && e.target === 'shopify')).toMatchObject({
      edroneReason: 'CUSTOMER_SELF_RESURRECT',
      optInLevel: 'SINGLE_OPT_IN',
      writtenState: 'subscribed',
    });

    // Asked by phone: the same customer.
    const byPhone = customerConsentAnswer.parse((await h.http().get('/api/customers/consent').query({ customer: '+48 500 111 222' }).set(auth)).body);
    expect(byPhone.channels.map((c) => c.entries.length)).toEqual(body.channels.map((c) => c.entries.length));
  });

  it('answers 400 for something that is neither an email nor an international phone', async () => {
    const res = await h.http().get('/api/customers/consent').query({ customer: 'not-a-customer' }).set(auth);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/email|phone/);
  });

  it('exports the history as CSV: documented columns, one row per entry, filters by customer, channel and dates', async () => {
    expect(HISTORY_CSV_COLUMNS).toEqual(CORE_COLUMNS);
    const all = await csv({ customer: 'hist@example.com' });
    expect(all.status).toBe(200);
    expect(all.headers['content-type']).toMatch(/text\/csv/);
    const [header, ...rows] = all.rows;
    expect(header).toEqual([...HISTORY_CSV_COLUMNS]);
    expect(all.headers['x-total-rows']).toBe(String(rows.length));
    const api = customerConsentAnswer.parse((await h.http().get('/api/customers/consent').query({ customer: 'hist@example.com' }).set(auth)).body);
    expect(rows).toHaveLength(api.channels.reduce((n, c) => n + c.entries.length, 0));
    const col = (name: string) => HISTORY_CSV_COLUMNS.indexOf(name as (typeof HISTORY_CSV_COLUMNS)[number]);
    expect(rows.some((r) => r[col('customer')] === '+48500111222' && r[col('edrone_reason')] === 'CUSTOMER_SELF_RESURRECT')).toBe(true);

    const sms = await csv({ customer: 'hist@example.com', channel: 'sms' });
    expect(sms.rows.slice(1).every((r) => r[col('channel')] === 'sms')).toBe(true);
    expect(sms.rows.length).toBeLessThan(all.rows.length);
    const future = await csv({ from: '2099-01-01' });
    expect(future.rows).toEqual([[...HISTORY_CSV_COLUMNS]]);
    expect((await csv({ from: '2026-12-02', to: '2026-12-01' })).status).toBe(400);
  });

  it('customers/redact removes the customer from the timeline and every export, and nobody else', async () => {
    const other = h.shopify.control.createCustomer({ shop: h.shop, email: 'stays@example.com' });
    h.shopify.control.setConsent({ shop: h.shop, customerId: other.id, channel: 'email', state: 'subscribed' });
    await h.settle();
    const delivery = await h.shopify.control.sendWebhook({
      shop: h.shop,
      topic: 'customers/redact',
      body: { shop_domain: h.shop, customer: { id: Number(customerId) || customerId, email: 'hist@example.com', phone: '+48500111222' }, orders_to_redact: [] },
    });
    expect(delivery.status).toBe(200);
    await h.settle();

    const body = customerConsentAnswer.parse((await h.http().get('/api/customers/consent').query({ customer: 'hist@example.com' }).set(auth)).body);
    expect(body.channels.flatMap((c) => c.entries)).toEqual([]);
    const everything = await csv({});
    const text = everything.rows.flat().join('\n');
    expect(text).not.toMatch(/hist@example\.com|48500111222/);
    expect(text).toMatch(/stays@example\.com/);
  });
});
