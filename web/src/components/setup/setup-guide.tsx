// The setup guide (Shopify's App Home setup-guide pattern): a card with "2 of 4 steps done", one expandable
// step at a time with its action. Steps tick from what the server recorded (GET /api/status `setup`), so the
// guide never claims a step the app has not seen. Collapses when done; then it can be reopened or dismissed.
import { useEffect, useState, type ReactNode } from 'react';
import { BlockStack, Box, Button, Card, Icon, InlineStack, ProgressBar, Text } from '@shopify/polaris';
import { CheckCircleIcon, ChevronDownIcon, ChevronUpIcon } from '@shopify/polaris-icons';
import type { SetupGuide as Guide, SetupStep, SetupStepId } from '../../api-types.js';
import { formatCount } from '../../format.js';
import type { TabId } from '../../hooks/use-hash-tab.js';
import { StepAction } from './setup-guide-action.js';

/** Remembered in this browser: a finished guide the merchant dismissed stays away. */
export const DISMISSED_KEY = 'ecs-setup-guide-dismissed';

export const STEP_TEXT: Record<SetupStepId, { title: string; body: string; left: string }> = {
  credentials: {
    title: 'Enter your edrone App ID and App Secret',
    body: 'Copy them from edrone Mission Control under Settings → Integration, and save them on Setup.',
    left: 'save your edrone App ID and App Secret',
  },
  sync_url: {
    title: 'Paste the sync URL in edrone',
    body: "In edrone Mission Control, open Subscription status synchronisation and paste your store's sync URL from Setup → Connect edrone. This step ticks itself when edrone first calls the URL.",
    left: 'paste the sync URL in edrone',
  },
  first_request: {
    title: 'Receive the first change from edrone',
    body: 'Subscribe or unsubscribe a test contact in edrone. This step ticks itself when the app accepts the first request edrone sends to the sync URL.',
    left: 'receive the first change from edrone',
  },
  initial_sync: {
    title: 'Run the initial sync',
    body: 'Send the consent of your existing Shopify customers to edrone once. A customer who unsubscribed is never subscribed again by it.',
    left: 'run the initial sync',
  },
};

/** "run the initial sync" or "paste the sync URL in edrone and run the initial sync". */
export function whatIsLeft(guide: Guide): string {
  const left = guide.steps.filter((s) => s.state !== 'done').map((s) => STEP_TEXT[s.id].left);
  if (left.length <= 1) return left.join('');
  return `${left.slice(0, -1).join(', ')} and ${left[left.length - 1]}`;
}

function readDismissed(): boolean {
  try {
    return window.localStorage.getItem(DISMISSED_KEY) === '1';
  } catch {
    return false;
  }
}

interface Props {
  guide: Guide;
  /** On Setup the actions point at the fields below; elsewhere they open Setup. */
  place: 'setup' | 'status';
  onNavigate: (tab: TabId) => void;
}

