// Query strings and labels for the webhook subscriptions list.
import type { WebhookSubscription, WebhookSubscriptionFilter, WebhookSubscriptionStatus } from '../../api-types.js';

export const WEBHOOK_PAGE_SIZE = 25;

export const FILTER_OPTIONS: { value: WebhookSubscriptionFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'missing', label: 'Missing' },
  { value: 'failing', label: 'Failing' },
];

export function webhookListPath(filter: WebhookSubscriptionFilter, page: number, pageSize = WEBHOOK_PAGE_SIZE): string {
  const params = new URLSearchParams({ filter, page: String(page), pageSize: String(pageSize) });
  return `/api/webhook-subscriptions?${params.toString()}`;
}

/** Ids are Shopify GIDs ("gid://shopify/WebhookSubscription/1"), so they are escaped as one path segment. */
export function webhookPath(id: string): string {
  return `/api/webhook-subscriptions/${encodeURIComponent(id)}`;
}

/**
 * A row Shopify has a subscription for (its id is a GID). A `missing` row's id is `missing:<topic>`:
 * there is nothing in Shopify to show in detail or to delete.
 */
export function isRegistered(item: Pick<WebhookSubscription, 'status'>): boolean {
  return item.status !== 'missing';
}

export const STATUS_LOOK: Record<
  WebhookSubscriptionStatus,
  { label: string; tone: 'success' | 'critical' | 'warning'; hint: string }
> = {
  active: { label: 'Active', tone: 'success', hint: 'Shopify delivers these events to the app.' },
  missing: {
    label: 'Missing',
    tone: 'warning',
    hint: 'The app needs this subscription but Shopify has none, so these events do not arrive.',
  },
  failing: { label: 'Failing', tone: 'critical', hint: 'Shopify cannot deliver these events to the app right now.' },
};
