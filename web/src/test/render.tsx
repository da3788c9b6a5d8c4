// Renders a component inside Polaris' AppProvider, as main.tsx does.
import { AppProvider } from '@shopify/polaris';
import en from '@shopify/polaris/locales/en.json' with { type: 'json' };
import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';

export function renderWithPolaris(ui: ReactElement): RenderResult {
  return render(<AppProvider i18n={en}>{ui}</AppProvider>);
}
