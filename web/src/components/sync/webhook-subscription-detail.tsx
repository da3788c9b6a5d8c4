// Details of one webhook subscription: everything Shopify knows about it, and the last deliveries the app
// received for its topic. A missing subscription has nothing in Shopify, so only the list row is shown.
import type { RefObject } from 'react';
import { BlockStack, DescriptionList, Modal, Text } from '@shopify/polaris';
import type { WebhookSubscription, WebhookSubscriptionDetail as Detail } from '../../api-types.js';
import { formatDateTime } from '../../format.js';
import { useApiGet } from '../../hooks/use-api-get.js';
import { ApiErrorBanner } from '../common/api-error-banner.js';
import { CardLoading } from './card-loading.js';
import { STATUS_LOOK, isRegistered, webhookPath } from './webhook-query.js';
import { WebhookStatusBadge } from './webhook-status-badge.js';

interface Props {
  item: WebhookSubscription | null;
  onClose: () => void;
  /** Where focus returns when the dialog closes. */
  activator: RefObject<HTMLElement>;
}

function orDash(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '—' : value;
}

/** A row with a subscription in Shopify, whose details are worth loading. */
function registered(item: WebhookSubscription | null): item is WebhookSubscription {
  return item !== null && isRegistered(item);
}

export function WebhookSubscriptionDetailModal({ item, onClose, activator }: Props) {
  const resource = useApiGet<Detail>(registered(item) ? webhookPath(item.id) : null);
  // useApiGet keeps the previous answer while a new path loads: only show the one for this row.
  const detail = registered(item) && resource.data && resource.data.id === item.id ? resource.data : null;
  const shown = detail ?? item;

  return (
    <Modal
      open={item !== null}
      onClose={onClose}
      title={item ? `Webhook subscription: ${item.topic}` : 'Webhook subscription'}
      secondaryActions={[{ content: 'Close', onAction: onClose }]}
      activator={activator}
    >
      {item && shown ? (
        <Modal.Section>
          <div data-testid="webhook-detail">
            <BlockStack gap="400">
              <Text as="p" tone="subdued">
                {STATUS_LOOK[shown.status]?.hint ?? ''}
              </Text>
              <DescriptionList
                gap="tight"
                items={[
                  { term: 'Topic', description: <code>{shown.topic}</code> },
                  { term: 'Status', description: <WebhookStatusBadge status={shown.status} /> },
                  { term: 'Address', description: <span className="ecs-break">{orDash(shown.address)}</span> },
                  { term: 'API version', description: orDash(shown.apiVersion) },
                  { term: 'Created', description: shown.createdAt ? formatDateTime(shown.createdAt) : '—' },
                  { term: 'Last delivery', description: formatDateTime(shown.lastDeliveryAt) },
                  ...(detail
                    ? [
                        { term: 'Format', description: orDash(detail.format?.toUpperCase()) },
                        { term: 'Filter', description: detail.filter ? <code>{detail.filter}</code> : 'None (every event)' },
                        {
                          term: 'Fields included',
                          description:
                            detail.includeFields.length > 0 ? detail.includeFields.join(', ') : 'All fields',
                        },
                      ]
                    : []),
                  ...(registered(item) ? [{ term: 'Subscription ID', description: <code className="ecs-break">{item.id}</code> }] : []),
                ]}
              />
              {!registered(item) ? (
                <Text as="p">
                  Shopify has no subscription for this topic, so there is nothing more to show. Select “Re-register missing” to
                  add it again.
                </Text>
              ) : null}
              {registered(item) && !detail && resource.loading ? (
                <CardLoading label="Loading recent deliveries" lines={3} />
              ) : null}
              {registered(item) && !detail && !resource.loading && resource.error ? (
                <ApiErrorBanner
                  title="The details could not be loaded"
                  error={resource.error}
                  onRetry={() => void resource.reload()}
                />
              ) : null}
              {detail ? (
                <BlockStack gap="200">
                  <Text as="h3" variant="headingSm">
                    Recent deliveries
                  </Text>
                  {detail.recentDeliveries.length === 0 ? (
                    <div data-testid="empty">
                      <Text as="p" tone="subdued">
                        The app has not received any event for this topic yet. Events arrive when customers subscribe,
                        unsubscribe or change their details.
                      </Text>
                    </div>
                  ) : (
                    <div className="ecs-table-wrap">
                      <table className="ecs-table" data-testid="webhook-deliveries">
                        <caption className="ecs-visually-hidden">Events received for this topic, newest first</caption>
                        <thead>
                          <tr>
                            <th scope="col">Received</th>
                            <th scope="col">Topic</th>
                          </tr>
                        </thead>
                        <tbody>
                          {detail.recentDeliveries.map((delivery, index) => (
                            <tr key={`${delivery.receivedAt}-${index}`} data-testid="webhook-delivery">
                              <td data-label="Received">
                                <time dateTime={delivery.receivedAt}>{formatDateTime(delivery.receivedAt)}</time>
                              </td>
                              <td data-label="Topic">{delivery.topic}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  )}
                </BlockStack>
              ) : null}
            </BlockStack>
          </div>
        </Modal.Section>
      ) : null}
    </Modal>
  );
}
