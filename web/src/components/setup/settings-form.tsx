// The settings form: edrone credentials and what to sync. Saves with PUT /api/settings and shows the
// API's field errors next to the field they belong to. Edits bring up the save bar; a save ends in a toast.
import { useRef, useState, type ReactNode } from 'react';
import {
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  Form,
  FormLayout,
  InlineError,
  InlineStack,
  Layout,
  Select,
  Text,
  TextField,
} from '@shopify/polaris';
import { api } from '../../api.js';
import type { Channels, Direction, EdroneStatusFilter, SettingsAnswer, SettingsUpdate } from '../../api-types.js';
import { DIRECTION_LABELS, EDRONE_STATUS_LABELS } from '../../format.js';
import { SaveBar } from '../feedback/save-bar.js';
import { useToast } from '../feedback/toast.js';
import { useReportUnsaved } from '../feedback/unsaved-changes.js';

export interface SettingsFormValues {
  edroneAppId: string;
  /** Typed by the merchant; never filled from the server. Blank keeps the saved secret. */
  edroneAppSecret: string;
  direction: Direction;
  edroneStatuses: EdroneStatusFilter;
  channels: Channels;
  createMissingCustomers: boolean;
}

/** Form fields whose errors render inline; any other key goes to the banner at the top. */
const INLINE_FIELDS = [
  'edroneAppId',
  'edroneAppSecret',
  'direction',
  'edroneStatuses',
  'channels',
  'channels.email',
  'channels.sms',
  'createMissingCustomers',
] as const;
type InlineField = (typeof INLINE_FIELDS)[number];

export function valuesFromSettings(settings: SettingsAnswer): SettingsFormValues {
  return {
    edroneAppId: settings.edroneAppId,
    edroneAppSecret: '',
    direction: settings.direction,
    edroneStatuses: settings.edroneStatuses,
    channels: { email: settings.channels.email, sms: settings.channels.sms },
    createMissingCustomers: settings.createMissingCustomers,
  };
}

/** The PUT body: exactly the contract's keys; the secret only when the merchant typed one. */
export function toSettingsUpdate(values: SettingsFormValues): SettingsUpdate {
  const body: SettingsUpdate = {
    edroneAppId: values.edroneAppId.trim(),
    direction: values.direction,
    edroneStatuses: values.edroneStatuses,
    channels: { email: values.channels.email, sms: values.channels.sms },
    createMissingCustomers: values.createMissingCustomers,
  };
  const secret = values.edroneAppSecret.trim();
  if (secret !== '') body.edroneAppSecret = secret;
  return body;
}

function isInlineField(key: string): key is InlineField {
  return (INLINE_FIELDS as readonly string[]).includes(key);
}

const directionOptions = (Object.keys(DIRECTION_LABELS) as Direction[]).map((value) => ({
  value,
  label: DIRECTION_LABELS[value],
}));
const statusOptions = (Object.keys(EDRONE_STATUS_LABELS) as EdroneStatusFilter[]).map((value) => ({
  value,
  label: EDRONE_STATUS_LABELS[value],
}));

interface Props {
  settings: SettingsAnswer;
  onSaved: (settings: SettingsAnswer) => void;
  /** Reports every edit, so the connection guide can test the App ID as typed. */
  onDraftChange?: (values: SettingsFormValues, dirty: boolean) => void;
}

