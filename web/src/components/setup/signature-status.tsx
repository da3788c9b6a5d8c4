// One line on Setup: which encoding of edrone's signature the app last verified,
// so a merchant (or support) sees that real edrone requests get through.
import { Text } from '@shopify/polaris';
import type { SettingsAnswer } from '../../api-types.js';

const LABELS: Record<NonNullable<SettingsAnswer['edroneSignatureVariant']>, string> = {
  base64_of_hex: 'as documented (base64 of the hex hash)',
  hex: 'as a hexadecimal hash',
  base64_of_digest: 'as base64 of the raw hash',
};

export function SignatureStatus({ variant }: { variant: SettingsAnswer['edroneSignatureVariant'] }) {
  return (
    <div data-testid="signature-status" className="ecs-outside-card">
      <Text as="p" tone={variant ? 'success' : 'subdued'}>
        {variant
          ? `edrone's requests are signed ${LABELS[variant]}; the last one was verified with your App Secret.`
          : 'No signed request from edrone has been received yet.'}
      </Text>
    </div>
  );
}
