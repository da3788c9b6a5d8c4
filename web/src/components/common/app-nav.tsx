// The in-page tab bar. Real <button role="tab"> elements with arrow-key support (WAI-ARIA tabs pattern),
// so it works with a keyboard and without App Bridge's sidebar menu.
import { useRef, type KeyboardEvent } from 'react';
import { plural } from '../../format.js';
import { TABS, type TabId } from '../../hooks/use-hash-tab.js';

export const TAB_LABELS: Record<TabId, string> = {
  setup: 'Setup',
  status: 'Status',
  activity: 'Activity',
  failures: 'Failures',
  sync: 'Sync',
  customers: 'Customers',
};

export function tabId(tab: TabId): string {
  return `tab-${tab}`;
}

export function panelId(tab: TabId): string {
  return `panel-${tab}`;
}

interface Props {
  current: TabId;
  onSelect: (tab: TabId) => void;
  /** Number of failed changes, shown next to "Failures" so failures are visible from every tab. */
  failures: number;
}

export function AppNav({ current, onSelect, failures }: Props) {
  const refs = useRef<Partial<Record<TabId, HTMLButtonElement | null>>>({});

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const index = TABS.indexOf(current);
    let next: TabId | undefined;
    if (event.key === 'ArrowRight') next = TABS[(index + 1) % TABS.length];
    else if (event.key === 'ArrowLeft') next = TABS[(index - 1 + TABS.length) % TABS.length];
    else if (event.key === 'Home') next = TABS[0];
    else if (event.key === 'End') next = TABS[TABS.length - 1];
    if (!next) return;
    event.preventDefault();
    onSelect(next);
    refs.current[next]?.focus();
  };

  return (
    <div className="ecs-tabs" role="tablist" aria-label="App sections" onKeyDown={onKeyDown}>
      {TABS.map((tab) => {
        const selected = tab === current;
        const showCount = tab === 'failures' && failures > 0;
        return (
          <button
            key={tab}
            ref={(el) => {
              refs.current[tab] = el;
            }}
            type="button"
            role="tab"
            id={tabId(tab)}
            data-testid={`nav-${tab}`}
            aria-selected={selected}
            aria-controls={panelId(tab)}
            aria-describedby={showCount ? 'tab-failures-count' : undefined}
            tabIndex={selected ? 0 : -1}
            className="ecs-tab"
            onClick={() => onSelect(tab)}
          >
            {TAB_LABELS[tab]}
            {showCount ? (
              // Kept out of the accessible name ("Failures") and read as a description instead.
              <span className="ecs-tab-count" aria-hidden="true">
                {failures > 99 ? '99+' : failures}
              </span>
            ) : null}
          </button>
        );
      })}
      {failures > 0 ? (
        <span id="tab-failures-count" hidden>
          {`${plural(failures, 'change', 'changes')} failed to sync`}
        </span>
      ) : null}
    </div>
  );
}
