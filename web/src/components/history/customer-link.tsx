// The customer cell of Activity: the email or phone, as a link to that customer's consent history.
import { Button } from '@shopify/polaris';
import type { MouseEvent } from 'react';
import { openCustomerHistory } from './open-history.js';

export function CustomerHistoryLink({ identity }: { identity: string }) {
  return (
    <span
      data-testid="customer-history-link"
      onClick={(e: MouseEvent) => e.stopPropagation()}
      onKeyDown={(e) => e.stopPropagation()}
      role="presentation"
      className="ecs-email"
    >
      <Button variant="plain" textAlign="start" onClick={() => openCustomerHistory(identity)} accessibilityLabel={`Consent history of ${identity}`}>
        {identity}
      </Button>
    </span>
  );
}
