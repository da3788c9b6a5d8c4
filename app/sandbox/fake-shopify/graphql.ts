// The Admin GraphQL operations the app's client sends, recognised loosely by their
// root field name and answered from the FakeStore with Shopify's response shapes.
import { z } from 'zod';
import type { Channel } from '../../core/types.js';
import {
  SETTABLE_STATES,
  UserInputError,
  shopifyTime,
  type FakeConsent,
  type FakeCustomer,
  type FakeStore,
  type FakeWebhookSubscription,
  type OptInLevel,
} from './store.js';
import type { FakeBulkOperations } from './bulk.js';
import { consentFields, type ConsentFieldsMode } from './consent-fields.js';

/** Base cost of each operation; connections add one point per requested node (`first`). */
export const OPERATION_COSTS = {
  customerByIdentifier: 2,
  customerEmailMarketingConsentUpdate: 10,
  customerSmsMarketingConsentUpdate: 10,
  customerCreate: 10,
  bulkOperationRunQuery: 10,
  currentBulkOperation: 1,
  node: 1,
  customers: 2,
  webhookSubscriptions: 2,
  webhookSubscriptionCreate: 10,
  webhookSubscriptionDelete: 10,
} as const;
export type OperationName = keyof typeof OPERATION_COSTS;

const CONNECTIONS: readonly OperationName[] = ['customers', 'webhookSubscriptions'];

/** What a call costs: the base cost, plus `first` for a connection (as Shopify charges per node). */
export function operationCost(name: OperationName, vars: unknown): number {
  const base = OPERATION_COSTS[name];
  if (!CONNECTIONS.includes(name)) return base;
  const first = (vars as { first?: unknown } | null | undefined)?.first;
  return base + (typeof first === 'number' && first > 0 ? Math.min(first, 250) : 0);
}

/** The root field the document calls, e.g. `customerCreate(` (case-sensitive, so `CustomerCreate` operation names do not match). */
export function detectOperation(query: string): OperationName | null {
  let found: { name: OperationName; at: number } | null = null;
  for (const name of Object.keys(OPERATION_COSTS) as OperationName[]) {
    // currentBulkOperation may be called without arguments; every other root field takes some.
    const at = new RegExp(`\\b${name}\\s*${name === 'currentBulkOperation' ? '[({]' : '\\('}`).exec(query)?.index;
    if (at !== undefined && (!found || at < found.at)) found = { name, at };
  }
  return found?.name ?? null;
}

export interface GraphqlContext {
  store: FakeStore;
  bulk: FakeBulkOperations;
  apiVersion: string;
  /** Which consent fields customer nodes carry (consent-fields.ts). */
  consentFields?: ConsentFieldsMode;
  shop: string;
  /** Called after a consent actually changed, once per channel. */
  onConsentChange(customer: FakeCustomer, channel: Channel): void;
}

export interface GraphqlError {
  message: string;
  extensions?: Record<string, unknown>;
}

export type GraphqlOutcome = { data: Record<string, unknown> } | { errors: GraphqlError[] };

class VariableError extends Error {}

// ---------------------------------------------------------------------------
// Inputs

const MARKETING_STATES = ['SUBSCRIBED', 'UNSUBSCRIBED', 'PENDING', 'NOT_SUBSCRIBED', 'REDACTED', 'INVALID'] as const;
const OPT_IN_LEVELS = ['SINGLE_OPT_IN', 'CONFIRMED_OPT_IN', 'UNKNOWN'] as const;

const consentInputSchema = z.object({
  marketingState: z.enum(MARKETING_STATES),
  marketingOptInLevel: z.enum(OPT_IN_LEVELS).nullish(),
  consentUpdatedAt: z.iso.datetime({ offset: true }).nullish(),
  sourceLocationId: z.string().nullish(),
});
type ConsentInput = z.infer<typeof consentInputSchema>;

const identifierSchema = z
  .object({ emailAddress: z.string().optional(), phoneNumber: z.string().optional(), id: z.string().optional() })
  .refine((i) => Object.values(i).filter((v) => v !== undefined).length === 1, 'exactly one identifier is required');

const emailConsentVariables = z.object({
  input: z.object({ customerId: z.string(), emailMarketingConsent: consentInputSchema }),
});
const smsConsentVariables = z.object({
  input: z.object({ customerId: z.string(), smsMarketingConsent: consentInputSchema }),
});
const createVariables = z.object({
  input: z.object({
    email: z.string().nullish(),
    phone: z.string().nullish(),
    emailMarketingConsent: consentInputSchema.nullish(),
    smsMarketingConsent: consentInputSchema.nullish(),
  }),
});

