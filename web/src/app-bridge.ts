// App Bridge when the admin loaded it, else nothing: every caller has an in-page fallback, because
// the sandbox, the tests and a blocked CDN run the app without it.

/** True when App Bridge's `shopify` global exists (the app runs inside the Shopify admin). */
export function hasAppBridge(): boolean {
  return typeof window !== 'undefined' && window.shopify !== undefined;
}

/** Shows the admin's toast; false when App Bridge (or its toast) is absent and the caller must show its own. */
export function appBridgeToast(message: string, isError: boolean): boolean {
  const toast = window.shopify?.toast;
  if (!toast) return false;
  toast.show(message, { isError });
  return true;
}

/** Shows or hides the admin's save bar for a <ui-save-bar id>; false when App Bridge cannot. */
export function appBridgeSaveBar(id: string, visible: boolean): boolean {
  const bar = window.shopify?.saveBar;
  if (!bar) return false;
  void (visible ? bar.show(id) : bar.hide(id)).catch(() => undefined);
  return true;
}
