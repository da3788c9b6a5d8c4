// Status tab: health, counts, the 30-day chart, last events, and the queue/failure totals.
// It renders the status that App loads (and polls), so the Failures tab badge and this page agree.
import { BlockStack, Button, Card, InlineGrid, InlineStack, Layout, Text } from '@shopify/polaris';
import type { StatusAnswer } from '../../api-types.js';
import { formatCount, formatDateTime, formatRelative, plural } from '../../format.js';
import type { Resource } from '../../hooks/use-api-get.js';
import type { TabId } from '../../hooks/use-hash-tab.js';
import { ApiErrorBanner } from '../common/api-error-banner.js';
import { LoadingSection } from '../common/loading-section.js';
import { EdroneLastRequest } from '../common/edrone-last-request.js';
import { CountsCard } from './counts-card.js';
import { DailyChart } from './daily-chart.js';
import { HealthBanner } from './health-banner.js';

interface Props {
  status: Resource<StatusAnswer>;
  onNavigate: (tab: TabId) => void;
}

function LastEvent({ label, at, hint }: { label: string; at: string | null; hint: string }) {
  return (
    <BlockStack gap="050">
      <Text as="h3" variant="headingSm">
        {label}
      </Text>
      <Text as="p">
        {at ? (
          <time dateTime={at} title={formatDateTime(at)}>
            {formatRelative(at)} ({formatDateTime(at)})
          </time>
        ) : (
          'Never'
        )}
      </Text>
      {at ? null : (
        <Text as="p" tone="subdued" variant="bodySm">
          {hint}
        </Text>
      )}
    </BlockStack>
  );
}

export function StatusPage({ status, onNavigate }: Props) {
  const { data, error, loading, refreshing, reload } = status;
  if (loading && !data) return <LoadingSection label="Loading sync status" />;
  if (!data) {
    return error ? <ApiErrorBanner title="Status could not be loaded" error={error} onRetry={() => void reload()} /> : null;
  }

  return (
    <BlockStack gap="400">
      {error ? <ApiErrorBanner title="Could not refresh the status" error={error} onRetry={() => void reload()} /> : null}
      <HealthBanner state={data.state} reason={data.reason} failures={data.failures} onNavigate={onNavigate} />
      {data.state !== 'not_configured' ? <EdroneLastRequest /> : null}
      <Layout>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2 }} gap="400">
            <CountsCard title="Live changes synced today" counts={data.today} testId="counts-today" />
            <CountsCard title="Live changes, last 30 days" counts={data.last30Days} testId="counts-30-days" />
          </InlineGrid>
          <div data-testid="counts-bulk" className="ecs-bulk-note">
            <Text as="p" tone="subdued">
              {data.bulk.last30Days === 0
                ? 'Bulk runs (initial sync, reconciliation) sent nothing in the last 30 days.'
                : `Bulk runs (initial sync, reconciliation) sent ${formatCount(data.bulk.today)} today and ${formatCount(data.bulk.last30Days)} in the last 30 days; they are counted apart and listed as one row each in Activity.`}
            </Text>
          </div>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Live changes, last 30 days
              </Text>
              <DailyChart daily={data.daily} />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2 }} gap="400">
            <Card>
              <div data-testid="last-events">
                <BlockStack gap="300">
                  <LastEvent
                    label="Last change from Shopify"
                    at={data.lastShopifyEventAt}
                    hint="Appears after the first subscribe or unsubscribe in your store."
                  />
                  <LastEvent
                    label="Last change from edrone"
                    at={data.lastEdroneEventAt}
                    hint="If this stays at Never, check that the sync URL from Setup is saved in edrone."
                  />
                  <BlockStack gap="050">
                    <Text as="h3" variant="headingSm">
                      Storefront checks today
                    </Text>
                    <Text as="p">
                      <span data-testid="storefront-checks">
                        {data.storefrontChecksToday === 0
                          ? 'None yet. Enable the storefront embed in Setup to hide popups from subscribers.'
                          : `${plural(data.storefrontChecksToday, 'visitor check', 'visitor checks')} answered.`}
                      </span>
                    </Text>
                  </BlockStack>
                </BlockStack>
              </div>
            </Card>
            <Card>
              <div data-testid="queue">
                <BlockStack gap="300">
                  <BlockStack gap="050">
                    <Text as="h3" variant="headingSm">
                      Waiting to be sent
                    </Text>
                    <Text as="p">
                      {data.queued === 0 ? 'Nothing waiting.' : `${plural(data.queued, 'change', 'changes')} in the queue.`}
                    </Text>
                  </BlockStack>
                  <BlockStack gap="100">
                    <Text as="h3" variant="headingSm">
                      Failed
                    </Text>
                    <Text as="p" tone={data.failures === 0 ? undefined : data.state === 'failing' ? 'critical' : 'caution'}>
                      {data.failures === 0
                        ? 'No failed changes.'
                        : `${plural(data.failures, 'change', 'changes')} could not be synced.`}
                    </Text>
                    {data.failures > 0 ? (
                      <InlineStack>
                        <Button onClick={() => onNavigate('failures')}>{`Review ${formatCount(data.failures)} failed`}</Button>
                      </InlineStack>
                    ) : null}
                  </BlockStack>
                </BlockStack>
              </div>
            </Card>
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <InlineStack align="end">
            <Button onClick={() => void reload()} loading={refreshing}>
              Refresh
            </Button>
          </InlineStack>
        </Layout.Section>
      </Layout>
    </BlockStack>
  );
}
