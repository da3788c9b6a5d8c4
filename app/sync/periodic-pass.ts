// A pass a worker process runs every few seconds or minutes (the reconciliation
// scheduler, retention): one pass at a time in this process, failures logged,
// the timer never keeps the process alive.
import { coerceError } from '../errors.js';
import type { Logger } from '../logger.js';

export interface PeriodicPass<T> {
  start(): void;
  stop(): void;
  /** One pass now (or the one already under way). */
  tick(now?: Date): Promise<T>;
  /** True after stop(): a long pass checks it between its steps. */
  readonly stopped: boolean;
}

export function createPeriodicPass<T>(pass: (now: Date) => Promise<T>, options: { intervalMs: number; logger: Logger; what: string }): PeriodicPass<T> {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<T> | null = null;
  let stopped = false;
  const periodic: PeriodicPass<T> = {
    get stopped() {
      return stopped;
    },
    start() {
      if (timer) return;
      stopped = false;
      timer = setInterval(() => {
        void periodic.tick().catch((e: unknown) => options.logger.error({ err: coerceError(e).message }, `${options.what} failed`));
      }, options.intervalMs);
      timer.unref();
    },
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
    },
    tick(now = new Date()) {
      running ??= pass(now).finally(() => {
        running = null;
      });
      return running;
    },
  };
  return periodic;
}
