// One place that turns an ApiError into a merchant-facing banner, with an optional "Try again".
import { Banner, Text } from '@shopify/polaris';
import type { ApiError } from '../../api.js';

interface Props {
  error: ApiError;
  title?: string;
  onRetry?: () => void;
  onDismiss?: () => void;
}

export function ApiErrorBanner({ error, title, onRetry, onDismiss }: Props) {
  return (
    <div data-testid="api-error">
      <Banner
        tone="critical"
        title={title ?? 'Something went wrong'}
        action={onRetry ? { content: 'Try again', onAction: onRetry } : undefined}
        onDismiss={onDismiss}
      >
        <Text as="p">{error.message}</Text>
      </Banner>
    </div>
  );
}
