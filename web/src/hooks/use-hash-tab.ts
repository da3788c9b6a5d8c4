// In-page navigation kept in the URL hash (#status): works without App Bridge, survives reloads,
// needs no server-side route fallback, and keeps the query string (id_token, shop, host) untouched.
import { useCallback, useEffect, useState } from 'react';

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

export function useHashTab(): [TabId | null, (tab: TabId) => void] {
  const [tab, setTab] = useState<TabId | null>(() => tabFromLocation(window.location));

  useEffect(() => {
    // Keep the current tab when the URL names none (e.g. Back to the bare app URL).
    const sync = (): void => setTab((current) => tabFromLocation(window.location) ?? current);
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
