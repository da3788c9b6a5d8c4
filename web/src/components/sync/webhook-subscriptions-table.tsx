// Webhook subscriptions as a semantic table. A row click opens its details; the "View details" and
// "Delete" buttons in each row do the same for keyboard and screen-reader users. Narrow screens stack
// the cells (CSS).
import type { MouseEvent } from 'react';
import { Button, InlineStack, Text } from '@shopify/polaris';
import type { WebhookSubscription } from '../../api-types.js';
import { formatDateTime } from '../../format.js';
import { isRegistered } from './webhook-query.js';
import { WebhookStatusBadge } from './webhook-status-badge.js';

interface Props {
  items: WebhookSubscription[];
  /** `from` holds the control that asked (its first focusable gets focus back when the dialog closes). */
  onOpen: (item: WebhookSubscription, from: HTMLElement | null) => void;
  onDelete: (item: WebhookSubscription, from: HTMLElement | null) => void;
}

/**
 * Handles a row button's click on its wrapper: the wrapper is where focus returns when the dialog closes,
 * and the click must not also reach the row (which opens the details).
 */
function fromWrapper(action: (from: HTMLElement) => void) {
  return (event: MouseEvent<HTMLElement>): void => {
    event.stopPropagation();
    action(event.currentTarget);
  };
}

export function WebhookSubscriptionsTable({ items, onOpen, onDelete }: Props) {
  return (
    <div className="ecs-table-wrap">
      <table className="ecs-table" data-testid="webhooks-table">
        <caption className="ecs-visually-hidden">Webhook subscriptions of this app</caption>
        <thead>
          <tr>
            <th scope="col">Topic</th>
            <th scope="col">Address</th>
            <th scope="col">API version</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Last delivery</th>
            <th scope="col">
              <span className="ecs-visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => {
            // Ids are unique per row: a GID, or `missing:<topic>`.
            const topicId = `webhook-${item.id.replace(/[^a-zA-Z0-9_-]/g, '_')}-topic`;
            const exists = isRegistered(item);
            return (
              <tr
                key={item.id}
                data-testid="webhook-row"
                data-id={exists ? item.id : undefined}
                data-status={item.status}
                className="ecs-clickable-row"
                onClick={(event) => onOpen(item, event.currentTarget)}
              >
                {/* Broken only when a topic is wider than its column (breakWord split them at any letter). */}
                <td data-label="Topic" className="ecs-break">
                  <Text as="span" id={topicId} fontWeight="medium">
                    {item.topic}
                  </Text>
                </td>
                <td data-label="Address" className="ecs-break">
                  {/* A missing row carries the address it should use; Shopify has nothing registered there. */}
                  {exists && item.address !== null ? (
                    item.address
                  ) : (
                    <Text as="span" tone="subdued">
                      Not registered
                    </Text>
                  )}
                </td>
                <td data-label="API version">{item.apiVersion ?? '—'}</td>
                <td data-label="Status">
                  <WebhookStatusBadge status={item.status} />
                </td>
                <td data-label="Created">
                  {item.createdAt ? <time dateTime={item.createdAt}>{formatDateTime(item.createdAt)}</time> : '—'}
                </td>
                <td data-label="Last delivery">
                  {item.lastDeliveryAt ? <time dateTime={item.lastDeliveryAt}>{formatDateTime(item.lastDeliveryAt)}</time> : 'Never'}
                </td>
                <td data-label="">
                  <InlineStack gap="200" wrap={false}>
                    <span onClick={fromWrapper((from) => onOpen(item, from))} className="ecs-action">
                      <Button
                        variant="plain"
                        accessibilityLabel={`View details for ${item.topic}`}
                      >
                        View details
                      </Button>
                    </span>
                    {exists ? (
                      <span onClick={fromWrapper((from) => onDelete(item, from))} className="ecs-action">
                        <Button
                          tone="critical"
                          variant="plain"
                          ariaDescribedBy={topicId}
                        >
                          Delete
                        </Button>
                      </span>
                    ) : null}
                  </InlineStack>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
