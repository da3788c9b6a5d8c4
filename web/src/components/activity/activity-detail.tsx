// Detail view of one change: every field, including the raw edrone reason code for support questions.
import { DescriptionList, Modal, Text } from '@shopify/polaris';
import type { ActivityItem } from '../../api-types.js';
import { channelLabel, formatDateTime, humanize, sideLabel } from '../../format.js';
import { ResultBadge } from './result-badge.js';

interface Props {
  item: ActivityItem | null;
  onClose: () => void;
}

function orDash(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '—' : value;
}

export function ActivityDetail({ item, onClose }: Props) {
  return (
    <Modal open={item !== null} onClose={onClose} title="Change details" secondaryActions={[{ content: 'Close', onAction: onClose }]}>
      {item ? (
        <Modal.Section>
          <div data-testid="activity-detail">
            <DescriptionList
              gap="tight"
              items={[
                { term: 'When', description: formatDateTime(item.createdAt) },
                { term: 'From', description: sideLabel(item.origin) },
                { term: 'To', description: sideLabel(item.target) },
                { term: 'Channel', description: channelLabel(item.channel) },
                { term: 'Email or phone', description: orDash(item.identity) },
                { term: 'Shopify customer ID', description: orDash(item.customerId) },
                { term: 'Previous state', description: humanize(item.previousState) },
                { term: 'New state', description: humanize(item.newState) },
                { term: 'Result', description: <ResultBadge result={item.result} reason={null} showReason={false} /> },
                { term: 'Reason', description: orDash(item.reason) },
                {
                  term: 'edrone reason code',
                  description: (
                    <Text as="span" fontWeight="medium">
                      <code data-testid="reason-code">{orDash(item.reasonCode)}</code>
                    </Text>
                  ),
                },
                { term: 'Record ID', description: <code>{item.id}</code> },
              ]}
            />
          </div>
        </Modal.Section>
      ) : null}
    </Modal>
  );
}
