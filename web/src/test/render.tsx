// Renders a component inside the app's providers (Polaris, toast, unsaved-changes guard), as main.tsx does.
import { render, type RenderResult } from '@testing-library/react';
import type { ReactElement } from 'react';
import { AppProviders } from '../app-providers.js';

export function renderWithPolaris(ui: ReactElement): RenderResult {
  return render(<AppProviders>{ui}</AppProviders>);
}
