// Failed changes with a Retry button per row. Narrow screens stack the cells (CSS).
import { Badge, BlockStack, Button, Text } from '@shopify/polaris';
import type { FailureItem } from '../../api-types.js';
import { formatDateTime, humanize } from '../../format.js';

interface Props {
  items: FailureItem[];
  /** Row ids whose retry is in progress. */
  pending: ReadonlySet<string>;
  onRetry: (item: FailureItem) => void;
}

export function FailuresTable({ items, pending, onRetry }: Props) {
  return (
    <div className="ecs-table-wrap">
      <table className="ecs-table" data-testid="failures-table">
        <caption className="ecs-visually-hidden">Changes that could not be synced</caption>
        <thead>
          <tr>
            <th scope="col">Change</th>
            <th scope="col">Why it failed</th>
            <th scope="col">Tries</th>
            <th scope="col">First failed</th>
            <th scope="col">Last try</th>
            <th scope="col">
              <span className="ecs-visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => {
            const id = item.id;
            const isPending = pending.has(id);
            const summaryId = `failure-${id}-summary`;
            return (
              <tr key={id} data-testid="failure-row" data-id={id} data-pending={isPending ? 'true' : undefined}>
                <td data-label="Change">
                  <BlockStack gap="100" inlineAlign="start">
                    <Text as="span" id={summaryId} fontWeight="medium" breakWord>
                      {item.summary}
                    </Text>
                    <Badge>{humanize(item.kind)}</Badge>
                  </BlockStack>
                </td>
                <td data-label="Why it failed" className="ecs-break">
                  {isPending ? (
                    <Badge tone="info">Retrying…</Badge>
                  ) : (
                    <Text as="span" tone="critical">
                      {item.lastError ?? 'No error message was recorded.'}
                    </Text>
                  )}
                </td>
                <td data-label="Tries">{item.attempts}</td>
                <td data-label="First failed">
                  <time dateTime={item.createdAt}>{formatDateTime(item.createdAt)}</time>
                </td>
                <td data-label="Last try">
                  <time dateTime={item.updatedAt}>{formatDateTime(item.updatedAt)}</time>
                </td>
                <td data-label="">
                  <Button onClick={() => onRetry(item)} disabled={isPending} ariaDescribedBy={summaryId}>
                    {isPending ? 'Retrying…' : 'Retry'}
                  </Button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
