// A calm empty state. Polaris EmptyState needs an illustration URL from Shopify's CDN, which this app
// cannot rely on, so this is text only.
import type { ReactNode } from 'react';
import { BlockStack, Box, Text } from '@shopify/polaris';

interface Props {
  heading?: string;
  children: ReactNode;
  action?: ReactNode;
  testId?: string;
}

export function EmptyMessage({ heading, children, action, testId = 'empty' }: Props) {
  return (
    <Box paddingBlock="800" paddingInline="400">
      <div data-testid={testId} className="ecs-empty">
        <BlockStack gap="200" inlineAlign="center">
          {heading ? (
            <Text as="h2" variant="headingMd" alignment="center">
              {heading}
            </Text>
          ) : null}
          <Text as="p" tone={heading ? 'subdued' : undefined} alignment="center">
            {children}
          </Text>
          {action}
        </BlockStack>
      </div>
    </Box>
  );
}
