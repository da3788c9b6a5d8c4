// The pieces of the backfill that need no database: splitting the export stream
// into lines with exact byte offsets (resume points), reading a line, and the
// webhook topic mapping and subscription health.
import { describe, expect, it } from 'vitest';
import { customerFromExportLine, jsonLines } from '../../app/adapters/shopify/index.js';
import { EXPECTED_WEBHOOK_TOPICS, subscriptionHealth, topicFromEnum, topicToEnum } from '../../app/core/webhook-subscriptions.js';

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? Buffer.from(p) : p;
}

async function collect(it: AsyncIterable<{ text: string; bytes: number }>) {
  const out: { text: string; bytes: number }[] = [];
  for await (const l of it) out.push(l);
  return out;
}

describe('jsonLines', () => {
  it('splits across chunk boundaries and counts bytes (newline included, multi-byte characters whole)', async () => {
    const lines = await collect(jsonLines(chunks('{"a":1}\n{"b":', '"żółw"}\n', '\n{"c":3}')));
    expect(lines).toEqual([
      { text: '{"a":1}', bytes: 8 },
      { text: '{"b":"żółw"}', bytes: Buffer.byteLength('{"b":"żółw"}') + 1 },
      { text: '', bytes: 1 },
      { text: '{"c":3}', bytes: 7 }, // the last line has no newline
    ]);
  });

  it('a character split between two chunks is decoded whole', async () => {
    const bytes = Buffer.from('{"n":"é"}\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of é
    const lines = await collect(jsonLines(chunks(bytes.subarray(0, cut), bytes.subarray(cut))));
    expect(lines).toEqual([{ text: '{"n":"é"}', bytes: bytes.length }]);
  });

  it('skipBytes drops what was already read (a server that ignored Range)', async () => {
    const file = '{"a":1}\n{"b":2}\n{"c":3}\n';
    const all = await collect(jsonLines(chunks(file)));
    const offset = all[0]!.bytes + all[1]!.bytes;
    expect(await collect(jsonLines(chunks(file.slice(0, 5), file.slice(5)), { skipBytes: offset }))).toEqual([{ text: '{"c":3}', bytes: 8 }]);
  });

  it('refuses an absurdly long line instead of buffering it', async () => {
    await expect(collect(jsonLines(chunks('x'.repeat(100), 'y'.repeat(100)), { maxLineBytes: 150 }))).rejects.toThrow(/longer than expected/);
  });
});

describe('customerFromExportLine', () => {
  it('reads a customer line of the bulk export', () => {
    const line = JSON.stringify({
      id: 'gid://shopify/Customer/7064055069303700001',
      email: 'Ann@Example.com',
      phone: null,
      emailMarketingConsent: { marketingState: 'SUBSCRIBED', consentUpdatedAt: '2026-03-01T10:00:00Z' },
      smsMarketingConsent: null,
    });
    expect(customerFromExportLine(line)).toEqual({
      id: '7064055069303700001',
      email: 'Ann@Example.com',
      phone: null,
      emailConsent: { state: 'subscribed', consentUpdatedAt: '2026-03-01T10:00:00Z', optInLevel: null },
      smsConsent: null,
    });
  });

  it('skips blank lines and child objects; rejects broken JSON', () => {
    expect(customerFromExportLine('  ')).toBeNull();
    expect(customerFromExportLine('{"id":"gid://shopify/Order/1","__parentId":"gid://shopify/Customer/1"}')).toBeNull();
    expect(() => customerFromExportLine('{"id":')).toThrow(/not valid JSON/);
  });
});

describe('webhook subscriptions', () => {
  it('maps topics between the slash form and the enum form', () => {
    expect(topicToEnum('customers_email_marketing_consent/update')).toBe('CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE');
    expect(topicToEnum('app/uninstalled')).toBe('APP_UNINSTALLED');
    expect(topicFromEnum('CUSTOMERS_MARKETING_CONSENT_UPDATE')).toBe('customers_marketing_consent/update');
    expect(topicFromEnum('APP_UNINSTALLED')).toBe('app/uninstalled');
    expect(topicFromEnum('ORDERS_CREATE')).toBe('orders/create');
  });

  it('active at the expected address, failing elsewhere, missing when an API subscription is expected and none delivers there', () => {
    const expected = 'https://app.example.com/webhooks';
    const rows = subscriptionHealth(
      [
        { id: 'gid://shopify/WebhookSubscription/1', topic: 'APP_UNINSTALLED', address: `${expected}/`, apiVersion: '2026-07', createdAt: null },
        { id: 'gid://shopify/WebhookSubscription/2', topic: 'CUSTOMERS_MARKETING_CONSENT_UPDATE', address: 'https://old.example.com/webhooks', apiVersion: '2026-07', createdAt: null },
      ],
      expected,
      EXPECTED_WEBHOOK_TOPICS,
    );
    expect(rows.map((r) => [r.id, r.topic, r.status])).toEqual([
      ['gid://shopify/WebhookSubscription/1', 'app/uninstalled', 'active'],
      ['gid://shopify/WebhookSubscription/2', 'customers_marketing_consent/update', 'failing'],
      ['missing:customers_email_marketing_consent/update', 'customers_email_marketing_consent/update', 'missing'],
      ['missing:customers_marketing_consent/update', 'customers_marketing_consent/update', 'missing'],
    ]);
  });

  it('with the topics declared in shopify.app.toml (the default) nothing is missing', () => {
    expect(subscriptionHealth([], 'https://app.example.com/webhooks')).toEqual([]);
  });
});
