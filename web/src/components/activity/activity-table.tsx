// The activity log as a semantic table. Rows open the detail view on click; the "View details" button
// in each row does the same for keyboard and screen-reader users. Narrow screens stack the cells (CSS).
import { Badge, BlockStack, Button, Text } from '@shopify/polaris';
import type { ActivityItem } from '../../api-types.js';
import { channelLabel, flowLabel, formatDateTime, humanize, localizeTimes } from '../../format.js';
import { ActivityCustomerCell } from './activity-customer-cell.js';
import { ResultBadge } from './result-badge.js';

interface Props {
  items: ActivityItem[];
  onOpen: (item: ActivityItem) => void;
  onOpenRun?: (item: ActivityItem) => void;
}

/** The change in merchant words, then the states before and after; wire words stay in the detail view. */
function ChangeCell({ item }: { item: ActivityItem }) {
  return (
    <BlockStack gap="100" inlineAlign="start">
      <span data-testid="activity-summary">
        <Text as="span" fontWeight="medium">
          {localizeTimes(item.summary)}
        </Text>
      </span>
      {item.channel !== 'none' ? (
        <Text as="span" variant="bodySm" tone="subdued">
          {humanize(item.previousState)} → {humanize(item.newState)}
        </Text>
      ) : null}
      {item.echo ? <Badge>The app's own change, reported back</Badge> : null}
    </BlockStack>
  );
}

export function ActivityTable({ items, onOpen, onOpenRun }: Props) {
  return (
    <div className="ecs-table-wrap">
      <table className="ecs-table" data-testid="activity-table">
        <caption className="ecs-visually-hidden">Consent changes, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Direction</th>
            <th scope="col">Channel</th>
            <th scope="col">Customer</th>
            <th scope="col">Change</th>
            <th scope="col">Result</th>
            <th scope="col">
              <span className="ecs-visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr
              key={item.id}
              data-testid="activity-row"
              data-id={item.id}
              data-kind={item.kind}
              className="ecs-clickable-row"
              onClick={() => onOpen(item)}
            >
              <td data-label="When">
                <time dateTime={item.createdAt}>{formatDateTime(item.createdAt)}</time>
              </td>
              <td data-label="Direction">{flowLabel(item)}</td>
              <td data-label="Channel">{channelLabel(item.channel)}</td>
              <td data-label="Customer" className="ecs-break">
                <ActivityCustomerCell item={item} onOpenRun={onOpenRun} />
              </td>
              <td data-label="Change">
                <ChangeCell item={item} />
              </td>
              <td data-label="Result">
                {/* A row about the shop (channel none) already says its reason in the headline. */}
                <ResultBadge result={item.result} reason={item.explanation === item.summary ? null : item.explanation} />
              </td>
              <td data-label="">
                <Button
                  variant="plain"
                  onClick={() => onOpen(item)}
                  accessibilityLabel={`View details for ${item.identity ?? 'unknown customer'}, ${formatDateTime(item.createdAt)}`}
                >
                  View details
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
