// The app shell: title, tab bar and the current tab. It also owns the status (polled), because the
// failure count on the Failures tab, the "sync is failing" banner and the setup guide must be visible from
// every tab. Inside the Shopify admin, App Bridge's nav menu (index.html) is the navigation; the in-page tab
// bar is shown only without it. Leaving a tab with unsaved edits asks first.
import { useEffect, useState } from 'react';
import { Banner, BlockStack, Page, Text } from '@shopify/polaris';
import { hasAppBridge } from './app-bridge.js';
import type { StatusAnswer } from './api-types.js';
import { ActivityPage } from './components/activity/activity-page.js';
import { AppNav, panelId, TAB_LABELS, tabId } from './components/common/app-nav.js';
import { LoadingSection } from './components/common/loading-section.js';
import { useUnsavedChangesGuard } from './components/feedback/unsaved-changes.js';
import { FailuresPage } from './components/failures/failures-page.js';
import { HistoryPage } from './components/history/history-page.js';
import { SetupPage } from './components/setup/setup-page.js';
import { StatusPage } from './components/status/status-page.js';
import { SyncPage } from './components/sync/sync-page.js';
import { useApiGet } from './hooks/use-api-get.js';
import { useHashTab, type TabId } from './hooks/use-hash-tab.js';

/** Status (health, counts, the failure count on the tab) follows changes within 2 s, with If-None-Match. */
const STATUS_POLL_MS = 1_500;

export function App() {
  const guard = useUnsavedChangesGuard();
  // Back / Forward or a nav-menu link with unsaved edits: stay, ask, and go only if the merchant agrees.
  const [requested, navigate] = useHashTab((next) => {
    if (!guard.isDirty()) return true;
    guard.confirmLeave(() => navigate(next));
    return false;
  });
  const status = useApiGet<StatusAnswer>('/api/status', { pollMs: STATUS_POLL_MS });

  // Without a tab in the URL: a store that is not set up lands on Setup, every other on Status.
  // Decided once, so saving the settings does not yank the merchant to another tab.
  const [landing, setLanding] = useState<TabId | null>(null);
  useEffect(() => {
    if (landing !== null || status.loading) return;
    setLanding(status.data && status.data.state !== 'not_configured' ? 'status' : 'setup');
  }, [landing, status.loading, status.data]);
  const tab = requested ?? landing;

  const select = (next: TabId): void => {
    // The tab already shown: only put it in the URL (a landing tab has none), so a reload stays on it.
    if (next === tab) {
      if (requested !== next) navigate(next);
      return;
    }
    guard.confirmLeave(() => {
      navigate(next);
      // Opening a tab is a good moment to refresh the counts behind the badge and banners.
      void status.reload();
    });
  };
  const inAdmin = hasAppBridge();

  // Red only: "some changes failed" (amber) stays on the Status tab and the Failures badge.
  const failing = status.data?.state === 'failing';

  return (
    <Page title="edrone consent sync" subtitle="Email and SMS marketing consent, kept the same in Shopify and edrone">
      <BlockStack gap="400">
        {tab === null ? (
          <LoadingSection label="Loading the app" />
        ) : (
          <>
            {inAdmin ? null : <AppNav current={tab} onSelect={select} failures={status.data?.failures ?? 0} />}
            {failing && (tab === 'setup' || tab === 'activity') ? (
              <div data-testid="failing-banner">
                <Banner
                  tone="critical"
                  title="Sync is failing"
                  action={
                    (status.data?.failures ?? 0) > 0
                      ? { content: 'Review failures', onAction: () => select('failures') }
                      : { content: 'View status', onAction: () => select('status') }
                  }
                >
                  <Text as="p">{status.data?.reason ?? 'Some changes could not be synced.'}</Text>
                </Banner>
              </div>
            ) : null}
            <div
              role={inAdmin ? 'region' : 'tabpanel'}
              id={panelId(tab)}
              {...(inAdmin ? { 'aria-label': TAB_LABELS[tab] } : { 'aria-labelledby': tabId(tab) })}
              className="ecs-panel"
            >
              {tab === 'setup' ? (
                <SetupPage
                  setup={status.data?.setup ?? null}
                  onSaved={() => void status.reload()}
                  onOpenSync={() => select('sync')}
                  onNavigate={select}
                />
              ) : null}
              {tab === 'status' ? <StatusPage status={status} onNavigate={select} /> : null}
              {tab === 'activity' ? <ActivityPage /> : null}
              {tab === 'failures' ? <FailuresPage onChanged={() => void status.reload()} /> : null}
              {tab === 'sync' ? <SyncPage /> : null}
              {tab === 'customers' ? <HistoryPage /> : null}
            </div>
          </>
        )}
      </BlockStack>
    </Page>
  );
}
