// A loading placeholder that sits inside a card, under its heading (LoadingSection is a whole card).
import { BlockStack, InlineStack, SkeletonBodyText, Spinner, Text } from '@shopify/polaris';

interface Props {
  label: string;
  lines?: number;
}

export function CardLoading({ label, lines = 3 }: Props) {
  return (
    <div aria-busy="true" data-testid="loading">
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center">
          <Spinner size="small" accessibilityLabel={label} />
          <Text as="span" tone="subdued">
            {label}…
          </Text>
        </InlineStack>
        <SkeletonBodyText lines={lines} />
      </BlockStack>
    </div>
  );
}
