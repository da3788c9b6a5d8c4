// Loads one GET endpoint and keeps the last good answer while reloading, so polling never flashes a skeleton.
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type ApiError } from '../api.js';

export interface Resource<T> {
  data: T | null;
  error: ApiError | null;
  /** True until the first answer (good or bad) arrives, and again when the path changes. */
  loading: boolean;
  /** True while any request is in flight, including background reloads. */
  refreshing: boolean;
  reload: () => Promise<T | null>;
}

/** `path` null means "do not load yet". */
export function useApiGet<T>(path: string | null): Resource<T> {
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

  const load = useCallback(async (): Promise<T | null> => {
    if (path === null) return null;
    const ticket = ++latest.current;
    setRefreshing(true);
    const result = await api.get<T>(path);
    if (!mounted.current || ticket !== latest.current) return result.ok ? result.data : null;
    setRefreshing(false);
    setLoading(false);
    if (result.ok) {
      setData(result.data);
      setError(null);
      return result.data;
    }
    setError(result.error);
    return null;
  }, [path]);

  useEffect(() => {
    setLoading(path !== null);
    void load();
  }, [load, path]);

  return { data, error, loading, refreshing, reload: load };
}
