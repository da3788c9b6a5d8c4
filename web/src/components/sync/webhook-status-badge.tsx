// The health of one webhook subscription as a badge.
import { Badge } from '@shopify/polaris';
import type { WebhookSubscriptionStatus } from '../../api-types.js';
import { STATUS_LOOK } from './webhook-query.js';

export function WebhookStatusBadge({ status }: { status: WebhookSubscriptionStatus }) {
  const look = STATUS_LOOK[status] ?? { label: status, tone: undefined };
  return (
    <span data-testid="webhook-status" data-status={status}>
      <Badge tone={look.tone}>{look.label}</Badge>
    </span>
  );
}