export function SetupGuide({ guide, place, onNavigate }: Props) {
  const [open, setOpen] = useState(!guide.complete);
  const [dismissed, setDismissed] = useState(readDismissed);
  const firstOpen = guide.steps.find((s) => s.state !== 'done')?.id ?? null;
  const [expanded, setExpanded] = useState<SetupStepId | null>(firstOpen);

  // A step that just ticked hands over to the next one; a guide that just finished folds away.
  useEffect(() => setExpanded(firstOpen), [firstOpen]);
  useEffect(() => {
    if (guide.complete) setOpen(false);
  }, [guide.complete]);

  if (guide.complete && (place === 'status' || dismissed)) return null;

  const dismiss = (): void => {
    try {
      window.localStorage.setItem(DISMISSED_KEY, '1');
    } catch {
      // Private mode: dismissed for this visit only.
    }
    setDismissed(true);
  };

  return (
    <section className="ecs-setup-guide" data-testid="setup-guide" data-done={guide.done} data-complete={guide.complete} aria-labelledby="setup-guide-title">
      <Card>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="start" gap="200" wrap={false}>
            <BlockStack gap="100">
              <Text as="h2" variant="headingMd" id="setup-guide-title">
                {guide.complete ? 'Setup complete' : 'Setup guide'}
              </Text>
              <Text as="p" tone="subdued">
                {guide.complete
                  ? 'Consent changes now sync between Shopify and edrone. You can open the steps again at any time.'
                  : 'Follow these steps to start syncing consent between Shopify and edrone.'}
              </Text>
            </BlockStack>
            <InlineStack gap="100" wrap={false}>
              {guide.complete ? <Button variant="tertiary" onClick={dismiss}>Dismiss</Button> : null}
              <Button
                variant="tertiary"
                icon={open ? ChevronUpIcon : ChevronDownIcon}
                onClick={() => setOpen(!open)}
                ariaExpanded={open}
                ariaControls="setup-guide-steps"
                accessibilityLabel={open ? 'Hide the setup steps' : 'Show the setup steps'}
              />
            </InlineStack>
          </InlineStack>
          <InlineStack gap="300" blockAlign="center" wrap={false}>
            <Text as="p" variant="bodySm" tone="subdued">
              <span data-testid="setup-guide-progress">{`${formatCount(guide.done)} of ${formatCount(guide.total)} steps done`}</span>
            </Text>
            <div className="ecs-setup-progress">
              <ProgressBar progress={(guide.done / Math.max(guide.total, 1)) * 100} size="small" tone="primary" />
            </div>
          </InlineStack>
          {open ? (
            <ol className="ecs-setup-steps" id="setup-guide-steps">
              {guide.steps.map((step) => (
                <StepRow
                  key={step.id}
                  step={step}
                  expanded={expanded === step.id}
                  onToggle={() => setExpanded(expanded === step.id ? null : step.id)}
                  action={<StepAction step={step} guide={guide} place={place} onNavigate={onNavigate} />}
                />
              ))}
            </ol>
          ) : null}
        </BlockStack>
      </Card>
    </section>
  );
}

function StepRow({ step, expanded, onToggle, action }: { step: SetupStep; expanded: boolean; onToggle: () => void; action: ReactNode }) {
  const text = STEP_TEXT[step.id];
  const done = step.state === 'done';
  const bodyId = `setup-step-${step.id}-body`;
  return (
    <li className="ecs-setup-step" data-testid={`setup-step-${step.id}`} data-state={step.state} data-expanded={expanded}>
      <InlineStack gap="200" blockAlign="start" wrap={false}>
        <span className="ecs-setup-mark" aria-hidden="true">
          {done ? <Icon source={CheckCircleIcon} tone="success" /> : <span className={`ecs-setup-circle${step.state === 'in_progress' ? ' ecs-setup-circle-busy' : ''}`} />}
        </span>
        <Box width="100%">
          <BlockStack gap="200">
            <button type="button" className="ecs-setup-step-title" aria-expanded={expanded} aria-controls={bodyId} onClick={onToggle}>
              <Text as="span" variant="bodyMd" fontWeight={expanded ? 'semibold' : 'regular'}>
                {text.title}
              </Text>
              <span className="ecs-visually-hidden">{done ? ' (done)' : step.state === 'in_progress' ? ' (in progress)' : ' (to do)'}</span>
            </button>
            {expanded ? (
              <div id={bodyId}>
                <BlockStack gap="200">
                  <Text as="p" tone="subdued">
                    {text.body}
                  </Text>
                  {step.detail ? (
                    <Text as="p" tone={done ? 'subdued' : 'caution'}>
                      <span data-testid={`setup-step-${step.id}-detail`}>{step.detail}</span>
                    </Text>
                  ) : null}
                  {action}
                </BlockStack>
              </div>
            ) : null}
          </BlockStack>
        </Box>
      </InlineStack>
    </li>
  );
}
