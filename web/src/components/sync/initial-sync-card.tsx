// "Initial sync": sends every existing customer's consent to edrone once. While a run is going the card
// polls GET /api/backfill and shows a progress bar with the counts; afterwards it says how it ended.
// While open it also re-reads the run every `liveMs` with If-None-Match, so a run started elsewhere (the
// command line, another tab) or one that ended shows without a click.
import { useEffect, useId, useState } from 'react';
import { Banner, BlockStack, Button, Card, InlineStack, List, ProgressBar, Text } from '@shopify/polaris';
import { api, type ApiError } from '../../api.js';
import type { BackfillRun, BackfillRunAnswer, BackfillState } from '../../api-types.js';
import { formatCount, formatDateTime, plural } from '../../format.js';
import { useApiGet } from '../../hooks/use-api-get.js';
import { ApiErrorBanner } from '../common/api-error-banner.js';
import { backfillPercent, phaseText, processed } from './backfill-progress.js';
import { CardLoading } from './card-loading.js';

interface Props {
  /** How often to re-read the run while it is going; tests shorten it. */
  pollMs?: number;
  /** How often the card re-reads while open, running or not (If-None-Match; 0: never). */
  liveMs?: number;
}

interface ActionError {
  title: string;
  error: ApiError;
}

function Counts({ run }: { run: BackfillRun }) {
  const rows: { key: string; label: string; value: number }[] = [
    { key: 'read', label: 'Read from Shopify', value: run.read },
    { key: 'sent', label: 'Sent to edrone', value: run.sent },
    { key: 'skipped', label: 'Skipped', value: run.skipped },
    { key: 'failed', label: 'Failed', value: run.failed },
  ];
  return (
    <dl className="ecs-stats" data-testid="backfill-counts">
      {rows.map((row) => (
        <div key={row.key} className="ecs-stat" data-testid={`backfill-${row.key}`}>
          <dt>{row.label}</dt>
          <dd>{formatCount(row.value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function Outcome({ run }: { run: BackfillRun }) {
  const finished = run.finishedAt ? ` on ${formatDateTime(run.finishedAt)}` : '';
  if (run.status === 'completed') {
    return (
      <Banner tone="success" title="Initial sync finished">
        <BlockStack gap="100">
          <Text as="p">
            {`${plural(run.sent, 'customer', 'customers')} sent to edrone, ${formatCount(run.skipped)} skipped, ${formatCount(run.failed)} failed${finished}.`}
          </Text>
          {run.failed > 0 ? (
            <Text as="p">Each customer is listed in Activity as “Initial import”, including the ones that failed and why.</Text>
          ) : null}
        </BlockStack>
      </Banner>
    );
  }
  if (run.status === 'cancelled') {
    return (
      <Banner tone="warning" title="Initial sync cancelled">
        <Text as="p">
          {`It stopped${finished} after ${plural(processed(run), 'customer', 'customers')}. Customers already sent stay in edrone. You can start it again at any time.`}
        </Text>
      </Banner>
    );
  }
  if (run.status === 'failed') {
    return (
      <Banner tone="critical" title="Initial sync stopped because of a problem">
        <BlockStack gap="100">
          <Text as="p">{run.error ?? 'The app could not finish sending your customers to edrone.'}</Text>
          <Text as="p">Check your edrone App ID and App Secret in Setup, then start it again.</Text>
        </BlockStack>
      </Banner>
    );
  }
  return null;
}

export function InitialSyncCard({ pollMs = 1000, liveMs = 1000 }: Props) {
  // undefined: not known yet; null: never started.
  const [run, setRun] = useState<BackfillRun | null | undefined>(undefined);
  const running = run?.status === 'running';
  const resource = useApiGet<BackfillState>('/api/backfill', { pollMs: running ? pollMs : liveMs });
  const [busy, setBusy] = useState<'start' | 'cancel' | null>(null);
  const [actionError, setActionError] = useState<ActionError | null>(null);
  const labelId = useId();

  useEffect(() => {
    if (resource.data) setRun(resource.data.run ?? null);
  }, [resource.data]);


  const act = async (kind: 'start' | 'cancel'): Promise<void> => {
    setBusy(kind);
    setActionError(null);
    const result = await api.post<BackfillRunAnswer>(kind === 'start' ? '/api/backfill' : '/api/backfill/cancel');
    setBusy(null);
    if (result.ok && result.data?.run) {
      setRun(result.data.run);
      return;
    }
    if (!result.ok) {
      setActionError({
        title: kind === 'start' ? 'The initial sync did not start' : 'The initial sync was not cancelled',
        error: result.error,
      });
    }
    // 409 (already running) or a cancel that came too late: show what the server has now.
    void resource.reload();
  };

  return (
    <Card>
      <div data-testid="initial-sync" data-status={run === undefined ? (resource.error ? 'error' : 'loading') : (run?.status ?? 'none')}>
        <BlockStack gap="400">
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              Initial sync
            </Text>
            <Text as="p">
              Sends the current email and SMS marketing consent of every existing Shopify customer to edrone, once. Changes
              after that are synced automatically, so you normally need this only after setting up the app.
            </Text>
            <List type="bullet">
              <List.Item>Customers who unsubscribed in edrone later than in Shopify are never subscribed again.</List.Item>
              <List.Item>Customers whose consent is pending confirmation, or who never subscribed, are not sent.</List.Item>
            </List>
          </BlockStack>

          {run === undefined && resource.loading ? <CardLoading label="Loading the initial sync" lines={2} /> : null}
          {run === undefined && !resource.loading && resource.error ? (
            <ApiErrorBanner
              title="The initial sync could not be loaded"
              error={resource.error}
              onRetry={() => void resource.reload()}
            />
          ) : null}
          {run !== undefined && running && resource.error ? (
            <ApiErrorBanner title="Could not refresh the progress" error={resource.error} onRetry={() => void resource.reload()} />
          ) : null}

          {run && running ? (
            <div data-testid="backfill-progress" data-percent={backfillPercent(run)}>
              <BlockStack gap="200">
                <Text as="p" id={labelId} fontWeight="medium">
                  {phaseText(run)}
                </Text>
                <ProgressBar progress={backfillPercent(run)} ariaLabelledBy={labelId} tone="highlight" />
                <Text as="p" tone="subdued" variant="bodySm">
                  {run.cancelRequested
                    ? 'Cancelling: the sync stops once the customers it is sending now are done.'
                    : `Started ${formatDateTime(run.startedAt)}. You can leave this page; the sync keeps going.`}
                </Text>
              </BlockStack>
            </div>
          ) : null}

          <div aria-live="polite" data-testid="backfill-outcome">
            {run && !running ? <Outcome run={run} /> : null}
          </div>

          {run ? <Counts run={run} /> : null}

          {run === null ? (
            <div data-testid="empty">
              <Text as="p" tone="subdued">
                Not run yet for this store.
              </Text>
            </div>
          ) : null}

          {actionError ? (
            <ApiErrorBanner title={actionError.title} error={actionError.error} onDismiss={() => setActionError(null)} />
          ) : null}

          <InlineStack gap="200">
            {running ? (
              <Button
                onClick={() => void act('cancel')}
                loading={busy === 'cancel'}
                disabled={run?.cancelRequested === true}
                tone="critical"
              >
                Cancel
              </Button>
            ) : (
              <Button
                variant="primary"
                onClick={() => void act('start')}
                loading={busy === 'start'}
                disabled={run === undefined}
              >
                Start initial sync
              </Button>
            )}
          </InlineStack>
        </BlockStack>
      </div>
    </Card>
  );
}
