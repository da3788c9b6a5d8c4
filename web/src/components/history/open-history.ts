// How other tabs open a customer's consent history: the customer is handed over
// in sessionStorage and the Customers tab is opened through the URL hash.
export const HISTORY_CUSTOMER_KEY = 'ecs.history.customer';
export const HISTORY_TAB_HASH = '#customers';

export function openCustomerHistory(customer: string): void {
  try {
    window.sessionStorage.setItem(HISTORY_CUSTOMER_KEY, customer);
  } catch {
    // Storage can be off (private mode): the tab still opens, with an empty search box.
  }
  window.dispatchEvent(new CustomEvent('ecs:history', { detail: customer }));
  if (window.location.hash !== HISTORY_TAB_HASH) window.location.hash = HISTORY_TAB_HASH;
}

export function takeRequestedCustomer(): string | null {
  try {
    return window.sessionStorage.getItem(HISTORY_CUSTOMER_KEY);
  } catch {
    return null;
  }
}
