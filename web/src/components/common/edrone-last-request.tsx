// "Last request from edrone: accepted 3 min ago" or "rejected 1 min ago: <reason>", shown on Setup and
// Status. It updates by itself, so a merchant fixing the App Secret sees the next request's outcome.
import { Banner, BlockStack, Text } from '@shopify/polaris';
import type { EdroneConnectionAnswer } from '../../api-types.js';
import { formatDateTime, formatRelative } from '../../format.js';
import { useApiGet } from '../../hooks/use-api-get.js';

interface Props {
  /** How often to re-read (0: never); tests shorten or turn it off. */
  liveMs?: number;
}

export function EdroneLastRequest({ liveMs = 2000 }: Props) {
  const { data } = useApiGet<EdroneConnectionAnswer>('/api/edrone-connection', { pollMs: liveMs });
  if (!data) return null;
  const last = data.last;
  if (!last) {
    return (
      <div data-testid="edrone-last-request" data-outcome="none">
        <Text as="p" tone="subdued">
          Last request from edrone: none yet. edrone calls the sync URL when a status changes there.
        </Text>
      </div>
    );
  }
  const when = (
    <time dateTime={last.at} title={formatDateTime(last.at)}>
      {formatRelative(last.at)}
    </time>
  );
  if (last.outcome === 'accepted') {
    return (
      <div data-testid="edrone-last-request" data-outcome="accepted">
        <Text as="p">
          Last request from edrone: accepted {when}.
        </Text>
      </div>
    );
  }
  return (
    <div data-testid="edrone-last-request" data-outcome="rejected">
      <Banner tone="critical" title="Last request from edrone was rejected">
        <BlockStack gap="100">
          <Text as="p">
            Rejected {when}: {last.reason}
          </Text>
          {data.lastAcceptedAt ? (
            <Text as="p" tone="subdued">
              The last accepted request was {formatRelative(data.lastAcceptedAt)}.
            </Text>
          ) : null}
        </BlockStack>
      </Banner>
    </div>
  );
}
