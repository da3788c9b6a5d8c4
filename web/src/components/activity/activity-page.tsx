// Activity tab: the log of every consent change the app saw, with filters, paging and a detail view.
// Live changes by default (a bulk run is one summary row that lists its customers); it updates by itself
// every second or two, and holds new rows while the pointer is over the list so nothing jumps under it.
import { useState } from 'react';
import { Banner, BlockStack, Button, Card, InlineStack, Spinner, Text } from '@shopify/polaris';
import type { ActivityItem, ActivityPage as ActivityList } from '../../api-types.js';
import { useApiGet } from '../../hooks/use-api-get.js';
import { useDebounced } from '../../hooks/use-debounced.js';
import { plural } from '../../format.js';
import { ApiErrorBanner } from '../common/api-error-banner.js';
import { EmptyMessage } from '../common/empty-message.js';
import { LoadingSection } from '../common/loading-section.js';
import { Pager } from '../common/pager.js';
import { ActivityDetail } from './activity-detail.js';
import { ActivityFiltersBar } from './activity-filters.js';
import { ACTIVITY_PAGE_SIZE, EMPTY_FILTERS, activityPath, hasFilters, type ActivityFilters } from './activity-query.js';
import { ActivityTable } from './activity-table.js';

interface Props {
  pageSize?: number;
  /** Search debounce; tests shorten it. */
  searchDelayMs?: number;
  /** How often the list is re-read while open (0: never). */
  liveMs?: number;
}

export function ActivityPage({ pageSize = ACTIVITY_PAGE_SIZE, searchDelayMs = 300, liveMs = 1000 }: Props) {
  const [filters, setFilters] = useState<ActivityFilters>(EMPTY_FILTERS);
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<ActivityItem | null>(null);
  const q = useDebounced(filters.q, searchDelayMs);
  const applied: ActivityFilters = { ...filters, q };
  const [pointerOver, setPointerOver] = useState(false);
  const resource = useApiGet<ActivityList>(activityPath(applied, page, pageSize), {
    pollMs: liveMs,
    // Rows do not move under the pointer, nor while a detail is open.
    hold: pointerOver || open !== null,
  });
  const { data, error, loading, refreshing, reload, pending, showPending } = resource;

  const changeFilters = (next: ActivityFilters): void => {
    setFilters(next);
    // A new filter starts from the first page: page 4 of the old result may not exist.
    setPage(1);
  };

  const filtered = hasFilters(applied);
  const items = data?.items ?? [];

  return (
    <BlockStack gap="400">
      <Card>
        <BlockStack gap="400">
          <ActivityFiltersBar filters={filters} onChange={changeFilters} onClear={() => changeFilters(EMPTY_FILTERS)} />
          <InlineStack align="space-between" blockAlign="center" gap="200">
            <Text as="p" tone="subdued" variant="bodySm">
              {data ? `${plural(data.total, 'change', 'changes')}${filtered ? ' match these filters' : ''}` : ' '}
            </Text>
            <InlineStack gap="200" blockAlign="center">
              {refreshing ? <Spinner size="small" accessibilityLabel="Updating the activity list" /> : null}
              <Button onClick={() => void reload()} disabled={refreshing}>
                Refresh
              </Button>
            </InlineStack>
          </InlineStack>
        </BlockStack>
      </Card>
      {filters.run ? (
        <Banner tone="info" title="The customers of one bulk run" onDismiss={() => changeFilters(EMPTY_FILTERS)}>
          <Text as="p">Each row is one customer the run changed or could not change.</Text>
          <Button variant="plain" onClick={() => changeFilters(EMPTY_FILTERS)}>
            Back to live changes
          </Button>
        </Banner>
      ) : null}
      <div aria-live="polite">
        {pending ? (
          <div data-testid="activity-new">
            <Button onClick={showPending}>New changes: show them</Button>
          </div>
        ) : null}
      </div>
      {error ? <ApiErrorBanner title="Activity could not be loaded" error={error} onRetry={() => void reload()} /> : null}
      {loading && !data ? <LoadingSection label="Loading activity" /> : null}
      {data ? (
        <Card padding="0">
          {items.length === 0 ? (
            filtered ? (
              <EmptyMessage
                heading="No changes match these filters"
                action={
                  <Button onClick={() => changeFilters(EMPTY_FILTERS)} variant="plain">
                    Clear filters
                  </Button>
                }
              >
                Try another email or phone, or clear the filters to see everything.
              </EmptyMessage>
            ) : (
              <EmptyMessage>
                No activity yet: changes appear here as soon as a customer subscribes or unsubscribes on either side.
              </EmptyMessage>
            )
          ) : (
            <div aria-busy={refreshing} onPointerEnter={() => setPointerOver(true)} onPointerLeave={() => setPointerOver(false)}>
              <ActivityTable
                items={items}
                onOpen={setOpen}
                onOpenRun={(run) => changeFilters({ ...EMPTY_FILTERS, show: 'all', run: run.jobId ?? '' })}
              />
            </div>
          )}
        </Card>
      ) : null}
      {data ? (
        <Pager page={data.page || page} pageSize={data.pageSize || pageSize} total={data.total} noun="changes" onPage={setPage} />
      ) : null}
      <ActivityDetail item={open} onClose={() => setOpen(null)} />
    </BlockStack>
  );
}
