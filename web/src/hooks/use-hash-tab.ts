// In-page navigation kept in the URL hash (#status): works without App Bridge, survives reloads,
// needs no server-side route fallback, and keeps the query string (id_token, shop, host) untouched.
import { useCallback, useEffect, useRef, useState } from 'react';

export const TABS = ['setup', 'status', 'activity', 'failures', 'sync', 'customers'] as const;
export type TabId = (typeof TABS)[number];

function isTab(value: string): value is TabId {
  return (TABS as readonly string[]).includes(value);
}

/**
 * Accepts "#status", "#/status" and "/status" (App Bridge nav links may set the path instead).
 * null: the URL names no tab, and the caller picks one.
 */
export function tabFromLocation(location: Pick<Location, 'hash' | 'pathname'>): TabId | null {
  const fromHash = location.hash.replace(/^#\/?/, '').toLowerCase();
  if (isTab(fromHash)) return fromHash;
  const fromPath = location.pathname.replace(/^\/+|\/+$/g, '').toLowerCase();
  if (isTab(fromPath)) return fromPath;
  return null;
}

/**
 * `allowLeave(next)`: asked before Back / Forward or a nav-menu link changes the tab; when it answers
 * false the URL is put back on the current tab (the caller asks the merchant, then calls navigate).
 */
export function useHashTab(allowLeave?: (next: TabId) => boolean): [TabId | null, (tab: TabId) => void] {
  const [tab, setTab] = useState<TabId | null>(() => tabFromLocation(window.location));
  const current = useRef(tab);
  current.current = tab;
  const allow = useRef(allowLeave);
  allow.current = allowLeave;

  useEffect(() => {
    const sync = (): void => {
      const next = tabFromLocation(window.location);
      // Keep the current tab when the URL names none (e.g. Back to the bare app URL).
      if (next === null || next === current.current) return;
      if (current.current !== null && allow.current && !allow.current(next)) {
        window.history.pushState(null, '', `${window.location.pathname}${window.location.search}#${current.current}`);
        return;
      }
      setTab(next);
    };
    window.addEventListener('hashchange', sync);
    window.addEventListener('popstate', sync);
    return () => {
      window.removeEventListener('hashchange', sync);
      window.removeEventListener('popstate', sync);
    };
  }, []);

  const navigate = useCallback((next: TabId) => {
    setTab(next);
    if (window.location.hash !== `#${next}`) {
      // pushState keeps Back working and does not fire hashchange, so no double render.
      window.history.pushState(null, '', `${window.location.pathname}${window.location.search}#${next}`);
    }
  }, []);

  return [tab, navigate];
}