export function SettingsForm({ settings, onSaved, onDraftChange }: Props) {
  const [values, setValues] = useState<SettingsFormValues>(() => valuesFromSettings(settings));
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const formRef = useRef<HTMLDivElement>(null);
  const toast = useToast();

  const baseline = valuesFromSettings(settings);
  const dirty = JSON.stringify(toSettingsUpdate(values)) !== JSON.stringify(toSettingsUpdate(baseline));
  useReportUnsaved(dirty);

  const update = <K extends keyof SettingsFormValues>(key: K, value: SettingsFormValues[K], ...errorKeys: string[]): void => {
    const next = { ...values, [key]: value };
    setValues(next);
    // Editing a field clears its error: the message described the old value.
    if (errorKeys.some((k) => k in fieldErrors)) {
      const rest = { ...fieldErrors };
      for (const k of errorKeys) delete rest[k];
      setFieldErrors(rest);
    }
    onDraftChange?.(next, JSON.stringify(toSettingsUpdate(next)) !== JSON.stringify(toSettingsUpdate(baseline)));
  };

  const submit = async (): Promise<void> => {
    setSaving(true);
    setFormError(null);
    const result = await api.put<SettingsAnswer>('/api/settings', toSettingsUpdate(values));
    setSaving(false);
    if (result.ok) {
      setFieldErrors({});
      const savedValues = valuesFromSettings(result.data);
      setValues(savedValues);
      toast('Settings saved', { testId: 'settings-saved' });
      onSaved(result.data);
      onDraftChange?.(savedValues, false);
      return;
    }
    const errors = result.error.fieldErrors ?? {};
    setFieldErrors(errors);
    // Keyboard and screen-reader users land on the first field to fix (in form order).
    const first = INLINE_FIELDS.find((key) => key in errors);
    if (first) {
      const name = first === 'channels' ? 'channels.email' : first;
      setTimeout(() => formRef.current?.querySelector<HTMLElement>(`[name="${name}"]`)?.focus(), 0);
    }
    const others = Object.entries(errors).filter(([key]) => !isInlineField(key));
    const detail = others.map(([key, message]) => (key === '_' ? message : `${key}: ${message}`)).join(' ');
    setFormError(
      Object.keys(errors).length > 0 && others.length === 0
        ? 'Some settings need your attention. Check the highlighted fields.'
        : [result.error.message, detail].filter((s) => s !== '').join(' '),
    );
  };

  const discard = (): void => {
    setValues(baseline);
    setFieldErrors({});
    setFormError(null);
    onDraftChange?.(baseline, false);
  };

  const err = (key: InlineField): string | undefined => fieldErrors[key];

  const secretHelp: ReactNode = settings.edroneAppSecretSet
    ? 'A secret is saved. Leave this blank to keep it, or type a new one to replace it.'
    : 'Find it in edrone Mission Control under Settings → Integration. It is stored encrypted and never shown again.';

  return (
    <Form onSubmit={() => void submit()}>
      <div ref={formRef} className="ecs-settings-form">
        <SaveBar id="settings-save-bar" dirty={dirty} saving={saving} onSave={() => void submit()} onDiscard={discard} />
        <BlockStack gap="400">
          {formError ? (
            <div data-testid="settings-error">
              <Banner tone="critical" title="Settings were not saved" onDismiss={() => setFormError(null)}>
                <Text as="p">{formError}</Text>
              </Banner>
            </div>
          ) : null}
          <Layout>
            <Layout.AnnotatedSection
              id="edrone-account"
              title="edrone account"
              description="The App ID and App Secret of your edrone account. The app uses them to send consent changes to edrone and to check that requests really come from edrone."
            >
              <Card>
                <FormLayout>
                  <TextField
                    label="edrone App ID"
                    name="edroneAppId"
                    autoComplete="off"
                    value={values.edroneAppId}
                    onChange={(v) => update('edroneAppId', v, 'edroneAppId')}
                    error={err('edroneAppId')}
                    helpText="Find it in edrone Mission Control under Settings → Integration."
                    requiredIndicator
                  />
                  <TextField
                    label="edrone App Secret"
                    name="edroneAppSecret"
                    type="password"
                    // new-password stops browsers from autofilling a saved login into this field.
                    autoComplete="new-password"
                    value={values.edroneAppSecret}
                    onChange={(v) => update('edroneAppSecret', v, 'edroneAppSecret')}
                    error={err('edroneAppSecret')}
                    helpText={secretHelp}
                  />
                </FormLayout>
              </Card>
            </Layout.AnnotatedSection>
            <Layout.AnnotatedSection
              id="what-to-sync"
              title="What to sync"
              description="Choose which way consent flows and which channels are kept in sync. An unsubscribed customer is never subscribed again by a default or an import: only by a newer explicit subscribe."
            >
              <Card>
                <FormLayout>
                  <Select
                    label="Sync direction"
                    name="direction"
                    options={directionOptions}
                    value={values.direction}
                    onChange={(v) => update('direction', v as Direction, 'direction')}
                    error={err('direction')}
                    helpText={
                      values.direction === 'paused'
                        ? 'Paused: changes are recorded but nothing is sent either way until you resume.'
                        : 'Which side passes subscribes and unsubscribes to the other.'
                    }
                  />
                  <Select
                    label="edrone changes to apply in Shopify"
                    name="edroneStatuses"
                    options={statusOptions}
                    value={values.edroneStatuses}
                    onChange={(v) => update('edroneStatuses', v as EdroneStatusFilter, 'edroneStatuses')}
                    error={err('edroneStatuses')}
                    helpText="Matches the statuses you choose in edrone's Subscription status synchronisation."
                  />
                  <fieldset className="ecs-fieldset" aria-describedby={err('channels') ? 'channelsError' : undefined}>
                    <legend>
                      <Text as="span" variant="bodyMd" fontWeight="medium">
                        Channels
                      </Text>
                    </legend>
                    <BlockStack gap="100">
                      <Checkbox
                        label="Email marketing consent"
                        name="channels.email"
                        checked={values.channels.email}
                        onChange={(v) => update('channels', { ...values.channels, email: v }, 'channels', 'channels.email')}
                        error={err('channels.email')}
                      />
                      <Checkbox
                        label="SMS marketing consent"
                        name="channels.sms"
                        checked={values.channels.sms}
                        onChange={(v) => update('channels', { ...values.channels, sms: v }, 'channels', 'channels.sms')}
                        error={err('channels.sms')}
                        helpText="SMS needs the customer's phone number on both sides."
                      />
                      {err('channels') ? <InlineError message={err('channels') ?? ''} fieldID="channels" /> : null}
                      {!values.channels.email && !values.channels.sms ? (
                        <Text as="p" tone="caution">
                          No channel is selected, so nothing will be synced.
                        </Text>
                      ) : null}
                    </BlockStack>
                  </fieldset>
                  <Checkbox
                    label="Create missing customers in Shopify"
                    name="createMissingCustomers"
                    checked={values.createMissingCustomers}
                    onChange={(v) => update('createMissingCustomers', v, 'createMissingCustomers')}
                    error={err('createMissingCustomers')}
                    helpText="When edrone reports someone who is not a Shopify customer, create the customer with that consent. Off by default: edrone's own sync never creates customers."
                  />
                </FormLayout>
              </Card>
            </Layout.AnnotatedSection>
          </Layout>
          <Box paddingBlockStart="200" paddingInline={{ xs: '400', sm: '0' }}>
            <InlineStack align="end" gap="300" blockAlign="center">
              {dirty ? (
                // One Save at a time: while there are edits it is in the save bar.
                <Text as="span" tone="subdued">
                  You have unsaved changes: save or discard them in the bar at the top.
                </Text>
              ) : (
                <Button variant="primary" submit loading={saving}>
                  Save
                </Button>
              )}
            </InlineStack>
          </Box>
        </BlockStack>
      </div>
    </Form>
  );
}
