// Pacing of the sends to edrone. Each app_id has a lane; callers are released
// one at a time in call order on a schedule of slots 1/rate apart, so any
// 1-second window holds about rate+1 sends (90/s by default against edrone's
// 100/s). A release that a late timer delayed is followed by the next slot, but
// never sooner than half an interval, so a stalled event loop cannot turn the
// backlog into a burst. Nothing is dropped. Per process: several worker
// processes each pace alone.

export interface Pacer {
  wait(appId: string): Promise<void>;
  /** After a 429: release nothing more for this app before `ms` from now. */
  pause(appId: string, ms: number): void;
}

interface Lane {
  tail: Promise<void>;
  notBefore: number;
  waiting: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createPacer(ratePerSecond: number, now: () => number = Date.now): Pacer {
  if (!(ratePerSecond > 0)) throw new Error('ratePerSecond must be positive');
  const intervalMs = 1000 / ratePerSecond;
  const lanes = new Map<string, Lane>();

  function lane(appId: string): Lane {
    let found = lanes.get(appId);
    if (!found) {
      // Bounded memory with many shops: idle lanes whose spacing has passed carry nothing.
      if (lanes.size >= 1000) {
        const t = now();
        for (const [id, l] of lanes) if (l.waiting === 0 && l.notBefore < t) lanes.delete(id);
      }
      found = { tail: Promise.resolve(), notBefore: 0, waiting: 0 };
      lanes.set(appId, found);
    }
    return found;
  }

  return {
    wait(appId: string): Promise<void> {
      const l = lane(appId);
      l.waiting += 1;
      const turn = l.tail.then(async () => {
        // Loop: a timer may fire a little early against the wall clock.
        for (let delay = l.notBefore - now(); delay > 0; delay = l.notBefore - now()) await sleep(Math.ceil(delay));
        const t = now();
        // Idle lane (or far behind): start a fresh schedule from now.
        l.notBefore = t - l.notBefore >= intervalMs ? t + intervalMs : Math.max(l.notBefore + intervalMs, t + intervalMs / 2);
        l.waiting -= 1;
      });
      l.tail = turn;
      return turn;
    },
    pause(appId: string, ms: number): void {
      const l = lane(appId);
      l.notBefore = Math.max(l.notBefore, now() + ms);
    },
  };
}
