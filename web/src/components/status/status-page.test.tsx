// @vitest-environment jsdom
import '../../test/setup.js';
import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { StatusAnswer } from '../../api-types.js';
import type { Resource } from '../../hooks/use-api-get.js';
import { renderWithPolaris } from '../../test/render.js';
import { StatusPage } from './status-page.js';

function report(over: Partial<StatusAnswer> = {}): StatusAnswer {
  const daily = Array.from({ length: 30 }, (_, i) => ({
    date: `2025-03-${String(i + 1).padStart(2, '0')}`,
    shopifyToEdrone: i,
    edroneToShopify: i % 3,
  }));
  return {
    state: 'healthy',
    reason: null,
    today: { shopifyToEdrone: 12, edroneToShopify: 3 },
    last30Days: { shopifyToEdrone: 435, edroneToShopify: 29 },
    daily,
    lastShopifyEventAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    lastEdroneEventAt: null,
    bulk: { today: 0, last30Days: 0 },
    failures: 0,
    queued: 0,
    storefrontChecksToday: 0,
    ...over,
  };
}

function resource(data: StatusAnswer | null, over: Partial<Resource<StatusAnswer>> = {}): Resource<StatusAnswer> {
  return { data, error: null, loading: false, refreshing: false, reload: vi.fn(async () => data), ...over };
}

describe('Status page', () => {
  it('shows health, counts, the chart with an accessible table, and last events', () => {
    renderWithPolaris(<StatusPage status={resource(report())} onNavigate={() => undefined} />);
    expect(screen.getByTestId('health').dataset.state).toBe('healthy');
    expect(screen.getByTestId('health-badge').textContent).toContain('Healthy');
    expect(within(screen.getByTestId('counts-today')).getByText('12')).toBeTruthy();
    expect(within(screen.getByTestId('counts-30-days')).getByText('435')).toBeTruthy();
    const chart = screen.getByRole('img', { name: /Changes synced per day, last 30 days/ });
    expect(chart.querySelectorAll('g')).toHaveLength(30);
    expect(within(screen.getByTestId('daily-table')).getAllByRole('row')).toHaveLength(31);
    const last = screen.getByTestId('last-events');
    expect(last.textContent).toMatch(/5 minutes ago/);
    expect(last.textContent).toContain('check that the sync URL from Setup is saved in edrone');
  });

  it('when failing, then the reason is shown as an alert with a way to the failures', () => {
    const onNavigate = vi.fn();
    renderWithPolaris(
      <StatusPage
        status={resource(report({ state: 'failing', reason: 'edrone rejects the App Secret (401).', failures: 3 }))}
        onNavigate={onNavigate}
      />,
    );
    const alert = screen.getByRole('alert');
    expect(screen.getByTestId('health').dataset.tone).toBe('critical');
    expect(screen.getByTestId('health-badge').textContent).toMatch(/Failing$/);
    expect(alert.textContent).toContain('Sync is failing');
    expect(alert.textContent).toContain('edrone rejects the App Secret (401).');
    fireEvent.click(within(alert).getByRole('button', { name: 'Review failures' }));
    expect(onNavigate).toHaveBeenCalledWith('failures');
    expect(screen.getByText('3 changes could not be synced.')).toBeTruthy();
  });

  it('when some changes failed while the rest go through, then it is amber, not "sync is failing", with a way to the failures', () => {
    const onNavigate = vi.fn();
    const reason = '1 change could not be synced; the others go through. See Failures for who and what, and retry them.';
    renderWithPolaris(<StatusPage status={resource(report({ state: 'some_failed', reason, failures: 1 }))} onNavigate={onNavigate} />);
    const health = screen.getByTestId('health');
    expect(health.dataset.tone).toBe('warning');
    expect(screen.getByTestId('health-badge').textContent).toMatch(/Some failed$/);
    expect(health.textContent).not.toContain('Sync is failing');
    expect(health.textContent).toContain(reason);
    fireEvent.click(within(health).getByRole('button', { name: 'Review failures' }));
    expect(onNavigate).toHaveBeenCalledWith('failures');
    expect(screen.getByText('1 change could not be synced.')).toBeTruthy();
  });

  it('when not configured, then it points to Setup', () => {
    const onNavigate = vi.fn();
    renderWithPolaris(<StatusPage status={resource(report({ state: 'not_configured' }))} onNavigate={onNavigate} />);
    expect(screen.getByTestId('health-badge').textContent).toContain('Not set up');
    fireEvent.click(screen.getByRole('button', { name: 'Open Setup' }));
    expect(onNavigate).toHaveBeenCalledWith('setup');
  });

  it('shows how many storefront checks were answered today', () => {
    renderWithPolaris(<StatusPage status={resource(report({ storefrontChecksToday: 1234 }))} onNavigate={() => undefined} />);
    expect(screen.getByTestId('storefront-checks').textContent).toMatch(/^1[,.\u00a0\u202f]?234 visitor checks answered\.$/);
  });

  it('with no storefront check today, it says where to enable them', () => {
    renderWithPolaris(<StatusPage status={resource(report())} onNavigate={() => undefined} />);
    expect(screen.getByTestId('storefront-checks').textContent).toContain('Enable the storefront embed in Setup');
  });

  it('while loading, then a labelled spinner shows', () => {
    renderWithPolaris(<StatusPage status={resource(null, { loading: true })} onNavigate={() => undefined} />);
    expect(screen.getByTestId('loading').getAttribute('aria-busy')).toBe('true');
    expect(screen.getByText('Loading sync status')).toBeTruthy();
  });
});
