// "Connect edrone": the per-shop sync URL to paste into Mission Control, the steps, and a connection test.
import { BlockStack, Card, Text } from '@shopify/polaris';
import { CopyField } from './copy-field.js';
import { EdroneLastRequest } from '../common/edrone-last-request.js';
import { TestConnection } from './test-connection.js';

interface Props {
  syncUrl: string | null;
  /** The App ID currently in the form, for "Test connection". */
  appId: string;
  unsavedChanges: boolean;
}

export function ConnectGuide({ syncUrl, appId, unsavedChanges }: Props) {
  return (
    <Card>
      <div data-testid="connect-guide">
        <BlockStack gap="400">
          {syncUrl ? (
            <CopyField
              label="Sync URL"
              value={syncUrl}
              helpText="This address is secret to your store. Share it only with edrone."
            />
          ) : (
            <Text as="p" tone="caution">
              Save your edrone App ID first; your store's sync URL appears here.
            </Text>
          )}
          <ol className="ecs-steps" aria-label="Steps in edrone Mission Control">
            <li>
              In edrone Mission Control, open <strong>Settings → Integration → Subscription status synchronisation</strong>.
            </li>
            <li>Paste the sync URL above.</li>
            <li>
              Choose version <strong>NATIVE_5</strong> (it includes SMS).
            </li>
            <li>
              Choose <strong>all</strong> statuses. Which of them Shopify applies is set above, under “edrone changes to
              apply in Shopify”.
            </li>
            <li>Save in edrone.</li>
          </ol>
          <TestConnection appId={appId} unsavedChanges={unsavedChanges} />
          <EdroneLastRequest />
        </BlockStack>
      </div>
    </Card>
  );
}
