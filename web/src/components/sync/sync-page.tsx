// Sync tab: the one-off initial sync, the reconciliation schedule, and the health of the webhooks
// that carry Shopify's changes to the app (per topic, from the deliveries received). Each card loads and fails on its own.
import { BlockStack } from '@shopify/polaris';
import { InitialSyncCard } from './initial-sync-card.js';
import { ReconcileCard } from './reconcile-card.js';
import { WebhookHealthCard } from './webhook-health-card.js';

interface Props {
  /** How often a running initial sync is re-read. */
  pollMs?: number;
  webhookPageSize?: number;
}

export function SyncPage({ pollMs, webhookPageSize }: Props) {
  return (
    <BlockStack gap="400">
      <InitialSyncCard pollMs={pollMs} />
      <ReconcileCard />
      <WebhookHealthCard webhookPageSize={webhookPageSize} />
    </BlockStack>
  );
}
