// Setup tab: the setup guide, then the settings form and the edrone connection guide.
import { useState } from 'react';
import { BlockStack, Layout } from '@shopify/polaris';
import { api } from '../../api.js';
import type { BackfillState, SettingsAnswer, SetupGuide as Guide } from '../../api-types.js';
import { useApiGet } from '../../hooks/use-api-get.js';
import type { TabId } from '../../hooks/use-hash-tab.js';
import { ApiErrorBanner } from '../common/api-error-banner.js';
import { LoadingSection } from '../common/loading-section.js';
import { BackfillOffer } from './backfill-offer.js';
import { ConnectGuide } from './connect-guide.js';
import { SettingsForm } from './settings-form.js';
import { SetupGuide } from './setup-guide.js';
import { SignatureStatus } from './signature-status.js';
import { StorefrontGuide } from './storefront-guide.js';

interface Props {
  /** Called after a successful save so the health summary can refresh. */
  onSaved?: () => void;
  /** Called once the initial sync offered after saving was started, to open the Sync tab. */
  onOpenSync?: () => void;
  /** The setup guide from the status (null while it loads, or outside the app shell). */
  setup?: Guide | null;
  onNavigate?: (tab: TabId) => void;
}

export function SetupPage({ onSaved, onOpenSync, setup = null, onNavigate }: Props) {
  const resource = useApiGet<SettingsAnswer>('/api/settings');
  const [saved, setSaved] = useState<SettingsAnswer | null>(null);
  const [draft, setDraft] = useState<{ appId: string; dirty: boolean } | null>(null);
  const [offerBackfill, setOfferBackfill] = useState(false);
  const settings = saved ?? resource.data;

  if (resource.loading) return <LoadingSection label="Loading settings" lines={10} />;
  if (!settings) {
    return resource.error ? (
      <ApiErrorBanner title="Settings could not be loaded" error={resource.error} onRetry={() => void resource.reload()} />
    ) : null;
  }

  // Offer the initial sync only when it can send something (credentials saved, consent flows to edrone) and
  // this store never ran one. Any failure to ask simply shows no offer.
  const checkBackfill = async (next: SettingsAnswer): Promise<void> => {
    const sendsToEdrone = next.direction === 'both' || next.direction === 'shopify_to_edrone';
    if (!next.edroneAppId || !next.edroneAppSecretSet || !sendsToEdrone) {
      setOfferBackfill(false);
      return;
    }
    const result = await api.get<BackfillState>('/api/backfill');
    if (result.ok && result.data !== null && typeof result.data === 'object' && result.data.run === null) setOfferBackfill(true);
  };

  // While the guide is open, its last step offers the initial sync: no second offer.
  const guideOffers = setup !== null && !setup.complete;

  return (
    <BlockStack gap="500">
      {setup ? <SetupGuide guide={setup} place="setup" onNavigate={(tab) => (tab === 'sync' ? onOpenSync?.() : onNavigate?.(tab))} /> : null}
      {offerBackfill && !guideOffers ? (
        <BackfillOffer
          onDismiss={() => setOfferBackfill(false)}
          onStarted={() => {
            setOfferBackfill(false);
            onOpenSync?.();
          }}
        />
      ) : null}
      <SettingsForm
        settings={settings}
        onDraftChange={(values, dirty) => setDraft({ appId: values.edroneAppId, dirty })}
        onSaved={(next) => {
          setSaved(next);
          onSaved?.();
          void checkBackfill(next);
        }}
      />
      <Layout>
        <Layout.AnnotatedSection
          id="connect-edrone"
          title="Connect edrone"
          description="Tell edrone where to send subscription changes, so they reach Shopify within seconds. You do this once, in edrone Mission Control."
        >
          <ConnectGuide
            // The server sends the URL from install on; edrone can use it only once an App ID is saved.
            syncUrl={settings.edroneAppId !== '' ? settings.syncUrl : null}
            appId={draft?.appId ?? settings.edroneAppId}
            unsavedChanges={draft?.dirty ?? false}
          />
          <SignatureStatus variant={settings.edroneSignatureVariant} />
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection
          id="storefront"
          title="Storefront"
          description="Hide newsletter popups from visitors who already subscribed, using what this app and edrone know."
        >
          <StorefrontGuide />
        </Layout.AnnotatedSection>
      </Layout>
    </BlockStack>
  );
}
