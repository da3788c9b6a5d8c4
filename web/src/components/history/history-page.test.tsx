// @vitest-environment jsdom
import '../../test/setup.js';
import { fireEvent, screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CustomerConsentAnswer } from '../../api-types.js';
import { mockFetch, type FetchMock } from '../../test/mock-fetch.js';
import { renderWithPolaris } from '../../test/render.js';
import { HistoryPage } from './history-page.js';
import { exportUrl } from './export-csv.js';

const ANSWER: CustomerConsentAnswer = {
  customer: { query: 'ann@example.com', shopifyCustomerIds: ['1'] },
  channels: [
    {
      channel: 'email',
      identity: 'ann@example.com',
      now: { shopify: { state: 'unsubscribed', at: null }, edrone: { state: 'unsubscribed', at: null }, lastChange: { state: 'unsubscribed', at: '2026-11-10T12:00:00.000Z', side: 'edrone' } },
      entries: [
        {
          id: 'h1', recordedAt: '2026-11-10T12:00:05.000Z', source: 'edrone', origin: 'edrone', changedBy: 'the customer (in edrone)',
          observedState: 'unsubscribed', changedAt: '2026-11-10T12:00:00.000Z', edroneReasonCode: '1', edroneReason: 'CUSTOMER_UNSUBSCRIBED',
          edroneReasonWords: 'The customer clicked the unsubscribe link', action: 'sent', target: 'shopify', writtenState: 'unsubscribed', optInLevel: 'UNKNOWN', detail: null,
        },
      ],
    },
    { channel: 'sms', identity: null, now: { shopify: { state: null, at: null }, edrone: { state: null, at: null }, lastChange: { state: null, at: null, side: null } }, entries: [] },
  ],
};

let fetchMock: FetchMock;
beforeEach(() => {
  window.sessionStorage.clear();
  fetchMock = mockFetch();
});

describe('HistoryPage', () => {
  it('searches a customer and shows both channels, the reason in words and what was written', async () => {
    fetchMock.on('GET /api/customers/consent?*', { body: ANSWER });
    renderWithPolaris(<HistoryPage />);
    fireEvent.change(screen.getByLabelText('Customer email or phone'), { target: { value: 'Ann@Example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Show history' }));
    const email = await screen.findByTestId('history-email');
    expect(fetchMock.callsTo('GET', '/api/customers/consent')[0]?.url).toBe('/api/customers/consent?customer=Ann%40Example.com');
    expect(within(email).getByText(/The customer clicked the unsubscribe link/)).toBeTruthy();
    expect(within(email).getByText(/The app wrote Unsubscribed to Shopify/i)).toBeTruthy();
    expect(within(screen.getByTestId('history-sms')).getByText('No changes recorded for this channel.')).toBeTruthy();
  });

  it("words edrone's reason for the merchant; its code and the UTC times are in the technical detail", async () => {
    fetchMock.on('GET /api/customers/consent?*', { body: ANSWER });
    renderWithPolaris(<HistoryPage />);
    fireEvent.change(screen.getByLabelText('Customer email or phone'), { target: { value: 'ann@example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Show history' }));
    const entry = (await screen.findAllByTestId('history-entry'))[0] as HTMLElement;
    const technical = within(entry).getByTestId('history-technical');
    expect(technical.textContent).toContain('CUSTOMER_UNSUBSCRIBED (1)');
    expect(technical.textContent).toContain('2026-11-10T12:00:05.000Z');
    const merchant = (entry.textContent ?? '').replace(technical.textContent ?? '', '');
    expect(merchant).toContain('by the customer (in edrone): The customer clicked the unsubscribe link');
    expect(merchant).not.toContain('CUSTOMER_UNSUBSCRIBED');
    expect(merchant).not.toContain('2026-11-10T');
  });

  it('shows the server’s message for a customer it cannot read', async () => {
    fetchMock.on('GET /api/customers/consent?*', { status: 400, body: { error: 'Enter a customer email, or a phone number with its country code (+48…).' } });
    renderWithPolaris(<HistoryPage />);
    fireEvent.change(screen.getByLabelText('Customer email or phone'), { target: { value: 'nobody' } });
    fireEvent.click(screen.getByRole('button', { name: 'Show history' }));
    expect(await screen.findByText(/country code/)).toBeTruthy();
  });

  it('builds the export URL from the filters it is given', () => {
    expect(exportUrl({})).toBe('/api/consent-history.csv');
    expect(exportUrl({ from: '2026-01-01', channel: 'sms', customer: '+48500100200' })).toBe('/api/consent-history.csv?from=2026-01-01&channel=sms&customer=%2B48500100200');
  });
});
