// Failed changes with a Retry button per row: who, which change to which side, why and what to do,
// and the real number of tries. Narrow screens stack the cells (CSS).
import { Badge, BlockStack, Button, Text } from '@shopify/polaris';
import type { FailureChange, FailureItem } from '../../api-types.js';
import { formatDateTime, plural } from '../../format.js';

interface Props {
  items: FailureItem[];
  /** Row ids whose retry is in progress. */
  pending: ReadonlySet<string>;
  onRetry: (item: FailureItem) => void;
}

const CHANGE_LABELS: Record<FailureChange, string> = {
  subscribe: 'Subscribe',
  unsubscribe: 'Unsubscribe',
  erase: 'Erase customer data',
  export_data: 'Customer data request',
};

const SIDE = { edrone: 'edrone', shopify: 'Shopify' } as const;

function Customer({ item }: { item: FailureItem }) {
  if (!item.customer) {
    return (
      <Text as="span" tone="subdued">
        {item.change ? 'No email or phone' : 'Not one customer'}
      </Text>
    );
  }
  return (
    <BlockStack gap="050" inlineAlign="start">
      <Text as="span" fontWeight="medium" breakWord>
        <span data-testid="failure-customer">{item.customer}</span>
      </Text>
      {item.channel ? <Badge>{item.channel === 'sms' ? 'SMS' : 'Email'}</Badge> : null}
    </BlockStack>
  );
}

function Change({ item }: { item: FailureItem }) {
  const target = item.target ? SIDE[item.target] : null;
  return (
    <BlockStack gap="050" inlineAlign="start">
      {item.change ? (
        // No tone: a toned badge is read out as "Success Subscribe".
        <span data-testid="failure-change">
          <Badge>{CHANGE_LABELS[item.change]}</Badge>
        </span>
      ) : null}
      <Text as="span" variant="bodySm" tone="subdued" breakWord>
        {item.change ? (target ? `Could not reach ${target}` : 'Could not be completed') : item.summary}
      </Text>
      {item.otherChanges > 0 ? (
        <Text as="span" variant="bodySm" tone="subdued">
          {`and ${plural(item.otherChanges, 'other change', 'other changes')} in the same request`}
        </Text>
      ) : null}
    </BlockStack>
  );
}

export function FailuresTable({ items, pending, onRetry }: Props) {
  return (
    <div className="ecs-table-wrap">
      <table className="ecs-table" data-testid="failures-table">
        <caption className="ecs-visually-hidden">Changes that could not be synced</caption>
        <thead>
          <tr>
            <th scope="col">Customer</th>
            <th scope="col">Change</th>
            <th scope="col">Why it failed and what to do</th>
            <th scope="col">Tries</th>
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
                <td data-label="Customer" className="ecs-failure-customer">
                  <Customer item={item} />
                  {/* Read out with the Retry button, so "Retry" says which change. */}
                  <span id={summaryId} className="ecs-visually-hidden">
                    {item.summary}
                  </span>
                </td>
                <td data-label="Change">
                  <Change item={item} />
                </td>
                <td data-label="Why it failed" className="ecs-break">
                  {isPending ? (
                    <Badge tone="info">Retrying…</Badge>
                  ) : (
                    <BlockStack gap="100">
                      <Text as="p" tone="critical">
                        <span data-testid="failure-reason">{item.reason}</span>
                      </Text>
                      <Text as="p">
                        <span data-testid="failure-action">
                          <Text as="span" fontWeight="medium">
                            What to do:
                          </Text>{' '}
                          {item.action}
                        </span>
                      </Text>
                    </BlockStack>
                  )}
                </td>
                <td data-label="Tries">
                  <span data-testid="failure-tries">{item.attempts}</span>
                </td>
                <td data-label="Last try">
                  <BlockStack gap="050">
                    <time dateTime={item.updatedAt}>{formatDateTime(item.updatedAt)}</time>
                    <Text as="span" variant="bodySm" tone="subdued">
                      {`first received ${formatDateTime(item.createdAt)}`}
                    </Text>
                  </BlockStack>
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
