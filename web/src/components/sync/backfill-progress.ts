// Plain-language view of an initial sync run: how far it got and what step it is on.
import type { BackfillRun } from '../../api-types.js';

/** Customers the run has finished with, whatever the outcome. */
export function processed(run: Pick<BackfillRun, 'sent' | 'skipped' | 'failed'>): number {
  return run.sent + run.skipped + run.failed;
}

/**
 * 0–100 for the progress bar. The total is only known once Shopify's export is read, so the bar stays at 0
 * while exporting (the step text says so), then follows sent + skipped + failed over read. It shows 100 only
 * once the run completed, so a finished-looking bar never hides a run that is still writing.
 */
export function backfillPercent(run: Pick<BackfillRun, 'status' | 'phase' | 'read' | 'sent' | 'skipped' | 'failed'>): number {
  if (run.status === 'completed') return 100;
  if (run.phase === 'exporting' || run.read <= 0) return 0;
  const ratio = processed(run) / run.read;
  if (!Number.isFinite(ratio) || ratio <= 0) return 0;
  return Math.min(99, Math.floor(ratio * 100));
}

export function phaseText(run: Pick<BackfillRun, 'phase'>): string {
  if (run.phase === 'exporting') return 'Step 1 of 2: reading your customers from Shopify';
  if (run.phase === 'sending') return 'Step 2 of 2: sending their consent to edrone';
  return 'Finishing up';
}
