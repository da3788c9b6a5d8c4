// The Admin GraphQL documents the sync sends, and the search syntax it builds.
// Customer.email / .phone are read for identity. Consent is read from the fields the
// API version has: the current ones where it has them (defaultEmailAddress since
// 2025-04; defaultPhoneNumber.smsMarketingConsent since 2026-10, where the flat
// phone marketing fields are deprecated), and the older emailMarketingConsent /
// smsMarketingConsent always, for stores and versions that answer only those.
// admin-responses.ts prefers the current fields when both come back.

/** "2026-10" -> 202610; "unstable" counts as the newest. */
function versionNumber(apiVersion: string): number {
  const m = /^(\d{4})-(\d{2})$/.exec(apiVersion);
  return m ? Number(m[1]) * 100 + Number(m[2]) : Number.POSITIVE_INFINITY;
}

/** The consent selection of a customer for an API version. */
export function consentSelection(apiVersion: string): string {
  const v = versionNumber(apiVersion);
  const lines = [
    'emailMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt }',
    'smsMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt }',
  ];
  if (v >= 202504) lines.push('defaultEmailAddress { emailAddress marketingState marketingOptInLevel marketingUpdatedAt }');
  if (v >= 202610) lines.push('defaultPhoneNumber { phoneNumber smsMarketingConsent { state optInLevel updatedAt collectedFrom } }');
  return lines.join('\n    ');
}

/** Every customer document of one API version. */
export function customerDocuments(apiVersion: string) {
  const fields = `id
    email
    phone
    updatedAt
    ${consentSelection(apiVersion)}`;

  /** A mutation that takes one `$input` and answers with the customer and its userErrors. */
  const customerMutation = (field: string, inputType: string, userErrorFields: string): string => {
    const operation = `${field.charAt(0).toUpperCase()}${field.slice(1)}`;
    return `mutation ${operation}($input: ${inputType}!) {
  ${field}(input: $input) {
    customer {
    ${fields}
    }
    userErrors { ${userErrorFields} }
  }
}`;
  };

  return {
    CUSTOMER_BY_IDENTIFIER: `query CustomerByIdentifier($identifier: CustomerIdentifierInput!) {
  customerByIdentifier(identifier: $identifier) {
    ${fields}
  }
}`,
    EMAIL_CONSENT_UPDATE: customerMutation(
      'customerEmailMarketingConsentUpdate',
      'CustomerEmailMarketingConsentUpdateInput',
      'field message code',
    ),
    SMS_CONSENT_UPDATE: customerMutation('customerSmsMarketingConsentUpdate', 'CustomerSmsMarketingConsentUpdateInput', 'field message code'),
    CUSTOMER_CREATE: customerMutation('customerCreate', 'CustomerInput', 'field message'),
    /** The bulk export of the backfill: one JSONL line per customer (no nested connection). */
    CUSTOMER_EXPORT_QUERY: `{
  customers {
    edges {
      node {
        id
        email
        phone
        ${consentSelection(apiVersion)}
      }
    }
  }
}`,
    CUSTOMERS_UPDATED_SINCE: `query CustomersUpdatedSince($first: Int!, $after: String, $query: String!) {
  customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    edges {
      node {
    ${fields}
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
  };
}

const BULK_OPERATION_FIELDS = 'id status url objectCount errorCode';

export const BULK_OPERATION_RUN_QUERY = `mutation BulkOperationRunQuery($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { ${BULK_OPERATION_FIELDS} }
    userErrors { field message code }
  }
}`;

export const BULK_OPERATION_BY_ID = `query BulkOperationById($id: ID!) {
  node(id: $id) {
    ... on BulkOperation { ${BULK_OPERATION_FIELDS} }
  }
}`;

// `uri` is the current field (2025-10+); `endpoint` is deprecated but still served, and
// names the kind of destination.
const WEBHOOK_SUBSCRIPTION_FIELDS = `id
    topic
    uri
    endpoint {
      __typename
      ... on WebhookHttpEndpoint { callbackUrl }
      ... on WebhookEventBridgeEndpoint { arn }
      ... on WebhookPubSubEndpoint { pubSubProject pubSubTopic }
    }
    apiVersion { handle }
    createdAt
    format
    includeFields
    filter`;

export const WEBHOOK_SUBSCRIPTIONS = `query WebhookSubscriptions($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    edges {
      node {
    ${WEBHOOK_SUBSCRIPTION_FIELDS}
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const WEBHOOK_SUBSCRIPTION_CREATE = `mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription {
    ${WEBHOOK_SUBSCRIPTION_FIELDS}
    }
    userErrors { field message }
  }
}`;

export const WEBHOOK_SUBSCRIPTION_DELETE = `mutation WebhookSubscriptionDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}`;

/** Shopify's search syntax for "updated at or after": customers(query:). */
export function updatedSinceQuery(since: Date, inclusive = false): string {
  return `updated_at:>${inclusive ? '=' : ''}'${since.toISOString().replace(/\.\d{3}Z$/, 'Z')}'`;
}
