// Failures tab: changes that ran out of automatic retries, with "Retry" per row and "Retry all".
// The list follows new failures by itself (If-None-Match polling) while open; under the pointer or
// keyboard focus a changed list is held behind a "show" button, so rows never move under the merchant.
// After a retry the list (and the queue size from /api/status) is polled every few seconds until each
// retried change is known to be synced or to have failed again, so the merchant sees the outcome
// without reloading.
import { useRef, useState } from 'react';
import { Banner, BlockStack, Button, Card, InlineStack, Text } from '@shopify/polaris';
import { api, type ApiError } from '../../api.js';
import type { FailureItem, FailuresPage as FailureList, RetryAllAnswer, RetryAnswer, StatusAnswer } from '../../api-types.js';
import { plural } from '../../format.js';
import { useApiGet } from '../../hooks/use-api-get.js';
import { useInterval } from '../../hooks/use-interval.js';
import { ApiErrorBanner } from '../common/api-error-banner.js';
import { EmptyMessage } from '../common/empty-message.js';
import { LoadingSection } from '../common/loading-section.js';
import { Pager } from '../common/pager.js';
import { FailuresTable } from './failures-table.js';
import { reconcile, watchIds, type Watches } from './retry-tracker.js';

interface Props {
  pageSize?: number;
  /** How often to re-read the list while a retry is pending. */
  pollMs?: number;
  /** Stop polling after this long without an outcome. */
  maxWaitMs?: number;
  /** Called when the number of failures may have changed (so the tab badge refreshes). */
  onChanged?: () => void;
  /** How often the list is re-read while open (0: never). */
  liveMs?: number;
}

type Notice =
  | { kind: 'started'; count: number }
  | { kind: 'nothing' }
  | { kind: 'waiting'; count: number }
  | { kind: 'error'; error: ApiError };

