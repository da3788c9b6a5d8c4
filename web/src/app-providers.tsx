// What every page may use, around the app in main.tsx and around components in tests: Polaris, the toast
// and the unsaved-changes guard.
import { AppProvider } from '@shopify/polaris';
import en from '@shopify/polaris/locales/en.json' with { type: 'json' };
import type { ReactNode } from 'react';
import { ToastProvider } from './components/feedback/toast.js';
import { UnsavedChangesProvider } from './components/feedback/unsaved-changes.js';

export function AppProviders({ children }: { children: ReactNode }) {
  return (
    <AppProvider i18n={en}>
      <ToastProvider>
        <UnsavedChangesProvider>{children}</UnsavedChangesProvider>
      </ToastProvider>
    </AppProvider>
  );
}
