// The one action of a setup step: on Setup it points at the field or section to use; on Status it opens
// Setup; the last step starts the initial sync (POST /api/backfill) and opens the Sync tab to follow it.
import { useState } from 'react';
import { BlockStack, Button, InlineStack, Text } from '@shopify/polaris';
import { api, type ApiError } from '../../api.js';
import type { BackfillRunAnswer, SetupGuide, SetupStep } from '../../api-types.js';
import type { TabId } from '../../hooks/use-hash-tab.js';

interface Props {
  step: SetupStep;
  guide: SetupGuide;
  place: 'setup' | 'status';
  onNavigate: (tab: TabId) => void;
}

/** Scrolls to an element of the Setup page and focuses it (or its first field). */
function reveal(selector: string): void {
  const target = document.querySelector<HTMLElement>(selector);
  if (!target) return;
  target.scrollIntoView?.({ behavior: 'smooth', block: 'center' });
  if (!target.matches('input, select, textarea, button, [tabindex]')) target.setAttribute('tabindex', '-1');
  target.focus({ preventScroll: true });
}

export function StepAction({ step, guide, place, onNavigate }: Props) {
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  if (step.state === 'done' && step.id !== 'initial_sync') return null;

  if (step.id === 'credentials' || step.id === 'sync_url') {
    if (place !== 'setup') return <ActionRow label="Open Setup" onClick={() => onNavigate('setup')} />;
    return step.id === 'credentials' ? (
      <ActionRow label="Go to the App ID field" onClick={() => reveal('[name="edroneAppId"]')} />
    ) : (
      <ActionRow label="Show the sync URL" onClick={() => reveal('#connect-edrone')} />
    );
  }

  if (step.id === 'first_request') {
    // On Setup the last request box (Connect edrone) says what edrone sent; elsewhere Setup has it.
    return place === 'setup' ? null : <ActionRow label="Open Setup" onClick={() => onNavigate('setup')} />;
  }

  if (step.state === 'in_progress' || step.state === 'done') {
    return step.state === 'done' ? null : <ActionRow label="View progress" onClick={() => onNavigate('sync')} />;
  }

  const credentials = guide.steps.find((s) => s.id === 'credentials')?.state === 'done';
  const start = async (): Promise<void> => {
    setStarting(true);
    setError(null);
    const result = await api.post<BackfillRunAnswer>('/api/backfill');
    setStarting(false);
    // 409: one is already running, which is what the merchant asked for; the Sync tab shows it.
    if (result.ok || result.error.status === 409) onNavigate('sync');
    else setError(result.error);
  };
  return (
    <BlockStack gap="100">
      <InlineStack>
        <Button variant="primary" onClick={() => void start()} loading={starting} disabled={!credentials}>
          Start initial sync
        </Button>
      </InlineStack>
      <div aria-live="polite">
        {!credentials ? (
          <Text as="p" tone="subdued">
            Save your edrone App ID and App Secret first.
          </Text>
        ) : error ? (
          <Text as="p" tone="critical">
            {`The initial sync did not start. ${error.message}`}
          </Text>
        ) : null}
      </div>
    </BlockStack>
  );
}

function ActionRow({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <InlineStack>
      <Button onClick={onClick}>{label}</Button>
    </InlineStack>
  );
}
