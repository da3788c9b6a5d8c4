// One channel's consent timeline: what each side holds now, then every entry, newest first.
import { Badge, BlockStack, Card, InlineStack, Text } from '@shopify/polaris';
import type { ChannelHistory, HistoryEntry } from '../../api-types.js';
import { formatDateTime, humanize, localizeTimes } from '../../format.js';

const ACTION_WORDS: Record<HistoryEntry['action'], string> = {
  sent: 'Written',
  skipped: 'Skipped',
  failed: 'Failed',
  no_customer: 'No customer',
};

function sideName(side: string): string {
  return side === 'shopify' ? 'Shopify' : side === 'edrone' ? 'edrone' : side;
}

function Entry({ e }: { e: HistoryEntry }) {
  const tone = e.action === 'sent' ? 'success' : e.action === 'failed' ? 'critical' : undefined;
  return (
    <li className="ecs-history-entry" data-testid="history-entry" data-action={e.action}>
      <BlockStack gap="100">
        <InlineStack gap="200" blockAlign="center" wrap>
          <Text as="span" fontWeight="semibold">
            {humanize(e.observedState ?? e.writtenState)} in {sideName(e.source)}
          </Text>
          <Badge tone={tone}>{ACTION_WORDS[e.action]}</Badge>
          {e.optInLevel ? <Badge>{humanize(e.optInLevel)}</Badge> : null}
        </InlineStack>
        <Text as="p" tone="subdued">
          {e.changedAt ? `Changed ${formatDateTime(e.changedAt)}` : 'Change time not given'} by {e.changedBy}
          {e.edroneReasonWords ? `: ${e.edroneReasonWords}` : ''}
        </Text>
        <Text as="p">
          {e.action === 'sent' && e.target !== 'none'
            ? `The app wrote ${humanize(e.writtenState)} to ${sideName(e.target)} on ${formatDateTime(e.recordedAt)}.`
            : `${formatDateTime(e.recordedAt)}: ${localizeTimes(e.detail ?? '')}`}
        </Text>
        {/* edrone's reason code and the UTC times, for support; the merchant reads the words above. */}
        <details className="ecs-technical" data-testid="history-technical">
          <summary>Technical detail</summary>
          <dl>
            {e.edroneReason || e.edroneReasonCode ? (
              <>
                <dt>edrone reason</dt>
                <dd>
                  <code>{`${e.edroneReason ?? '?'} (${e.edroneReasonCode ?? '?'})`}</code>
                </dd>
              </>
            ) : null}
            <dt>Changed at (UTC)</dt>
            <dd>
              <code>{e.changedAt ?? '—'}</code>
            </dd>
            <dt>Recorded at (UTC)</dt>
            <dd>
              <code>{e.recordedAt}</code>
            </dd>
            {e.detail ? (
              <>
                <dt>Recorded detail</dt>
                <dd>
                  <code>{e.detail}</code>
                </dd>
              </>
            ) : null}
          </dl>
        </details>
      </BlockStack>
    </li>
  );
}

export function ChannelTimeline({ history }: { history: ChannelHistory }) {
  const title = history.channel === 'email' ? 'Email' : 'SMS';
  const { now } = history;
  return (
    <Card>
      <BlockStack gap="300">
        <section data-testid={`history-${history.channel}`} aria-label={`${title} consent history`}>
          <BlockStack gap="300">
            <Text as="h3" variant="headingMd">
              {title} {history.identity ? `· ${history.identity}` : ''}
            </Text>
            <Text as="p">
              Now: Shopify {humanize(now.shopify.state)}, edrone {humanize(now.edrone.state)}
              {now.lastChange.at ? ` (last real change ${formatDateTime(now.lastChange.at)} in ${sideName(now.lastChange.side ?? '')})` : ''}
            </Text>
            {history.entries.length === 0 ? (
              <Text as="p" tone="subdued">
                No changes recorded for this channel.
              </Text>
            ) : (
              <ol className="ecs-history-list">
                {[...history.entries].reverse().map((e) => (
                  <Entry key={e.id} e={e} />
                ))}
              </ol>
            )}
          </BlockStack>
        </section>
      </BlockStack>
    </Card>
  );
}
