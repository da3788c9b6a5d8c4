// The contextual save bar: shown while a form has unsaved edits. Inside the Shopify admin it is App Bridge's
// bar (<ui-save-bar>, which also holds back the admin's navigation); without App Bridge, an in-page bar
// that sticks to the top of the window with the same two buttons.
import { useEffect } from 'react';
import { Button, InlineStack, Text } from '@shopify/polaris';
import { appBridgeSaveBar, hasAppBridge } from '../../app-bridge.js';

interface Props {
  id: string;
  dirty: boolean;
  saving: boolean;
  onSave: () => void;
  onDiscard: () => void;
}

export function SaveBar({ id, dirty, saving, onSave, onDiscard }: Props) {
  const inAdmin = hasAppBridge();

  useEffect(() => {
    if (inAdmin) appBridgeSaveBar(id, dirty);
  }, [inAdmin, id, dirty]);
  useEffect(() => () => void appBridgeSaveBar(id, false), [id]);

  if (inAdmin) {
    return (
      <ui-save-bar id={id}>
        <button type="button" {...{ variant: 'primary' }} onClick={onSave} {...(saving ? { loading: '' } : {})}>
          Save
        </button>
        <button type="button" onClick={onDiscard} disabled={saving}>
          Discard
        </button>
      </ui-save-bar>
    );
  }
  if (!dirty) return null;
  return (
    <div className="ecs-save-bar" data-testid="save-bar" role="region" aria-label="Unsaved changes">
      <InlineStack align="space-between" blockAlign="center" gap="200" wrap={false}>
        <Text as="p" variant="headingSm">
          Unsaved changes
        </Text>
        <InlineStack gap="200" wrap={false}>
          <Button onClick={onDiscard} disabled={saving}>
            Discard
          </Button>
          <Button variant="primary" onClick={onSave} loading={saving}>
            Save
          </Button>
        </InlineStack>
      </InlineStack>
    </div>
  );
}