export function FailuresPage({ pageSize = 25, pollMs = 3000, maxWaitMs = 120_000, onChanged, liveMs = 1000 }: Props) {
  const [page, setPage] = useState(1);
  const [pointerOver, setPointerOver] = useState(false);
  const [focusInside, setFocusInside] = useState(false);
  const resource = useApiGet<FailureList>(`/api/failures?page=${page}&pageSize=${pageSize}`, {
    pollMs: liveMs,
    hold: pointerOver || focusInside,
  });
  const { data, error, loading, reload, pending, showPending } = resource;
  const [watches, setWatches] = useState<Watches>({});
  const [notice, setNotice] = useState<Notice | null>(null);
  const [synced, setSynced] = useState(0);
  const [failedAgain, setFailedAgain] = useState<FailureItem[]>([]);
  const [retryingAll, setRetryingAll] = useState(false);
  const waitingSince = useRef<number>(0);
  // The latest watches, read by the poller without re-creating the interval.
  const watchesRef = useRef<Watches>({});
  watchesRef.current = watches;

  const pendingIds = new Set(Object.keys(watches));

  const refresh = async (): Promise<void> => {
    const watching = Object.keys(watchesRef.current).length > 0;
    const [list, status] = await Promise.all([reload(), watching ? api.get<StatusAnswer>('/api/status') : null]);
    if (!list) return;
    const current = watchesRef.current;
    if (Object.keys(current).length === 0) return;
    const queued = status?.ok ? status.data.queued : null;
    const outcome = reconcile(current, list.items, queued);
    watchesRef.current = outcome.watches;
    setWatches(outcome.watches);
    if (outcome.syncedIds.length > 0) setSynced((n) => n + outcome.syncedIds.length);
    if (outcome.failedAgain.length > 0) setFailedAgain((rows) => [...rows, ...outcome.failedAgain]);
    if (outcome.syncedIds.length > 0 || outcome.failedAgain.length > 0) onChanged?.();
    const left = Object.keys(outcome.watches).length;
    if (left === 0) setNotice(null);
    else if (Date.now() - waitingSince.current > maxWaitMs) {
      // Give up watching, not retrying: the worker keeps going and the list shows the result later.
      watchesRef.current = {};
      setWatches({});
      setNotice({ kind: 'waiting', count: left });
    }
  };

  useInterval(() => void refresh(), pollMs, pendingIds.size > 0);

  const startWatching = (ids: string[]): void => {
    const next = watchIds(watchesRef.current, ids);
    watchesRef.current = next;
    setWatches(next);
    waitingSince.current = Date.now();
  };

  const retryOne = async (item: FailureItem): Promise<void> => {
    const id = item.id;
    startWatching([id]);
    setFailedAgain((rows) => rows.filter((row) => row.id !== id));
    const result = await api.post<RetryAnswer>(`/api/failures/${encodeURIComponent(id)}/retry`);
    if (!result.ok) {
      const rest = { ...watchesRef.current };
      delete rest[id];
      watchesRef.current = rest;
      setWatches(rest);
      setNotice({ kind: 'error', error: result.error });
      return;
    }
    setNotice({ kind: 'started', count: Object.keys(watchesRef.current).length });
    await refresh();
  };

  const retryAll = async (): Promise<void> => {
    setRetryingAll(true);
    setFailedAgain([]);
    const result = await api.post<RetryAllAnswer>('/api/failures/retry-all');
    setRetryingAll(false);
    if (!result.ok) {
      setNotice({ kind: 'error', error: result.error });
      return;
    }
    if (result.data.retried === 0) {
      setNotice({ kind: 'nothing' });
      await refresh();
      return;
    }
    // Only rows on this page can be watched; the others are retried all the same.
    startWatching((data?.items ?? []).map((item) => item.id));
    setNotice({ kind: 'started', count: result.data.retried });
    await refresh();
  };

  const items = data?.items ?? [];
  const total = data?.total ?? 0;

  return (
    <BlockStack gap="400">
      <div aria-live="polite" data-testid="failures-notices">
        <BlockStack gap="300">
          {synced > 0 ? (
            <div data-testid="retry-success">
              <Banner tone="success" title={`${plural(synced, 'change', 'changes')} synced`} onDismiss={() => setSynced(0)}>
                <Text as="p">The retry worked: {synced === 1 ? 'it is' : 'they are'} now in sync on both sides.</Text>
              </Banner>
            </div>
          ) : null}
          {failedAgain.length > 0 ? (
            <div data-testid="retry-failed">
              <Banner
                tone="critical"
                title={`${plural(failedAgain.length, 'change', 'changes')} failed again`}
                onDismiss={() => setFailedAgain([])}
              >
                <BlockStack gap="100">
                  {failedAgain.slice(0, 5).map((row) => (
                    <Text as="p" key={row.id}>
                      {row.summary}: {row.reason ?? row.lastError ?? 'no error message'}
                    </Text>
                  ))}
                </BlockStack>
              </Banner>
            </div>
          ) : null}
          {notice?.kind === 'started' ? (
            <div data-testid="retry-started">
              <Banner tone="info" title={`Retrying ${plural(notice.count, 'change', 'changes')}`} onDismiss={() => setNotice(null)}>
                <Text as="p">This list checks again every few seconds and shows the result here.</Text>
              </Banner>
            </div>
          ) : null}
          {notice?.kind === 'nothing' ? (
            <Banner tone="info" title="Nothing to retry" onDismiss={() => setNotice(null)} />
          ) : null}
          {notice?.kind === 'waiting' ? (
            <Banner tone="warning" title={`Still retrying ${plural(notice.count, 'change', 'changes')}`} onDismiss={() => setNotice(null)}>
              <Text as="p">This is taking longer than usual. The app keeps trying; select Refresh later to see the result.</Text>
            </Banner>
          ) : null}
          {notice?.kind === 'error' ? (
            <ApiErrorBanner title="The retry did not start" error={notice.error} onDismiss={() => setNotice(null)} />
          ) : null}
        </BlockStack>
      </div>
      {error && !data ? <ApiErrorBanner title="Failures could not be loaded" error={error} onRetry={() => void reload()} /> : null}
      {error && data ? <ApiErrorBanner title="Could not refresh the list" error={error} onRetry={() => void reload()} /> : null}
      {loading && !data ? <LoadingSection label="Loading failed changes" /> : null}
      {data ? (
        <Card padding="0">
          <BlockStack>
            <div className="ecs-card-header">
              <InlineStack align="space-between" blockAlign="center" gap="300">
                <BlockStack gap="050">
                  <Text as="h2" variant="headingMd">
                    Failed changes
                  </Text>
                  <Text as="p" tone="subdued" variant="bodySm">
                    {total === 0
                      ? 'Nothing needs your attention.'
                      : `${plural(total, 'change', 'changes')} could not be synced. Each row says who, what, why and what to do.`}
                  </Text>
                </BlockStack>
                <InlineStack gap="200" blockAlign="center">
                  {/* In the header, not above the rows: its appearing must not move the list under the pointer. */}
                  <span aria-live="polite" data-testid="failures-new">
                    {pending ? <Button onClick={showPending}>The list changed: show it</Button> : null}
                  </span>
                  <Button onClick={() => void refresh()}>Refresh</Button>
                  <Button variant="primary" onClick={() => void retryAll()} loading={retryingAll} disabled={total === 0}>
                    Retry all
                  </Button>
                </InlineStack>
              </InlineStack>
            </div>
            {items.length === 0 ? (
              <EmptyMessage heading="No failed changes">
                Every change reached the other side. If one is refused, or still fails after the automatic tries, it appears
                here with a Retry button.
              </EmptyMessage>
            ) : (
              <div
                onPointerEnter={() => setPointerOver(true)}
                onPointerLeave={() => setPointerOver(false)}
                onFocus={() => setFocusInside(true)}
                onBlur={(e) => {
                  // Focus moving between the rows' buttons stays inside.
                  if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFocusInside(false);
                }}
              >
                <FailuresTable items={items} pending={pendingIds} onRetry={(item) => void retryOne(item)} />
              </div>
            )}
          </BlockStack>
        </Card>
      ) : null}
      {data ? <Pager page={data.page || page} pageSize={data.pageSize || pageSize} total={total} noun="failed changes" onPage={setPage} /> : null}
    </BlockStack>
  );
}
