// Rejected requests are logged aggregated, not one line each (a flood of bad
// requests must not become a flood of log lines): the first of a kind in a
// window is logged, the rest are counted and reported in one line when the
// window closes. A reason is logged at most REASON_MAX characters long, so a
// rejected value is never written out whole.
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';

const REASON_MAX = 120;

export interface RejectionLog {
  record(kind: string, details: { status: number; reason: string; [key: string]: unknown }): void;
  /** Logs what is still counted and stops the timer. */
  close(): void;
}

/** What every inbound route shares: the aggregated log and one per-client limit (one count for all surfaces). */
export interface InboundGuards {
  rejections: RejectionLog;
  perClient: RequestHandler;
}

export function clip(text: string, max = REASON_MAX): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

export function createRejectionLog(logger: Logger, windowMs = 60_000): RejectionLog {
  const counted = new Map<string, number>();
  const flush = () => {
    for (const [kind, more] of counted) {
      if (more > 0) logger.warn({ kind, more, windowMs }, `${more} more requests rejected (${kind}) in the last window`);
    }
    counted.clear();
  };
  const timer = setInterval(flush, windowMs);
  timer.unref();
  return {
    record(kind, details) {
      const seen = counted.get(kind);
      if (seen === undefined) {
        counted.set(kind, 0);
        logger.warn({ ...details, kind, reason: clip(details.reason) }, 'request rejected');
      } else {
        counted.set(kind, seen + 1);
      }
    },
    close() {
      clearInterval(timer);
      flush();
    },
  };
}
