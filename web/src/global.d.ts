// Globals the admin UI reads: App Bridge (CDN script) and the browser-test token hook.
export {};

/** The part of the App Bridge `shopify` global this app uses. Absent when the CDN script did not load. */
interface ShopifyAppBridge {
  idToken(): Promise<string>;
  /** The store the admin is open for (App Bridge v4). */
  config?: { shop?: string };
}

declare global {
  interface Window {
    shopify?: ShopifyAppBridge;
    /** Test hook: a session token that browser tests inject before the app starts. */
    __SESSION_TOKEN__?: string;
  }
}
