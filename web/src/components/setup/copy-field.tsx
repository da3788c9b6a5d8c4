// A read-only text field with a Copy button. The clipboard API can be blocked inside the admin iframe,
// so it falls back to selecting the text and execCommand, and finally tells the merchant to copy by hand.
import { useId, useState } from 'react';
import { Button, Text, TextField } from '@shopify/polaris';

interface Props {
  label: string;
  value: string;
  helpText?: string;
}

type CopyState = 'idle' | 'copied' | 'manual';

async function copyText(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Permission denied (iframe without clipboard-write): try the legacy path.
  }
  if (!input) return false;
  input.focus();
  input.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}

export function CopyField({ label, value, helpText }: Props) {
  const id = useId();
  const [state, setState] = useState<CopyState>('idle');

  const onCopy = async (): Promise<void> => {
    const input = document.getElementById(id);
    const ok = await copyText(value, input instanceof HTMLInputElement ? input : null);
    setState(ok ? 'copied' : 'manual');
  };

  return (
    <div data-testid="copy-field">
      <TextField
        id={id}
        label={label}
        value={value}
        readOnly
        selectTextOnFocus
        monospaced
        autoComplete="off"
        helpText={helpText}
        connectedRight={<Button onClick={() => void onCopy()}>Copy</Button>}
      />
      <div aria-live="polite" className="ecs-copy-status">
        {state === 'copied' ? (
          <Text as="p" tone="success">
            Copied to the clipboard.
          </Text>
        ) : null}
        {state === 'manual' ? (
          <Text as="p" tone="caution">
            Your browser blocked copying. The address is selected: press Ctrl+C (Cmd+C on a Mac) to copy it.
          </Text>
        ) : null}
      </div>
    </div>
  );
}
