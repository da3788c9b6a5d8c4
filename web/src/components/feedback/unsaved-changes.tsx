// Unsaved edits are never lost without a word: a form reports that it has edits, and leaving (another tab
// in the app, or closing / reloading the page) asks first.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Modal, Text } from '@shopify/polaris';

interface Guard {
  /** Called by the form with edits (true) or none (false). */
  setDirty: (dirty: boolean) => void;
  /** Runs `leave` now when nothing is unsaved, else after the merchant chose to discard the edits. */
  confirmLeave: (leave: () => void) => void;
  /** True while a form holds unsaved edits. */
  isDirty: () => boolean;
}

const GuardContext = createContext<Guard>({ setDirty: () => undefined, confirmLeave: (leave) => leave(), isDirty: () => false });

export function useUnsavedChangesGuard(): Guard {
  return useContext(GuardContext);
}

/** Reports a form's unsaved edits to the guard while it is mounted (unmounting drops them). */
export function useReportUnsaved(dirty: boolean): void {
  const { setDirty } = useUnsavedChangesGuard();
  useEffect(() => {
    setDirty(dirty);
  }, [dirty, setDirty]);
  useEffect(() => () => setDirty(false), [setDirty]);
}

export function UnsavedChangesProvider({ children }: { children: ReactNode }) {
  const dirty = useRef(false);
  const [pending, setPending] = useState<(() => void) | null>(null);
  const [dirtyState, setDirtyState] = useState(false);

  const setDirty = useCallback((value: boolean) => {
    dirty.current = value;
    setDirtyState(value);
  }, []);

  const confirmLeave = useCallback((leave: () => void) => {
    if (!dirty.current) leave();
    else setPending(() => leave);
  }, []);

  // Closing or reloading the page: the browser asks with its own dialog (its text cannot be set).
  useEffect(() => {
    if (!dirtyState) return;
    const onBeforeUnload = (event: BeforeUnloadEvent): void => {
      event.preventDefault();
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirtyState]);

  const guard = useMemo<Guard>(() => ({ setDirty, confirmLeave, isDirty: () => dirty.current }), [setDirty, confirmLeave]);

  const leave = (): void => {
    const go = pending;
    setPending(null);
    setDirty(false);
    go?.();
  };

  return (
    <GuardContext.Provider value={guard}>
      {children}
      <Modal
        open={pending !== null}
        onClose={() => setPending(null)}
        title="Leave without saving?"
        primaryAction={{ content: 'Leave and discard changes', destructive: true, onAction: leave }}
        secondaryActions={[{ content: 'Keep editing', onAction: () => setPending(null) }]}
      >
        <Modal.Section>
          <Text as="p">Your changes to the settings are not saved. If you leave now, they are lost.</Text>
        </Modal.Section>
      </Modal>
    </GuardContext.Provider>
  );
}
