// Fixed-window request counters, in memory: a bound on how often one key (a
// shop, a client) may be answered. Per process; with N web processes the
// effective limit is N times this, which is still a bound.
export interface WindowLimiter {
  /** Counts one request for key: ok, or how many seconds until the window resets. */
  take(key: string, now?: number): { ok: true } | { ok: false; retryAfterSeconds: number };
}

export function createWindowLimiter(options: { limit: number; windowMs: number; maxKeys?: number }): WindowLimiter {
  const maxKeys = options.maxKeys ?? 50_000;
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(key, now = Date.now()) {
      let w = windows.get(key);
      if (!w || now - w.start >= options.windowMs) {
        if (!w && windows.size >= maxKeys) {
          // Too many clients in one window: drop the expired ones, else the oldest.
          for (const [k, v] of windows) if (now - v.start >= options.windowMs) windows.delete(k);
          if (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string);
        }
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      w.count += 1;
      if (w.count <= options.limit) return { ok: true };
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((w.start + options.windowMs - now) / 1000)) };
    },
  };
}
