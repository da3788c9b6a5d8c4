// Plain-language view of an initial sync run: how far it got and what step it is on.
import type { BackfillRun } from '../../api-types.js';
import { formatCount } from '../../format.js';

type Progress = Pick<BackfillRun, 'status' | 'phase' | 'read' | 'sent' | 'skipped' | 'failed' | 'total'>;

/** Customers the run has finished with, whatever the outcome. */
export function processed(run: Pick<BackfillRun, 'sent' | 'skipped' | 'failed'>): number {
  return run.sent + run.skipped + run.failed;
}

function knownTotal(run: Pick<BackfillRun, 'total'>): number | null {
  return typeof run.total === 'number' && Number.isFinite(run.total) && run.total > 0 ? run.total : null;
}

/**
 * 0–100 for the progress bar. Nothing is known while Shopify's export is being prepared, so the bar stays at
 * 0 (the step text says so). While sending it follows the customers done over the export's size (`total`),
 * or over the customers read when the server does not send a total. It shows 100 only once the run
 * completed, so a full-looking bar never hides a run that is still writing.
 */
export function backfillPercent(run: Progress): number {
  if (run.status === 'completed') return 100;
  if (run.phase === 'exporting') return 0;
  const total = knownTotal(run);
  const ratio = total !== null ? Math.max(processed(run), run.read) / total : run.read > 0 ? processed(run) / run.read : 0;
  if (!Number.isFinite(ratio) || ratio <= 0) return 0;
  return Math.min(99, Math.floor(ratio * 100));
}

export function phaseText(run: Pick<BackfillRun, 'phase' | 'read' | 'sent' | 'skipped' | 'failed' | 'total'>): string {
  if (run.phase === 'exporting') {
    const soFar = run.read > 0 ? ` (${formatCount(run.read)} so far)` : '';
    return `Step 1 of 2: Shopify is preparing the list of your customers${soFar}`;
  }
  if (run.phase === 'sending') {
    const total = knownTotal(run);
    const done = total !== null ? ` (${formatCount(processed(run))} of ${formatCount(total)} customers)` : '';
    return `Step 2 of 2: sending their consent to edrone${done}`;
  }
  return 'Finishing up';
}
