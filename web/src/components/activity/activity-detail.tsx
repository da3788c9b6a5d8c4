// Detail view of one change: what happened in merchant words first, then the technical detail
// (the reason as stored with its wire words, edrone's reason code, the UTC time, ids) for support questions.
import { BlockStack, DescriptionList, Modal, Text } from '@shopify/polaris';
import type { ActivityItem } from '../../api-types.js';
import { channelLabel, formatDateTime, humanize, localizeTimes, sideLabel } from '../../format.js';
import { ResultBadge } from './result-badge.js';

interface Props {
  item: ActivityItem | null;
  onClose: () => void;
}

function orDash(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '—' : value;
}

function Code({ value, testId }: { value: string | null; testId?: string }) {
  return (
    <Text as="span" fontWeight="medium">
      <code data-testid={testId}>{orDash(value)}</code>
    </Text>
  );
}

export function ActivityDetail({ item, onClose }: Props) {
  return (
    <Modal open={item !== null} onClose={onClose} title="Change details" secondaryActions={[{ content: 'Close', onAction: onClose }]}>
      {item ? (
        <Modal.Section>
          <div data-testid="activity-detail">
          <BlockStack gap="400">
            <div data-testid="activity-detail-summary">
              <DescriptionList
                gap="tight"
                items={[
                  { term: 'What happened', description: localizeTimes(item.summary) },
                  { term: 'When', description: formatDateTime(item.createdAt) },
                  { term: 'From', description: sideLabel(item.origin) },
                  { term: 'To', description: sideLabel(item.target) },
                  { term: 'Channel', description: channelLabel(item.channel) },
                  { term: 'Email or phone', description: orDash(item.identity) },
                  { term: 'Shopify customer ID', description: orDash(item.customerId) },
                  { term: 'Previous state', description: humanize(item.previousState) },
                  { term: 'New state', description: humanize(item.newState) },
                  { term: 'Result', description: <ResultBadge result={item.result} reason={null} showReason={false} /> },
                  { term: 'Why', description: item.explanation ? localizeTimes(item.explanation) : '—' },
                ]}
              />
            </div>
            <section data-testid="activity-technical" aria-label="Technical detail">
              <BlockStack gap="200">
                <Text as="h3" variant="headingSm">
                  Technical detail (for support)
                </Text>
                <DescriptionList
                  gap="tight"
                  items={[
                    // Only when it says more than "Why" (wire words, edrone's reason name).
                    ...(item.reason && item.reason !== item.explanation
                      ? [{ term: 'Reason as recorded', description: <Code value={item.reason} testId="technical-reason" /> }]
                      : []),
                    { term: 'edrone reason code', description: <Code value={item.reasonCode} testId="reason-code" /> },
                    { term: 'Recorded at (UTC)', description: <Code value={item.createdAt} /> },
                    { term: 'Source and target', description: <Code value={`${item.origin} → ${item.target}`} /> },
                    { term: 'Job ID', description: <Code value={item.jobId} /> },
                    { term: 'Event ID', description: <Code value={item.eventId} /> },
                    { term: 'Record ID', description: <Code value={item.id} /> },
                  ]}
                />
              </BlockStack>
            </section>
          </BlockStack>
          </div>
        </Modal.Section>
      ) : null}
    </Modal>
  );
}
