// Which access scopes the sync needs, and what a narrower grant means for the
// merchant. Pure: the app/scopes_update handler applies the verdict.

/** write_customers includes read_customers in Shopify, so either form of the grant counts. */
export const REQUIRED_SCOPES = ['read_customers', 'write_customers'] as const;

/** Why sync must pause with these granted scopes, in merchant words; null when they are enough. */
export function scopesBlockReason(granted: readonly string[]): string | null {
  const have = new Set(granted.map((s) => s.trim().toLowerCase()));
  // A write scope implies its read scope (Shopify lists only write_customers when both are granted).
  if (have.has('write_customers')) have.add('read_customers');
  const missing = REQUIRED_SCOPES.filter((s) => !have.has(s));
  if (missing.length === 0) return null;
  return `The app's access to this store was narrowed: it no longer has ${missing.join(' and ')}, so consent sync is paused. Open the app from your Shopify admin and approve the requested access to resume.`;
}

/** True for a reason scopesBlockReason wrote (only those are lifted when the scopes come back). */
export function isScopesBlock(reason: string | null | undefined): boolean {
  return Boolean(reason?.startsWith("The app's access to this store was narrowed"));
}
