// The Admin GraphQL operations the app's client sends, recognised loosely by their
// root field name and answered from the FakeStore with Shopify's response shapes.
import { z } from 'zod';
import type { Channel } from '../../core/types.js';
import { SETTABLE_STATES, UserInputError, shopifyTime, type FakeConsent, type FakeCustomer, type FakeStore, type OptInLevel } from './store.js';

export const OPERATION_COSTS = {
  customerByIdentifier: 2,
  customerEmailMarketingConsentUpdate: 10,
  customerSmsMarketingConsentUpdate: 10,
  customerCreate: 10,
} as const;
export type OperationName = keyof typeof OPERATION_COSTS;

/** The root field the document calls, e.g. `customerCreate(` (case-sensitive, so `CustomerCreate` operation names do not match). */
export function detectOperation(query: string): OperationName | null {
  let found: { name: OperationName; at: number } | null = null;
  for (const name of Object.keys(OPERATION_COSTS) as OperationName[]) {
    const at = new RegExp(`\\b${name}\\s*\\(`).exec(query)?.index;
    if (at !== undefined && (!found || at < found.at)) found = { name, at };
  }
  return found?.name ?? null;
}

export interface GraphqlContext {
  store: FakeStore;
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
    optInLevel: (input.marketingOptInLevel?.toLowerCase() ?? 'single_opt_in') as OptInLevel,
    consentUpdatedAt: shopifyTime(input.consentUpdatedAt ?? new Date()),
  };
}

// ---------------------------------------------------------------------------
// Outputs

function consentNode(c: FakeConsent) {
  return {
    marketingState: c.state.toUpperCase(),
    marketingOptInLevel: c.optInLevel?.toUpperCase() ?? null,
    consentUpdatedAt: c.consentUpdatedAt,
  };
}

/** Consent objects are null when the customer has no email / phone, as in Shopify. */
export function customerNode(c: FakeCustomer) {
  return {
    id: `gid://shopify/Customer/${c.id}`,
    email: c.email,
    phone: c.phone,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    emailMarketingConsent: c.email ? consentNode(c.emailConsent) : null,
    smsMarketingConsent: c.phone ? { ...consentNode(c.smsConsent), consentCollectedFrom: 'OTHER' } : null,
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
  return { customerByIdentifier: customer ? customerNode(customer) : null };
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
  return { customer: customerNode(customer), userErrors: [] };
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
    return { customerCreate: { customer: customerNode(customer), userErrors: [] } };
  } catch (e) {
    if (e instanceof UserInputError) return { customerCreate: { customer: null, userErrors: userErrorsOf(e, []) } };
    throw e;
  }
}

export function executeOperation(ctx: GraphqlContext, name: OperationName, vars: unknown): GraphqlOutcome {
  try {
    switch (name) {
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
