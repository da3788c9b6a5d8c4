// "Reconciliation": how often the app compares consent in Shopify and edrone and repairs what a missed
// webhook left behind, when it last did and what it repaired, and a "Run now" button. While a check is
// going (`running`, or a "Run now" the server answered 202 before it ended) the card re-reads its state.
import { useEffect, useId, useRef, useState } from 'react';
import { BlockStack, Button, Card, DescriptionList, Form, InlineStack, Select, Text } from '@shopify/polaris';
import { api, type ApiError } from '../../api.js';
import type { ReconcileAnswer, ReconcileLastRun, ReconcileRun, ReconcileRunAnswer } from '../../api-types.js';
import { formatCount, formatDateTime, formatRelative, plural } from '../../format.js';
import { useApiGet } from '../../hooks/use-api-get.js';
import { useInterval } from '../../hooks/use-interval.js';
import { ApiErrorBanner } from '../common/api-error-banner.js';
import { CardLoading } from './card-loading.js';

export const DEFAULT_INTERVAL_MINUTES = 360;

export const INTERVAL_OPTIONS: { value: string; label: string }[] = [
  { value: '15', label: '15 minutes' },
  { value: '60', label: '1 hour' },
  { value: '360', label: '6 hours (default)' },
  { value: '720', label: '12 hours' },
  { value: '1440', label: '24 hours' },
];

/** "90 minutes", "2 hours", "7 days": for an interval saved outside this list. */
export function durationLabel(minutes: number): string {
  if (minutes >= 1440 && minutes % 1440 === 0) return plural(minutes / 1440, 'day', 'days');
  if (minutes >= 60 && minutes % 60 === 0) return plural(minutes / 60, 'hour', 'hours');
  return plural(minutes, 'minute', 'minutes');
}

/** The fixed choices, plus the saved value when it is another one, so the select never lies. */
export function intervalOptions(saved: number): { value: string; label: string }[] {
  if (INTERVAL_OPTIONS.some((o) => o.value === String(saved))) return INTERVAL_OPTIONS;
  return [...INTERVAL_OPTIONS, { value: String(saved), label: durationLabel(saved) }].sort(
    (a, b) => Number(a.value) - Number(b.value),
  );
}

export function runSummary(run: ReconcileLastRun): string {
  const checked = `Checked ${plural(run.checked, 'customer', 'customers')}`;
  if (run.status === 'failed') {
    const repaired = run.repaired > 0 ? ` and repaired ${formatCount(run.repaired)}` : '';
    return `${checked}${repaired}, then stopped because of a problem: ${run.error ?? 'no reason was recorded.'}`;
  }
  const notRepaired =
    run.failed > 0 ? ` ${plural(run.failed, 'customer', 'customers')} could not be repaired; Activity says why.` : '';
  if (run.repaired === 0 && run.failed === 0) return `${checked}; everything matched, nothing needed repairing.`;
  if (run.repaired === 0) return `${checked}; nothing was repaired.${notRepaired}`;
  return `${checked}; repaired ${formatCount(run.repaired)} that did not match.${notRepaired}`;
}

function When({ iso, empty }: { iso: string | null | undefined; empty: string }) {
  if (!iso) return <>{empty}</>;
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso)} ({formatDateTime(iso)})
    </time>
  );
}

type SaveState = { kind: 'idle' } | { kind: 'saved' } | { kind: 'error'; error: ApiError };
type RunState =
  | { kind: 'idle' }
  /** The server answered 202: the check goes on after its wait. */
  | { kind: 'started' }
  | { kind: 'done'; run: ReconcileLastRun }
  | { kind: 'error'; error: ApiError };

interface Props {
  /** How often to re-read the state while a check is going; tests shorten it. */
  pollMs?: number;
}

/** What the run in progress has done so far, in words. */
export function progressText(run: ReconcileRun): string {
  if (run.state === 'queued') return 'Queued: the check starts in a moment.';
  const repaired = run.repaired > 0 ? `; repaired ${formatCount(run.repaired)} so far` : '';
  const failed = run.failed > 0 ? `; ${formatCount(run.failed)} could not be repaired` : '';
  return `Running: checked ${plural(run.checked, 'customer', 'customers')}${repaired}${failed}.`;
}

