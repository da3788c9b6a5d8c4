// Loads one GET endpoint and keeps the last good answer while reloading, so polling never flashes a skeleton.
import { useCallback, useEffect, useRef, useState } from 'react';
import { conditionalGet, type ApiError } from '../api.js';

export interface Resource<T> {
  data: T | null;
  error: ApiError | null;
  /** True until the first answer (good or bad) arrives, and again when the path changes. */
  loading: boolean;
  /** True while any request is in flight, including background reloads. */
  refreshing: boolean;
  reload: () => Promise<T | null>;
}

export interface LiveOptions {
  /**
   * Re-reads the path this often while the page is open and visible, with If-None-Match: an unchanged
   * answer costs a 304 and changes nothing on screen.
   */
  pollMs?: number;
  /** While true, a changed answer is held (see `pending`) instead of replacing what is on screen. */
  hold?: boolean;
}

/** `path` null means "do not load yet". */
export function useApiGet<T>(path: string | null, live: LiveOptions = {}): Resource<T> & { pending: boolean; showPending: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState<boolean>(path !== null);
  const [refreshing, setRefreshing] = useState<boolean>(false);
  // Only the newest request may write state: filters change faster than the server answers.
  const latest = useRef(0);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const etag = useRef<{ path: string; tag: string } | null>(null);
  const held = useRef<T | null>(null);
  const [pending, setPending] = useState(false);
  const holdRef = useRef(live.hold ?? false);
  holdRef.current = live.hold ?? false;

  const load = useCallback(async (): Promise<T | null> => {
    if (path === null) return null;
    const ticket = ++latest.current;
    held.current = null;
    setPending(false);
    setRefreshing(true);
    const result = await conditionalGet<T>(path, null);
    const answer = result.ok && !result.notModified ? result.data : null;
    if (!mounted.current || ticket !== latest.current) return answer;
    setRefreshing(false);
    setLoading(false);
    if (result.ok && !result.notModified) {
      etag.current = result.etag ? { path, tag: result.etag } : null;
      setData(result.data);
      setError(null);
      return result.data;
    }
    if (!result.ok) setError(result.error);
    return null;
  }, [path]);

  // Background refresh: no spinner, no state change when nothing changed.
  const poll = useCallback(async (): Promise<void> => {
    if (path === null || document.visibilityState === 'hidden') return;
    const ticket = latest.current;
    const known = etag.current?.path === path ? etag.current.tag : null;
    const result = await conditionalGet<T>(path, known);
    if (!mounted.current || ticket !== latest.current || !result.ok || result.notModified) return;
    if (result.etag) etag.current = { path, tag: result.etag };
    if (holdRef.current) {
      held.current = result.data;
      setPending(true);
      return;
    }
    setData(result.data);
    setError(null);
  }, [path]);

  useEffect(() => {
    if (!live.pollMs) return;
    const id = setInterval(() => void poll(), live.pollMs);
    return () => clearInterval(id);
  }, [poll, live.pollMs]);

  const showPending = useCallback(() => {
    if (held.current !== null) setData(held.current);
    held.current = null;
    setPending(false);
  }, []);

  // Once the pointer leaves (or the detail closes), what arrived meanwhile shows.
  useEffect(() => {
    if (!live.hold && held.current !== null) showPending();
  }, [live.hold, showPending]);

  useEffect(() => {
    setLoading(path !== null);
    void load();
  }, [load, path]);

  return { data, error, loading, refreshing, reload: load, pending, showPending };
}
