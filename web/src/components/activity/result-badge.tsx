// The outcome of one change as a coloured badge, with the reason next to it when there is one.
import { Badge, BlockStack, Text } from '@shopify/polaris';
import type { ActivityResult } from '../../api-types.js';
import { localizeTimes } from '../../format.js';

const LOOK: Record<ActivityResult, { label: string; tone?: 'success' | 'critical' | 'attention' | 'info' }> = {
  sent: { label: 'Sent', tone: 'success' },
  skipped: { label: 'Skipped' },
  failed: { label: 'Failed', tone: 'critical' },
  no_customer: { label: 'No customer', tone: 'attention' },
  // Noted without syncing: an uninstall, a compliance request, a paused sync, a bulk run's summary.
  recorded: { label: 'Noted', tone: 'info' },
};

interface Props {
  result: ActivityResult;
  reason: string | null;
  /** In the table the reason is shown for everything but "sent"; the detail view always shows it. */
  showReason?: boolean;
}

export function ResultBadge({ result, reason, showReason = result !== 'sent' }: Props) {
  const look = LOOK[result] ?? { label: result };
  return (
    <BlockStack gap="100" inlineAlign="start">
      <span data-testid="result-badge" data-result={result}>
        <Badge tone={look.tone}>{look.label}</Badge>
      </span>
      {showReason && reason ? (
        <Text as="span" variant="bodySm" tone={result === 'failed' ? 'critical' : 'subdued'}>
          {localizeTimes(reason)}
        </Text>
      ) : null}
    </BlockStack>
  );
}
