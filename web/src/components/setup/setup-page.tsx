// Setup tab: loads the settings, then shows the form and the edrone connection guide.
import { useState } from 'react';
import { BlockStack, Layout } from '@shopify/polaris';
import type { Settings } from '../../api-types.js';
import { useApiGet } from '../../hooks/use-api-get.js';
import { ApiErrorBanner } from '../common/api-error-banner.js';
import { LoadingSection } from '../common/loading-section.js';
import { ConnectGuide } from './connect-guide.js';
import { SettingsForm } from './settings-form.js';

interface Props {
  /** Called after a successful save so the health summary can refresh. */
  onSaved?: () => void;
}

export function SetupPage({ onSaved }: Props) {
  const resource = useApiGet<Settings>('/api/settings');
  const [saved, setSaved] = useState<Settings | null>(null);
  const [draft, setDraft] = useState<{ appId: string; dirty: boolean } | null>(null);
  const settings = saved ?? resource.data;

  if (resource.loading) return <LoadingSection label="Loading settings" lines={10} />;
  if (!settings) {
    return resource.error ? (
      <ApiErrorBanner title="Settings could not be loaded" error={resource.error} onRetry={() => void resource.reload()} />
    ) : null;
  }

  return (
    <BlockStack gap="500">
      <SettingsForm
        settings={settings}
        onDraftChange={(values, dirty) => setDraft({ appId: values.edroneAppId, dirty })}
        onSaved={(next) => {
          setSaved(next);
          onSaved?.();
        }}
      />
      <Layout>
        <Layout.AnnotatedSection
          id="connect-edrone"
          title="Connect edrone"
          description="Tell edrone where to send subscription changes, so they reach Shopify within seconds. You do this once, in edrone Mission Control."
        >
          <ConnectGuide
            syncUrl={settings.syncUrl}
            appId={draft?.appId ?? settings.edroneAppId ?? ''}
            unsavedChanges={draft?.dirty ?? false}
          />
        </Layout.AnnotatedSection>
      </Layout>
    </BlockStack>
  );
}
