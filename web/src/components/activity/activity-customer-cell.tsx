// The Customer cell of an activity row: who the change was about, or, on a bulk run's summary row,
// which run it was. Its own component so a link to the customer's consent history can be added here.
import { Button, Text } from '@shopify/polaris';
import type { ActivityItem } from '../../api-types.js';
import { CustomerHistoryLink } from '../history/customer-link.js';

interface Props {
  item: ActivityItem;
  /** Lists the customers of a bulk run (its summary row). */
  onOpenRun?: (item: ActivityItem) => void;
}

export function ActivityCustomerCell({ item, onOpenRun }: Props) {
  if (item.kind === 'run_summary') {
    const what = item.origin === 'backfill' ? 'Initial sync' : 'Reconciliation';
    return (
      <span onClick={(e) => e.stopPropagation()}>
        <Button variant="plain" onClick={() => onOpenRun?.(item)} disabled={!item.jobId || !onOpenRun}>
          {`${what}: show its customers`}
        </Button>
      </span>
    );
  }
  // A customer's name opens their consent history (both channels, both systems).
  if (item.identity && item.channel !== 'none') return <CustomerHistoryLink identity={item.identity} />;
  if (item.identity) return <span className="ecs-identity ecs-email">{item.identity}</span>;
  return (
    <Text as="span" tone="subdued">
      Unknown
    </Text>
  );
}
