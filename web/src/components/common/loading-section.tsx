// Placeholder while a page's first answer is on its way; the spinner carries the accessible label.
import { BlockStack, Card, InlineStack, SkeletonBodyText, SkeletonDisplayText, Spinner } from '@shopify/polaris';

interface Props {
  label: string;
  lines?: number;
}

export function LoadingSection({ label, lines = 6 }: Props) {
  return (
    <div aria-busy="true" data-testid="loading">
      <Card>
        <BlockStack gap="400">
          <InlineStack gap="300" blockAlign="center">
            <Spinner size="small" accessibilityLabel={label} />
            <SkeletonDisplayText size="small" />
          </InlineStack>
          <SkeletonBodyText lines={lines} />
        </BlockStack>
      </Card>
    </div>
  );
}
