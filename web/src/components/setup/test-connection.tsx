// "Test connection": asks the server to try the saved edrone credentials and shows the answer as a banner.
import { useState } from 'react';
import { Banner, BlockStack, Button, InlineStack, Text } from '@shopify/polaris';
import { api, type ApiError } from '../../api.js';
import type { TestConnectionAnswer } from '../../api-types.js';

interface Props {
  /** The App ID as typed in the form (maybe unsaved); the server tests the saved one when empty. */
  appId: string;
  unsavedChanges: boolean;
}

type Outcome = { kind: 'result'; result: TestConnectionAnswer } | { kind: 'error'; error: ApiError };

export function TestConnection({ appId, unsavedChanges }: Props) {
  const [testing, setTesting] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const run = async (): Promise<void> => {
    setTesting(true);
    setOutcome(null);
    const typed = appId.trim();
    const answer = await api.post<TestConnectionAnswer>('/api/settings/test-connection', typed ? { edroneAppId: typed } : {});
    setTesting(false);
    setOutcome(answer.ok ? { kind: 'result', result: answer.data } : { kind: 'error', error: answer.error });
  };

  return (
    <BlockStack gap="300">
      <InlineStack gap="300" blockAlign="center">
        <Button onClick={() => void run()} loading={testing}>
          Test App ID
        </Button>
        {unsavedChanges ? (
          <Text as="span" tone="subdued">
            Tests the App ID typed above. Save to keep your changes.
          </Text>
        ) : null}
      </InlineStack>
      <div aria-live="polite" data-testid="test-connection-result">
        {outcome?.kind === 'result' && outcome.result.ok ? (
          <Banner tone="success" title="edrone recognised the App ID" onDismiss={() => setOutcome(null)}>
            <Text as="p">
              This test checks the App ID only. The App Secret is checked each time edrone calls the sync URL: see
              “Last request from edrone”.
            </Text>
          </Banner>
        ) : null}
        {outcome?.kind === 'result' && !outcome.result.ok ? (
          <Banner tone="critical" title="edrone did not recognise the App ID" onDismiss={() => setOutcome(null)}>
            <Text as="p">{outcome.result.reason}</Text>
          </Banner>
        ) : null}
        {outcome?.kind === 'error' ? (
          <Banner tone="critical" title="The connection test did not run" onDismiss={() => setOutcome(null)}>
            <Text as="p">{outcome.error.message}</Text>
          </Banner>
        ) : null}
      </div>
    </BlockStack>
  );
}
