// Globals the admin UI reads: App Bridge (CDN script) and the browser-test token hook.
import type { DetailedHTMLProps, HTMLAttributes } from 'react';

/** The part of the App Bridge `shopify` global this app uses. Absent when the CDN script did not load. */
interface ShopifyAppBridge {
  idToken(): Promise<string>;
  /** The store the admin is open for (App Bridge v4). */
  config?: { shop?: string };
  /** The admin's toast, shown at the bottom of the admin. */
  toast?: { show(message: string, options?: { isError?: boolean; duration?: number }): string };
  /** The admin's contextual save bar, driven by a <ui-save-bar id> element. */
  saveBar?: { show(id: string): Promise<void>; hide(id: string): Promise<void>; leaveConfirmation?(): Promise<void> };
}

declare global {
  interface Window {
    shopify?: ShopifyAppBridge;
    /** Test hook: a session token that browser tests inject before the app starts. */
    __SESSION_TOKEN__?: string;
  }
  namespace JSX {
    interface IntrinsicElements {
      /** App Bridge's contextual save bar: its <button>s become the admin's Save / Discard. */
      'ui-save-bar': DetailedHTMLProps<HTMLAttributes<HTMLElement>, HTMLElement>;
    }
  }
}