export function ReconcileCard({ pollMs = 1000 }: Props) {
  const resource = useApiGet<ReconcileAnswer>('/api/reconcile');
  const [settings, setSettings] = useState<ReconcileAnswer | null>(null);
  const [draft, setDraft] = useState<string>(String(DEFAULT_INTERVAL_MINUTES));
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const [saveState, setSaveState] = useState<SaveState>({ kind: 'idle' });
  const [running, setRunning] = useState(false);
  const [runState, setRunState] = useState<RunState>({ kind: 'idle' });
  const selectId = useId();
  const draftFilled = useRef(false);

  useEffect(() => {
    const data = resource.data;
    if (!data) return;
    setSettings(data);
    // A check that outlived "Run now" reports here once the server says it ended.
    const finished = !data.running ? data.lastRun : null;
    if (finished) setRunState((current) => (current.kind === 'started' ? { kind: 'done', run: finished } : current));
    // The first answer fills the select; later refreshes keep what the merchant picked but has not saved.
    if (!draftFilled.current) {
      draftFilled.current = true;
      setDraft(String(data.intervalMinutes));
    }
  }, [resource.data]);

  const checking = settings?.running === true || runState.kind === 'started';
  useInterval(() => void resource.reload(), pollMs, checking);

  if (!settings) {
    return (
      <Card>
        <BlockStack gap="400">
          <Text as="h2" variant="headingMd">
            Reconciliation
          </Text>
          {resource.error ? (
            <ApiErrorBanner title="Reconciliation could not be loaded" error={resource.error} onRetry={() => void resource.reload()} />
          ) : (
            <CardLoading label="Loading reconciliation" lines={3} />
          )}
        </BlockStack>
      </Card>
    );
  }

  const saved = String(settings.intervalMinutes);
  const dirty = draft !== saved;
  const lastRun = settings.lastRun;
  const lastRunAt = lastRun?.at ?? settings.lastRunAt;

  const save = async (): Promise<void> => {
    setSaving(true);
    setSaveState({ kind: 'idle' });
    const result = await api.put<ReconcileAnswer>('/api/reconcile', { intervalMinutes: Number(draft) });
    setSaving(false);
    if (result.ok) {
      setFieldError(undefined);
      setSettings(result.data);
      setDraft(String(result.data.intervalMinutes));
      setSaveState({ kind: 'saved' });
      return;
    }
    const message = result.error.fieldErrors?.intervalMinutes;
    setFieldError(message);
    if (message) setTimeout(() => document.getElementById(selectId)?.focus(), 0);
    else setSaveState({ kind: 'error', error: result.error });
  };

  const runNow = async (): Promise<void> => {
    setRunning(true);
    setRunState({ kind: 'idle' });
    const result = await api.post<ReconcileRunAnswer>('/api/reconcile/run');
    setRunning(false);
    if (!result.ok) {
      setRunState({ kind: 'error', error: result.error });
      return;
    }
    const run = result.data.lastRun;
    if (run) {
      setRunState({ kind: 'done', run });
      setSettings((current) => (current ? { ...current, lastRun: run, lastRunAt: run.at, running: false } : current));
    } else {
      setRunState({ kind: 'started' });
    }
    // The next scheduled check may have moved; a check still going is followed from here.
    void resource.reload();
  };

  return (
    <Card>
      <div data-testid="reconcile">
        <BlockStack gap="400">
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              Reconciliation
            </Text>
            <Text as="p">
              Webhooks can be delayed or lost. On a schedule, the app compares each customer's consent in Shopify and edrone
              and repairs any difference, with the same rules as the live sync: an unsubscribe is never undone by an older
              subscribe.
            </Text>
          </BlockStack>

          <Form onSubmit={() => void save()}>
            <BlockStack gap="300" inlineAlign="start">
              <div className="ecs-field">
                <Select
                  id={selectId}
                  label="Check every"
                  name="intervalMinutes"
                  options={intervalOptions(settings.intervalMinutes)}
                  value={draft}
                  onChange={(value) => {
                    setDraft(value);
                    setFieldError(undefined);
                    setSaveState({ kind: 'idle' });
                  }}
                  error={fieldError}
                  helpText={fieldError ? undefined : 'More often repairs differences sooner; every 6 hours suits most stores.'}
                />
              </div>
              <Button submit loading={saving} disabled={!dirty}>
                Save interval
              </Button>
            </BlockStack>
          </Form>
          <div aria-live="polite">
            {saveState.kind === 'saved' ? (
              <div data-testid="reconcile-saved">
                <Text as="p" tone="success">
                  {`Saved: the app checks every ${durationLabel(settings.intervalMinutes)}.`}
                </Text>
              </div>
            ) : null}
          </div>
          {saveState.kind === 'error' ? (
            <ApiErrorBanner
              title="The interval was not saved"
              error={saveState.error}
              onDismiss={() => setSaveState({ kind: 'idle' })}
            />
          ) : null}

          <div data-testid="reconcile-last-run">
            <DescriptionList
              gap="tight"
              items={[
                { term: 'Last check', description: <When iso={lastRunAt} empty="Not run yet" /> },
                {
                  term: 'Last finished check',
                  description: lastRun ? runSummary(lastRun) : 'Nothing yet: the first check has not run.',
                },
                { term: 'Next check', description: <When iso={settings.nextRunAt} empty="Not scheduled" /> },
              ]}
            />
          </div>
          {resource.error ? (
            <ApiErrorBanner title="Could not refresh reconciliation" error={resource.error} onRetry={() => void resource.reload()} />
          ) : null}

          <div aria-live="polite">
            {runState.kind === 'done' ? (
              <div data-testid="reconcile-result">
                <Text as="p" tone={runState.run.status === 'failed' ? 'critical' : 'success'}>
                  {`${runState.run.status === 'failed' ? 'Check stopped.' : 'Check finished.'} ${runSummary(runState.run)}`}
                </Text>
              </div>
            ) : null}
            {checking && runState.kind !== 'done' ? (
              <div data-testid="reconcile-running" data-state={settings.currentRun?.state ?? 'queued'}>
                <BlockStack gap="100">
                  <Text as="p" fontWeight="medium">
                    {settings.currentRun ? progressText(settings.currentRun) : 'Queued: the check starts in a moment.'}
                  </Text>
                  <Text as="p" tone="subdued">
                    A check is running. Its result shows here when it ends; you can leave this page meanwhile.
                  </Text>
                </BlockStack>
              </div>
            ) : null}
          </div>
          {runState.kind === 'error' ? (
            <ApiErrorBanner title="The check did not run" error={runState.error} onDismiss={() => setRunState({ kind: 'idle' })} />
          ) : null}
          {settings.blockedBy && !checking ? (
            <div data-testid="reconcile-blocked">
              <Text as="p" tone="caution">
                {settings.blockedBy}
              </Text>
            </div>
          ) : null}
          <InlineStack gap="200" blockAlign="center">
            <Button onClick={() => void runNow()} loading={running} disabled={checking || settings.blockedBy !== null}>
              Run now
            </Button>
            {running ? (
              <Text as="span" tone="subdued">
                Comparing your customers; this can take a minute in a large store.
              </Text>
            ) : null}
          </InlineStack>
        </BlockStack>
      </div>
    </Card>
  );
}
