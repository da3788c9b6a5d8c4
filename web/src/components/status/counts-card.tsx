// One card of per-direction counts ("Today", "Last 30 days").
import { BlockStack, Card, InlineStack, Text } from '@shopify/polaris';
import type { DirectionCounts } from '../../api-types.js';
import { formatCount } from '../../format.js';

interface Props {
  title: string;
  counts: DirectionCounts;
  testId: string;
}

export function CountsCard({ title, counts, testId }: Props) {
  return (
    <Card>
      <div data-testid={testId}>
        <BlockStack gap="300">
          <Text as="h3" variant="headingSm">
            {title}
          </Text>
          <dl className="ecs-counts">
            <InlineStack align="space-between" gap="200">
              <dt>Shopify → edrone</dt>
              <dd>
                <Text as="span" variant="headingLg" numeric>
                  {formatCount(counts.shopifyToEdrone)}
                </Text>
              </dd>
            </InlineStack>
            <InlineStack align="space-between" gap="200">
              <dt>edrone → Shopify</dt>
              <dd>
                <Text as="span" variant="headingLg" numeric>
                  {formatCount(counts.edroneToShopify)}
                </Text>
              </dd>
            </InlineStack>
          </dl>
        </BlockStack>
      </div>
    </Card>
  );
}
