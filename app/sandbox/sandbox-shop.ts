/** The demo shop and edrone account of the local sandbox. */
export const SANDBOX_SHOP = 'sandbox-store.myshopify.com';
export const SANDBOX_EDRONE_APP_ID = 'sandbox-app-id';
