// The sync health at a glance: a badge with the state and a banner with the server's reason and what to do.
// Amber "some changes failed" (a few changes wait under Failures, the rest go through) is not red
// "sync is failing" (the latest changes fail): the rule is app/core/sync-health.ts.
import { Badge, Banner, BlockStack, InlineStack, Text } from '@shopify/polaris';
import type { HealthState } from '../../api-types.js';
import type { TabId } from '../../hooks/use-hash-tab.js';

type BannerTone = 'success' | 'warning' | 'critical' | 'info';
type BadgeTone = 'success' | 'attention' | 'critical' | 'info';

const LOOK: Record<HealthState, { badge: string; badgeTone: BadgeTone; tone: BannerTone; title: string; fallback: string }> = {
  healthy: {
    badge: 'Healthy',
    badgeTone: 'success',
    tone: 'success',
    title: 'Sync is working',
    fallback: 'Subscribes and unsubscribes are passed on within seconds.',
  },
  paused: {
    badge: 'Paused',
    badgeTone: 'attention',
    tone: 'warning',
    title: 'Sync is paused',
    fallback: 'Nothing is sent either way until you choose a sync direction in Setup.',
  },
  some_failed: {
    badge: 'Some failed',
    badgeTone: 'attention',
    tone: 'warning',
    title: 'Some changes failed',
    fallback: 'A few changes could not be synced; the others go through. Review them under Failures.',
  },
  failing: {
    badge: 'Failing',
    badgeTone: 'critical',
    tone: 'critical',
    title: 'Sync is failing',
    fallback: 'The latest changes could not be synced. Review them under Failures.',
  },
  not_configured: {
    badge: 'Not set up',
    badgeTone: 'info',
    tone: 'info',
    title: 'Finish setting up',
    fallback: 'Enter your edrone App ID and App Secret, then paste the sync URL into edrone.',
  },
};

interface Props {
  state: HealthState;
  reason: string | null;
  failures: number;
  onNavigate: (tab: TabId) => void;
}

export function HealthBanner({ state, reason, failures, onNavigate }: Props) {
  const look = LOOK[state] ?? LOOK.failing;
  const action =
    (state === 'failing' || state === 'some_failed') && failures > 0
      ? { content: 'Review failures', onAction: () => onNavigate('failures') }
      : state === 'paused' || state === 'not_configured'
        ? { content: 'Open Setup', onAction: () => onNavigate('setup') }
        : undefined;
  return (
    <div data-testid="health" data-state={state} data-tone={look.tone}>
      <Banner tone={look.tone} title={look.title} action={action}>
        <BlockStack gap="200">
          <InlineStack gap="200" blockAlign="center">
            <Text as="span" visuallyHidden>
              Health:
            </Text>
            <span data-testid="health-badge">
              <Badge tone={look.badgeTone}>{look.badge}</Badge>
            </span>
          </InlineStack>
          <Text as="p">{reason && reason.trim() !== '' ? reason : look.fallback}</Text>
        </BlockStack>
      </Banner>
    </div>
  );
}
