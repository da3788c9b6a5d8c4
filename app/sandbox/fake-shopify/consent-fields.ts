// How the fake answers a customer's consent, per the API version it plays:
// 'current' answers only the 2026-10 fields (defaultEmailAddress, and
// defaultPhoneNumber.smsMarketingConsent), 'legacy' only the older
// emailMarketingConsent / smsMarketingConsent, 'both' (the default) both, as a
// 2026-10 store that still serves the older fields does.
import type { FakeConsent, FakeCustomer } from './store.js';

export type ConsentFieldsMode = 'both' | 'current' | 'legacy';

const upper = (v: string | null) => v?.toUpperCase() ?? null;

function legacyNode(c: FakeConsent) {
  return { marketingState: c.state.toUpperCase(), marketingOptInLevel: upper(c.optInLevel), consentUpdatedAt: c.consentUpdatedAt };
}

/** The consent fields of a customer node (null objects when the customer has no email / phone, as in Shopify). */
export function consentFields(c: FakeCustomer, mode: ConsentFieldsMode): Record<string, unknown> {
  const legacy = {
    emailMarketingConsent: c.email ? legacyNode(c.emailConsent) : null,
    smsMarketingConsent: c.phone ? { ...legacyNode(c.smsConsent), consentCollectedFrom: 'OTHER' } : null,
  };
  const current = {
    defaultEmailAddress: c.email
      ? {
          emailAddress: c.email,
          marketingState: c.emailConsent.state.toUpperCase(),
          marketingOptInLevel: upper(c.emailConsent.optInLevel),
          marketingUpdatedAt: c.emailConsent.consentUpdatedAt,
        }
      : null,
    defaultPhoneNumber: c.phone
      ? {
          phoneNumber: c.phone,
          smsMarketingConsent: {
            state: c.smsConsent.state.toUpperCase(),
            optInLevel: upper(c.smsConsent.optInLevel),
            updatedAt: c.smsConsent.consentUpdatedAt,
            collectedFrom: 'OTHER',
          },
        }
      : null,
  };
  if (mode === 'legacy') return legacy;
  if (mode === 'current') return current;
  return { ...legacy, ...current };
}
