// The Admin GraphQL documents the sync sends, and the search syntax it builds.
// Customer.email / .phone are read for identity; consent comes from
// emailMarketingConsent / smsMarketingConsent (present in 2026-07).

const CUSTOMER_FIELDS = `id
    email
    phone
    updatedAt
    emailMarketingConsent { marketingState consentUpdatedAt }
    smsMarketingConsent { marketingState consentUpdatedAt }`;

export const CUSTOMER_BY_IDENTIFIER = `query CustomerByIdentifier($identifier: CustomerIdentifierInput!) {
  customerByIdentifier(identifier: $identifier) {
    ${CUSTOMER_FIELDS}
  }
}`;

/** A mutation that takes one `$input` and answers with the customer and its userErrors. */
function customerMutation(field: string, inputType: string, userErrorFields: string): string {
  const operation = `${field.charAt(0).toUpperCase()}${field.slice(1)}`;
  return `mutation ${operation}($input: ${inputType}!) {
  ${field}(input: $input) {
    customer {
    ${CUSTOMER_FIELDS}
    }
    userErrors { ${userErrorFields} }
  }
}`;
}

export const EMAIL_CONSENT_UPDATE = customerMutation(
  'customerEmailMarketingConsentUpdate',
  'CustomerEmailMarketingConsentUpdateInput',
  'field message code',
);

export const SMS_CONSENT_UPDATE = customerMutation(
  'customerSmsMarketingConsentUpdate',
  'CustomerSmsMarketingConsentUpdateInput',
  'field message code',
);

export const CUSTOMER_CREATE = customerMutation('customerCreate', 'CustomerInput', 'field message');

/** The bulk export of the backfill: one JSONL line per customer (no nested connection). */
export const CUSTOMER_EXPORT_QUERY = `{
  customers {
    edges {
      node {
        id
        email
        phone
        emailMarketingConsent { marketingState consentUpdatedAt }
        smsMarketingConsent { marketingState consentUpdatedAt }
      }
    }
  }
}`;

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

export const CUSTOMERS_UPDATED_SINCE = `query CustomersUpdatedSince($first: Int!, $after: String, $query: String!) {
  customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    edges {
      node {
    ${CUSTOMER_FIELDS}
      }
    }
    pageInfo { hasNextPage endCursor }
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
