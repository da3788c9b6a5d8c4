// Calls `callback` every `ms` while `active`; the latest callback is used without restarting the timer.
import { useEffect, useRef } from 'react';

export function useInterval(callback: () => void, ms: number, active: boolean): void {
  const saved = useRef(callback);
  saved.current = callback;
  useEffect(() => {
    if (!active) return undefined;
    const id = setInterval(() => saved.current(), ms);
    return () => clearInterval(id);
  }, [ms, active]);
}
