// @vitest-environment jsdom
// Activity speaks merchant words in its rows (the server's summary and explanation, local dates);
// the wire words (edrone's reason code, subscriber_status, UTC times) are only in the detail view.
// The app's own changes coming back (echoes) are hidden unless the merchant asks for them.
import '../../test/setup.js';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ActivityItem, ActivityPage as ActivityList } from '../../api-types.js';
import { mockFetch, type FetchMock } from '../../test/mock-fetch.js';
import { renderWithPolaris } from '../../test/render.js';
import { ActivityPage } from './activity-page.js';

// What GET /api/activity answers for an agent's unsubscribe in edrone that Shopify already had.
const agentUnsubscribe: ActivityItem = {
  id: 'a1',
  shopId: 'demo-store.myshopify.com',
  jobId: 'job-1',
  eventId: 'event-1',
  createdAt: '2026-11-27T09:30:00.000Z',
  origin: 'edrone',
  target: 'shopify',
  channel: 'email',
  identity: 'jane@example.com',
  customerId: 'gid://shopify/Customer/1',
  previousState: 'subscribed',
  newState: 'unsubscribed',
  result: 'skipped',
  reason: 'Both sides already have this state. (edrone reason: AGENT_UNSUBSCRIBED)',
  reasonCode: '4',
  retried: false,
  kind: 'live',
  summary: 'Unsubscribed in edrone by an agent',
  explanation: 'Both sides already have this state.',
  echo: false,
};

const sentToEdrone: ActivityItem = {
  ...agentUnsubscribe,
  id: 'a2',
  origin: 'shopify',
  target: 'edrone',
  result: 'sent',
  reason: 'Sent to edrone as subscriber_status=0.',
  reasonCode: null,
  summary: 'Email unsubscribe from Shopify',
  explanation: 'Sent to edrone.',
};

const reconcileSummary: ActivityItem = {
  ...agentUnsubscribe,
  id: 'a3',
  origin: 'reconcile',
  target: 'none',
  channel: 'none',
  identity: null,
  customerId: null,
  previousState: null,
  newState: null,
  result: 'recorded',
  reasonCode: null,
  kind: 'run_summary',
  reason: 'Reconciliation checked 3 customers changed since 2026-11-26T09:00:00.000Z; repaired 1, failed 0.',
  summary: 'Reconciliation checked 3 customers changed since 2026-11-26T09:00:00.000Z; repaired 1, failed 0.',
  explanation: 'Reconciliation checked 3 customers changed since 2026-11-26T09:00:00.000Z; repaired 1, failed 0.',
};

const echo: ActivityItem = {
  ...agentUnsubscribe,
  id: 'a4',
  origin: 'shopify',
  target: 'edrone',
  previousState: 'unsubscribed',
  reasonCode: null,
  reason: "This is the report of the app's own update, so it was not sent back.",
  explanation: "This is the report of the app's own update, so it was not sent back.",
  summary: 'Email unsubscribe from Shopify',
  echo: true,
};

const page = (items: ActivityItem[]): ActivityList => ({ items, page: 1, pageSize: 25, total: items.length });
const local = (iso: string) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

let fetchMock: FetchMock;
const lastUrl = () => new URL(fetchMock.callsTo('GET', '/api/activity').at(-1)!.url, 'http://x');

beforeEach(() => {
  window.__SESSION_TOKEN__ = 'test-token';
  fetchMock = mockFetch();
});

describe('Activity in merchant words', () => {
  it('rows say what happened and why, without reason codes, subscriber_status or ISO times', async () => {
    fetchMock.on('GET /api/activity?*', { body: page([agentUnsubscribe, sentToEdrone, reconcileSummary]) });
    renderWithPolaris(<ActivityPage liveMs={0} />);
    const rows = await screen.findAllByTestId('activity-row');

    expect(rows.map((r) => within(r).getByTestId('activity-summary').textContent)).toEqual([
      'Unsubscribed in edrone by an agent',
      'Email unsubscribe from Shopify',
      `Reconciliation checked 3 customers changed since ${local('2026-11-26T09:00:00.000Z')}; repaired 1, failed 0.`,
    ]);
    expect(within(rows[0]!).getByText('Both sides already have this state.')).toBeTruthy();
    expect(within(rows[0]!).getByText(local('2026-11-27T09:30:00.000Z'))).toBeTruthy();
    const table = screen.getByTestId('activity-table').textContent ?? '';
    for (const wire of ['AGENT_UNSUBSCRIBED', 'edrone reason', 'subscriber_status', '2026-11-2', 'Recorded']) expect(table).not.toContain(wire);
    // A bulk run's summary is "Noted", not "Recorded".
    expect(within(rows[2]!).getByTestId('result-badge').textContent).toContain('Noted');
  });

  it('the detail view keeps the technical detail: the reason as recorded, the code, the UTC time', async () => {
    fetchMock.on('GET /api/activity?*', { body: page([agentUnsubscribe]) });
    renderWithPolaris(<ActivityPage liveMs={0} />);
    const row = await screen.findByTestId('activity-row');
    fireEvent.click(within(row).getByRole('button', { name: /View details/ }));

    const merchant = await screen.findByTestId('activity-detail-summary');
    expect(within(merchant).getByText('Unsubscribed in edrone by an agent')).toBeTruthy();
    expect(merchant.textContent).not.toContain('AGENT_UNSUBSCRIBED');
    const technical = screen.getByTestId('activity-technical');
    expect(within(technical).getByTestId('technical-reason').textContent).toBe(agentUnsubscribe.reason);
    expect(within(technical).getByTestId('reason-code').textContent).toBe('4');
    expect(within(technical).getByText('2026-11-27T09:30:00.000Z')).toBeTruthy();
  });

  it("the app's own changes coming back are hidden by default and listed when the merchant asks", async () => {
    fetchMock.on('GET /api/activity?*', (call) => {
      const shown = new URL(call.url, 'http://x').searchParams.get('echoes') === 'show';
      return { body: page(shown ? [echo, sentToEdrone] : [sentToEdrone]) };
    });
    renderWithPolaris(<ActivityPage liveMs={0} />);
    expect(await screen.findAllByTestId('activity-row')).toHaveLength(1);
    expect(lastUrl().searchParams.get('echoes')).toBe('hide');

    fireEvent.click(screen.getByLabelText("Show the app's own changes coming back"));
    await waitFor(() => expect(screen.getAllByTestId('activity-row')).toHaveLength(2));
    expect(lastUrl().searchParams.get('echoes')).toBe('show');
    expect(within(screen.getAllByTestId('activity-row')[0]!).getByText("The app's own change, reported back")).toBeTruthy();

    fireEvent.click(screen.getAllByRole('button', { name: 'Clear filters' })[0]!);
    await waitFor(() => expect(screen.getAllByTestId('activity-row')).toHaveLength(1));
    expect(lastUrl().searchParams.get('echoes')).toBe('hide');
  });
});
