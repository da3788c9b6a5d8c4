// "Shopify webhooks": is Shopify telling the app about consent changes? One row per topic, from the
// deliveries the app received (topics declared in shopify.app.toml cannot be listed through the Admin
// API, so receipts are the truth). Subscriptions registered through the Admin API are managed behind a
// secondary action, and Shopify's own delivery failures are in the Dev Dashboard. The card follows new
// deliveries by itself while open (If-None-Match polling).
import { useEffect, useState } from 'react';
import { Badge, BlockStack, Button, Card, Collapsible, InlineStack, Link, Text } from '@shopify/polaris';
import type { WebhookHealthAnswer, WebhookTopicHealth } from '../../api-types.js';
import { formatDateTime, formatRelative, plural } from '../../format.js';
import { useApiGet } from '../../hooks/use-api-get.js';
import { ApiErrorBanner } from '../common/api-error-banner.js';
import { CardLoading } from './card-loading.js';
import { WebhookSubscriptionsCard } from './webhook-subscriptions-card.js';

type Tone = 'success' | 'warning' | 'critical' | undefined;

/** The badge and sentence of a topic's state, in merchant words. */
export function topicStateLook(t: Pick<WebhookTopicHealth, 'state' | 'hoursSinceDelivery'>): { label: string; tone: Tone } {
  switch (t.state) {
    case 'receiving':
      return { label: 'Receiving', tone: 'success' };
    case 'quiet':
      return { label: `No delivery for ${plural(t.hoursSinceDelivery ?? 0, 'hour', 'hours')}`, tone: 'warning' };
    case 'never':
      return { label: 'No delivery yet', tone: undefined };
    case 'missing':
      return { label: 'Missing', tone: 'critical' };
  }
}

function sourceText(t: WebhookTopicHealth): string {
  return t.source === 'app_config' ? 'Declared in the app configuration' : 'Registered through the Admin API';
}

interface Props {
  webhookPageSize?: number;
  /** How often the card re-reads while open (If-None-Match; 0: never). */
  liveMs?: number;
  /** The same when some topic is registered through the Admin API: each read then asks Shopify, so less often. */
  apiLiveMs?: number;
}

export function WebhookHealthCard({ webhookPageSize, liveMs = 1000, apiLiveMs = 15_000 }: Props) {
  const [apiRegistration, setApiRegistration] = useState(false);
  const { data, error, loading, reload } = useApiGet<WebhookHealthAnswer>('/api/webhook-health', {
    pollMs: apiRegistration ? apiLiveMs : liveMs,
  });
  useEffect(() => setApiRegistration(data?.apiRegistration ?? false), [data?.apiRegistration]);
  const [manage, setManage] = useState(false);
  const anyMissing = data?.topics.some((t) => t.state === 'missing') ?? false;

  return (
    <BlockStack gap="400">
      <Card>
        <div data-testid="webhook-health">
          <BlockStack gap="300">
            <InlineStack align="space-between" blockAlign="start" gap="200">
              <BlockStack gap="100">
                <Text as="h2" variant="headingMd">
                  Shopify webhooks
                </Text>
                <Text as="p" tone="subdued">
                  How Shopify tells the app, within seconds, that a customer's consent changed. A topic shows as
                  receiving when its changes arrive; consent changes can be rare, so a quiet topic is not always a
                  problem. Changes that do not arrive still reach edrone at the next reconciliation.
                </Text>
              </BlockStack>
              <Button onClick={() => void reload()}>Refresh</Button>
            </InlineStack>
            {error ? <ApiErrorBanner title="Webhook health could not be loaded" error={error} onRetry={() => void reload()} /> : null}
            {loading && !data ? <CardLoading label="Loading webhook health" lines={3} /> : null}
            {data ? (
              <div className="ecs-table-wrap">
                <table className="ecs-table" data-testid="webhook-health-table">
                  <caption className="ecs-visually-hidden">What Shopify delivers to the app</caption>
                  <thead>
                    <tr>
                      <th scope="col">What Shopify sends</th>
                      <th scope="col">Health</th>
                      <th scope="col">Last delivery</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.topics.map((t) => {
                      const look = topicStateLook(t);
                      return (
                        <tr key={t.topic} data-testid="webhook-topic" data-topic={t.topic} data-state={t.state}>
                          <td data-label="What Shopify sends">
                            <BlockStack gap="050">
                              <Text as="span" fontWeight="medium">
                                {t.label}
                              </Text>
                              <Text as="span" tone="subdued" variant="bodySm">
                                {sourceText(t)} · <span className="ecs-code">{t.topic}</span>
                              </Text>
                            </BlockStack>
                          </td>
                          <td data-label="Health">
                            <Badge tone={look.tone}>{look.label}</Badge>
                          </td>
                          <td data-label="Last delivery">
                            {t.lastDeliveryAt ? (
                              <time dateTime={t.lastDeliveryAt} title={formatDateTime(t.lastDeliveryAt)}>
                                {formatRelative(t.lastDeliveryAt)}
                              </time>
                            ) : (
                              'Never'
                            )}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            ) : null}
            <Text as="p" tone="subdued" variant="bodySm">
              Deliveries Shopify could not make (for example while the app was unreachable) are listed in Shopify's{' '}
              <Link url={data?.monitoringUrl ?? 'https://dev.shopify.com/dashboard'} target="_blank">
                Dev Dashboard
              </Link>{' '}
              (your app → Monitoring → Webhooks). Privacy requests (data requests and erasures) are declared in the app
              configuration too.
            </Text>
            <InlineStack gap="200">
              <Button
                variant="plain"
                onClick={() => setManage((v) => !v)}
                ariaExpanded={manage}
                ariaControls="webhook-api-subscriptions"
              >
                {manage ? 'Hide Admin API subscriptions' : 'Manage Admin API subscriptions'}
              </Button>
              {anyMissing ? (
                <Text as="span" tone="critical">
                  Some expected subscriptions are missing.
                </Text>
              ) : null}
            </InlineStack>
          </BlockStack>
        </div>
      </Card>
      <Collapsible id="webhook-api-subscriptions" open={manage || anyMissing}>
        {manage || anyMissing ? <WebhookSubscriptionsCard pageSize={webhookPageSize} onChange={() => void reload()} /> : null}
      </Collapsible>
    </BlockStack>
  );
}
