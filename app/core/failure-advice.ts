// Why a change could not be synced and what the merchant can do, from the error the job kept
// (its merchant message, see app/errors.ts and the adapters' error mapping). Pure.

export type FailureCategory =
  | 'edrone_rejected'
  | 'edrone_unavailable'
  | 'not_configured'
  | 'shopify_rejected'
  | 'shopify_unavailable'
  | 'shopify_access'
  | 'unreadable'
  | 'bulk_export'
  | 'other';

export interface FailureAdvice {
  category: FailureCategory;
  /** What went wrong, in plain words (edrone's or Shopify's own words kept at the end). */
  reason: string;
  /** What to do about it. */
  action: string;
}

const ACTIONS: Record<FailureCategory, string> = {
  edrone_rejected:
    'Check that the email or phone is valid and that the App ID in Setup is right, then select Retry. If edrone refuses it again, send this message to edrone support.',
  edrone_unavailable: 'Nothing to fix on your side: select Retry once edrone is reachable again.',
  not_configured: 'Enter your edrone App ID and App Secret in Setup, then select Retry.',
  shopify_rejected: 'Check the customer in your Shopify admin (it may have been deleted or changed), then select Retry.',
  shopify_unavailable: 'Nothing to fix on your side: select Retry in a few minutes.',
  shopify_access: 'Open the app from your Shopify admin to reconnect it, then select Retry.',
  unreadable: 'Retrying will not help: make the change again in Shopify or edrone.',
  bulk_export: 'Start the initial sync again from the Sync tab.',
  other: 'Select Retry. If it fails again, contact support with this message.',
};

const PATTERNS: [RegExp, FailureCategory][] = [
  [/^edrone rejected|^No edrone App ID|^A subscribe trace needs/i, 'edrone_rejected'],
  [/^edrone (is unavailable|did not answer|answered HTTP)|^Could not reach edrone/i, 'edrone_unavailable'],
  [/^Enter your edrone App ID/i, 'not_configured'],
  [/no access to this store|denied the app access|access token|access was revoked|reinstall|Open the app from/i, 'shopify_access'],
  [/^Shopify (rejected|refused|answered in an unexpected)|is not a Shopify customer id|user error/i, 'shopify_rejected'],
  [/^(Shopify is temporarily unavailable|Shopify did not answer|Could not reach Shopify)/i, 'shopify_unavailable'],
  [/^The stored job/i, 'unreadable'],
  [/export|initial sync/i, 'bulk_export'],
];

function categoryOf(message: string): FailureCategory {
  return PATTERNS.find(([re]) => re.test(message))?.[1] ?? 'other';
}

const onTry = (n: number) => (n <= 1 ? 'the first try' : `try ${n}`);

/**
 * @param lastError the job's last error (null when none was kept)
 * @param attempts how many times the job ran
 */
export function failureAdvice(lastError: string | null, attempts: number): FailureAdvice {
  const message = lastError?.trim() ?? '';
  if (!message) return { category: 'other', reason: `It failed on ${onTry(attempts)}, without an error message.`, action: ACTIONS.other };
  const category = categoryOf(message);
  const lead: Partial<Record<FailureCategory, string>> = {
    edrone_rejected: `edrone refused this change on ${onTry(attempts)}, so it was not tried again.`,
    edrone_unavailable: `edrone could not be reached: ${attempts === 1 ? 'the one try' : `all ${attempts} tries`} failed.`,
    shopify_rejected: `Shopify refused this change on ${onTry(attempts)}, so it was not tried again.`,
    shopify_unavailable: `Shopify could not be reached: ${attempts === 1 ? 'the one try' : `all ${attempts} tries`} failed.`,
  };
  const reason = lead[category] ? `${lead[category]} ${message}` : message;
  return { category, reason, action: ACTIONS[category] };
}
