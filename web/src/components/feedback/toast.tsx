// Short confirmations ("Settings saved") where the merchant looks: the admin's toast through App Bridge,
// else a toast-like message fixed at the bottom of the window, read out by screen readers (role="status").
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { Button, Text } from '@shopify/polaris';
import { appBridgeToast } from '../../app-bridge.js';

/** How long the fallback stays up, as the admin's toast does. */
export const TOAST_MS = 5_000;

/** `testId`: names the in-page message for browser tests. */
type ShowToast = (message: string, options?: { error?: boolean; testId?: string }) => void;

const ToastContext = createContext<ShowToast>(() => undefined);

/** The function that shows a toast (a no-op outside a ToastProvider). */
export function useToast(): ShowToast {
  return useContext(ToastContext);
}

interface Shown {
  id: number;
  message: string;
  error: boolean;
  testId: string;
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [shown, setShown] = useState<Shown | null>(null);
  const next = useRef(0);

  const show = useCallback<ShowToast>((message, options) => {
    const error = options?.error ?? false;
    if (appBridgeToast(message, error)) return;
    next.current += 1;
    setShown({ id: next.current, message, error, testId: options?.testId ?? 'toast' });
  }, []);

  useEffect(() => {
    if (!shown) return;
    const timer = setTimeout(() => setShown((s) => (s?.id === shown.id ? null : s)), TOAST_MS);
    return () => clearTimeout(timer);
  }, [shown]);

  return (
    <ToastContext.Provider value={show}>
      {children}
      {/* The live region stays in the page so screen readers announce what is put in it. */}
      <div className="ecs-toast-region" role="status" aria-live="polite">
        {shown ? (
          <div key={shown.id} className={`ecs-toast${shown.error ? ' ecs-toast-error' : ''}`} data-testid={shown.testId} data-error={shown.error}>
            <Text as="span" variant="bodyMd">
              {shown.message}
            </Text>
            <Button variant="monochromePlain" onClick={() => setShown(null)} accessibilityLabel="Dismiss message">
              ✕
            </Button>
          </div>
        ) : null}
      </div>
    </ToastContext.Provider>
  );
}