function variables<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new VariableError(`Variable $input was provided invalid value: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function toConsent(input: ConsentInput): FakeConsent {
  return {
    state: input.marketingState.toLowerCase() as FakeConsent['state'],
    // Shopify records SINGLE_OPT_IN when a mutation gives no level.
    optInLevel: (input.marketingOptInLevel?.toLowerCase() ?? 'single_opt_in') as OptInLevel,
    consentUpdatedAt: shopifyTime(input.consentUpdatedAt ?? new Date()),
  };
}

// ---------------------------------------------------------------------------
// Outputs

/** Consent objects are null when the customer has no email / phone, as in Shopify; which fields: consent-fields.ts. */
export function customerNode(c: FakeCustomer, mode: ConsentFieldsMode = 'both') {
  return {
    id: `gid://shopify/Customer/${c.id}`,
    email: c.email,
    phone: c.phone,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    ...consentFields(c, mode),
  };
}

function userErrorsOf(e: UserInputError, prefix: string[]) {
  return [{ field: e.field ? [...prefix, ...e.field] : null, message: e.message, code: e.code }];
}

// ---------------------------------------------------------------------------
// Operations

function customerByIdentifier(ctx: GraphqlContext, vars: unknown): Record<string, unknown> {
  const { identifier } = variables(z.object({ identifier: identifierSchema }), vars);
  let customer: FakeCustomer | null = null;
  if (identifier.emailAddress !== undefined) customer = ctx.store.findByEmail(ctx.shop, identifier.emailAddress);
  else if (identifier.phoneNumber !== undefined) customer = ctx.store.findByPhone(ctx.shop, identifier.phoneNumber);
  else if (identifier.id !== undefined) customer = ctx.store.customer(ctx.shop, identifier.id.replace(/^gid:\/\/shopify\/Customer\//, ''));
  return { customerByIdentifier: customer ? customerNode(customer, ctx.consentFields) : null };
}

function consentUpdate(ctx: GraphqlContext, channel: Channel, customerGid: string, input: ConsentInput): Record<string, unknown> {
  const id = /^gid:\/\/shopify\/Customer\/(\d+)$/.exec(customerGid)?.[1];
  const customer = id ? ctx.store.customer(ctx.shop, id) : null;
  if (!customer) {
    return { customer: null, userErrors: [{ field: ['input', 'customerId'], message: 'Customer not found', code: 'INVALID' }] };
  }
  try {
    if (ctx.store.updateConsentByApi(customer, channel, toConsent(input))) ctx.onConsentChange(customer, channel);
  } catch (e) {
    if (e instanceof UserInputError) return { customer: null, userErrors: userErrorsOf(e, ['input']) };
    throw e;
  }
  return { customer: customerNode(customer, ctx.consentFields), userErrors: [] };
}

function assertSettable(input: ConsentInput | null | undefined, field: string): void {
  const state = input?.marketingState.toLowerCase();
  if (state && !(SETTABLE_STATES as readonly string[]).includes(state)) {
    throw new UserInputError([field, 'marketingState'], `Marketing state ${input?.marketingState} can't be set. Use SUBSCRIBED, UNSUBSCRIBED or PENDING.`);
  }
}

function customerCreate(ctx: GraphqlContext, vars: unknown): Record<string, unknown> {
  const { input } = variables(createVariables, vars);
  try {
    assertSettable(input.emailMarketingConsent, 'emailMarketingConsent');
    assertSettable(input.smsMarketingConsent, 'smsMarketingConsent');
    const customer = ctx.store.createCustomer({
      shop: ctx.shop,
      email: input.email,
      phone: input.phone,
      ...(input.emailMarketingConsent && { emailConsent: toConsent(input.emailMarketingConsent) }),
      ...(input.smsMarketingConsent && { smsConsent: toConsent(input.smsMarketingConsent) }),
    });
    if (input.emailMarketingConsent) ctx.onConsentChange(customer, 'email');
    if (input.smsMarketingConsent) ctx.onConsentChange(customer, 'sms');
    return { customerCreate: { customer: customerNode(customer, ctx.consentFields), userErrors: [] } };
  } catch (e) {
    if (e instanceof UserInputError) return { customerCreate: { customer: null, userErrors: userErrorsOf(e, []) } };
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Bulk operations, customer pages, webhook subscriptions

function bulkOperationRunQuery(ctx: GraphqlContext, vars: unknown): Record<string, unknown> {
  const { query } = variables(z.object({ query: z.string(), groupObjects: z.boolean().optional() }), vars);
  if (!/\bcustomers\b/.test(query)) {
    return { bulkOperation: null, userErrors: [{ field: ['query'], message: 'The fake Shopify exports the customers connection only.', code: 'INVALID' }] };
  }
  const op = ctx.bulk.create(ctx.shop, query);
  return { bulkOperation: ctx.bulk.node(op), userErrors: [] };
}

function nodeById(ctx: GraphqlContext, vars: unknown): Record<string, unknown> {
  const { id } = variables(z.object({ id: z.string() }), vars);
  if (id.startsWith('gid://shopify/BulkOperation/')) {
    const op = ctx.bulk.get(ctx.shop, id);
    return { node: op ? ctx.bulk.node(op) : null };
  }
  const customerId = /^gid:\/\/shopify\/Customer\/(\d+)$/.exec(id)?.[1];
  const customer = customerId ? ctx.store.customer(ctx.shop, customerId) : null;
  return { node: customer ? { __typename: 'Customer', ...customerNode(customer, ctx.consentFields) } : null };
}

/** `updated_at:>'…'`, `updated_at:>='…'` (also `<`, `<=`); other search terms are not supported. */
function updatedAtFilter(query: string | null | undefined): (c: FakeCustomer) => boolean {
  if (!query) return () => true;
  const m = /^\s*updated_at:(>=|<=|>|<)'?([^'\s]+)'?\s*$/.exec(query);
  if (!m) throw new VariableError(`The fake Shopify supports only updated_at:>'ISO time' queries, got: ${query}`);
  const at = Date.parse(m[2]!);
  if (Number.isNaN(at)) throw new VariableError(`Invalid time in query: ${query}`);
  const op = m[1];
  return (c) => {
    const t = Date.parse(c.updatedAt);
    return op === '>' ? t > at : op === '>=' ? t >= at : op === '<' ? t < at : t <= at;
  };
}

const cursorOf = (c: FakeCustomer) => Buffer.from(JSON.stringify([c.updatedAt, c.id])).toString('base64url');

function customersPage(ctx: GraphqlContext, vars: unknown): Record<string, unknown> {
  const v = variables(
    z.object({
      first: z.number().int().min(1).max(250),
      after: z.string().nullish(),
      query: z.string().nullish(),
      sortKey: z.enum(['UPDATED_AT', 'ID']).nullish(),
    }),
    vars,
  );
  const keep = updatedAtFilter(v.query);
  // Oldest update first, ties by id: what sortKey UPDATED_AT gives; the cursor is the sort key.
  const key = (c: FakeCustomer): [number, bigint] => [Date.parse(c.updatedAt), BigInt(c.id)];
  const before = (a: [number, bigint], b: [number, bigint]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  let after: [number, bigint] | null = null;
  if (v.after) {
    try {
      const [u, id] = JSON.parse(Buffer.from(v.after, 'base64url').toString()) as [string, string];
      after = [Date.parse(u), BigInt(id)];
    } catch {
      throw new VariableError('Invalid cursor');
    }
  }
  const matching = [...ctx.store.shop(ctx.shop).customers.values()]
    .filter((c) => keep(c) && (after === null || before(after, key(c))))
    .sort((a, b) => (before(key(a), key(b)) ? -1 : before(key(b), key(a)) ? 1 : 0));
  const page = matching.slice(0, v.first);
  return {
    customers: {
      edges: page.map((c) => ({ cursor: cursorOf(c), node: customerNode(c, ctx.consentFields) })),
      nodes: page.map((c) => customerNode(c, ctx.consentFields)),
      pageInfo: {
        hasNextPage: matching.length > page.length,
        hasPreviousPage: after !== null,
        startCursor: page[0] ? cursorOf(page[0]) : null,
        endCursor: page.at(-1) ? cursorOf(page.at(-1)!) : null,
      },
    },
  };
}

export function webhookSubscriptionNode(w: FakeWebhookSubscription) {
  return {
    id: w.id,
    topic: w.topic,
    uri: w.uri,
    callbackUrl: w.uri,
    endpoint: { __typename: 'WebhookHttpEndpoint', callbackUrl: w.uri },
    apiVersion: { handle: w.apiVersion, displayName: w.apiVersion, supported: true },
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    format: w.format,
    includeFields: w.includeFields,
    filter: w.filter,
  };
}

function webhookSubscriptionsPage(ctx: GraphqlContext, vars: unknown): Record<string, unknown> {
  const v = variables(z.object({ first: z.number().int().min(1).max(250), after: z.string().nullish() }), vars);
  const all = [...ctx.store.shop(ctx.shop).webhookSubscriptions.values()];
  const start = v.after ? all.findIndex((w) => w.id === Buffer.from(v.after!, 'base64url').toString()) + 1 : 0;
  const page = all.slice(start, start + v.first);
  const cursor = (w: FakeWebhookSubscription) => Buffer.from(w.id).toString('base64url');
  return {
    webhookSubscriptions: {
      edges: page.map((w) => ({ cursor: cursor(w), node: webhookSubscriptionNode(w) })),
      nodes: page.map(webhookSubscriptionNode),
      pageInfo: {
        hasNextPage: start + page.length < all.length,
        hasPreviousPage: start > 0,
        startCursor: page[0] ? cursor(page[0]) : null,
        endCursor: page.at(-1) ? cursor(page.at(-1)!) : null,
      },
    },
  };
}

const TOPIC_ENUM = /^[A-Z][A-Z0-9_]*$/;

function webhookSubscriptionCreate(ctx: GraphqlContext, vars: unknown): Record<string, unknown> {
  const v = variables(
    z.object({
      topic: z.string(),
      webhookSubscription: z.object({
        uri: z.string().nullish(),
        callbackUrl: z.string().nullish(),
        format: z.enum(['JSON', 'XML']).nullish(),
        includeFields: z.array(z.string()).nullish(),
        filter: z.string().nullish(),
      }),
    }),
    vars,
  );
  const fail = (field: string[], message: string) => ({ webhookSubscription: null, userErrors: [{ field, message }] });
  if (!TOPIC_ENUM.test(v.topic)) throw new VariableError(`Variable $topic of type WebhookSubscriptionTopic! was provided invalid value: ${v.topic}`);
  const uri = v.webhookSubscription.uri ?? v.webhookSubscription.callbackUrl;
  if (!uri) return fail(['webhookSubscription', 'uri'], 'Address is required');
  if (!/^https:\/\//.test(uri) && !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(uri)) {
    return fail(['webhookSubscription', 'uri'], 'Address protocol http:// is not supported');
  }
  const subs = ctx.store.shop(ctx.shop).webhookSubscriptions;
  if ([...subs.values()].some((w) => w.topic === v.topic && w.uri === uri)) {
    return fail(['webhookSubscription', 'uri'], 'Address for this topic has already been taken');
  }
  const now = shopifyTime(new Date());
  const sub: FakeWebhookSubscription = {
    id: `gid://shopify/WebhookSubscription/${ctx.store.nextWebhookSubscriptionId()}`,
    topic: v.topic,
    uri,
    format: v.webhookSubscription.format ?? 'JSON',
    includeFields: v.webhookSubscription.includeFields ?? [],
    filter: v.webhookSubscription.filter ?? null,
    apiVersion: ctx.apiVersion,
    createdAt: now,
    updatedAt: now,
  };
  subs.set(sub.id, sub);
  return { webhookSubscription: webhookSubscriptionNode(sub), userErrors: [] };
}

function webhookSubscriptionDelete(ctx: GraphqlContext, vars: unknown): Record<string, unknown> {
  const { id } = variables(z.object({ id: z.string() }), vars);
  const subs = ctx.store.shop(ctx.shop).webhookSubscriptions;
  if (!subs.delete(id)) {
    return { deletedWebhookSubscriptionId: null, userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }] };
  }
  return { deletedWebhookSubscriptionId: id, userErrors: [] };
}

export function executeOperation(ctx: GraphqlContext, name: OperationName, vars: unknown): GraphqlOutcome {
  try {
    switch (name) {
      case 'bulkOperationRunQuery':
        return { data: { bulkOperationRunQuery: bulkOperationRunQuery(ctx, vars) } };
      case 'currentBulkOperation': {
        const op = ctx.bulk.current(ctx.shop);
        return { data: { currentBulkOperation: op ? ctx.bulk.node(op) : null } };
      }
      case 'node':
        return { data: nodeById(ctx, vars) };
      case 'customers':
        return { data: customersPage(ctx, vars) };
      case 'webhookSubscriptions':
        return { data: webhookSubscriptionsPage(ctx, vars) };
      case 'webhookSubscriptionCreate':
        return { data: { webhookSubscriptionCreate: webhookSubscriptionCreate(ctx, vars) } };
      case 'webhookSubscriptionDelete':
        return { data: { webhookSubscriptionDelete: webhookSubscriptionDelete(ctx, vars) } };
      case 'customerByIdentifier':
        return { data: customerByIdentifier(ctx, vars) };
      case 'customerEmailMarketingConsentUpdate': {
        const { input } = variables(emailConsentVariables, vars);
        return { data: { [name]: consentUpdate(ctx, 'email', input.customerId, input.emailMarketingConsent) } };
      }
      case 'customerSmsMarketingConsentUpdate': {
        const { input } = variables(smsConsentVariables, vars);
        return { data: { [name]: consentUpdate(ctx, 'sms', input.customerId, input.smsMarketingConsent) } };
      }
      case 'customerCreate':
        return { data: customerCreate(ctx, vars) };
    }
  } catch (e) {
    if (e instanceof VariableError) return { errors: [{ message: e.message, extensions: { code: 'INVALID_VARIABLE' } }] };
    throw e;
  }
}
