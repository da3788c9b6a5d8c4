// After the first successful save: offers to send the existing customers' consent to edrone (the initial
// sync), when none was ever run. Starting it opens the Sync tab, which shows the progress.
import { useState } from 'react';
import { Banner, BlockStack, Text } from '@shopify/polaris';
import { api, type ApiError } from '../../api.js';
import type { BackfillRunAnswer } from '../../api-types.js';

interface Props {
  onStarted: () => void;
  onDismiss: () => void;
}

export function BackfillOffer({ onStarted, onDismiss }: Props) {
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const start = async (): Promise<void> => {
    setStarting(true);
    setError(null);
    const result = await api.post<BackfillRunAnswer>('/api/backfill');
    setStarting(false);
    // 409: one is already running, which is what the merchant asked for; the Sync tab shows it.
    if (result.ok || result.error.status === 409) {
      onStarted();
      return;
    }
    setError(result.error);
  };

  return (
    <div data-testid="backfill-offer">
      <Banner
        tone="info"
        title="Send your existing customers' consent to edrone?"
        action={{ content: 'Start initial sync', onAction: () => void start(), loading: starting }}
        secondaryAction={{ content: 'Not now', onAction: onDismiss }}
        onDismiss={onDismiss}
      >
        <BlockStack gap="200">
          <Text as="p">
            New changes sync from now on. The initial sync also sends the current consent of every customer already in
            your store, once. Anyone who unsubscribed in edrone later is never subscribed again; pending and
            never-subscribed customers are not sent.
          </Text>
          <div aria-live="polite">
            {error ? (
              <Text as="p" tone="critical">
                {`The initial sync did not start. ${error.message}`}
              </Text>
            ) : null}
          </div>
        </BlockStack>
      </Banner>
    </div>
  );
}
