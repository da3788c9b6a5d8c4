// Filter bar for the activity log: selects, a search box and the echoes switch. Search is debounced in the page.
import { Button, Checkbox, InlineGrid, Select, TextField } from '@shopify/polaris';
import type { ActivityChannel, ActivityDirection, ActivityResult, ActivityView } from '../../api-types.js';
import { hasFilters, type ActivityFilters } from './activity-query.js';

interface Props {
  filters: ActivityFilters;
  onChange: (filters: ActivityFilters) => void;
  onClear: () => void;
}

export const SHOW_OPTIONS: { label: string; value: ActivityView }[] = [
  { label: 'Live changes', value: 'live' },
  { label: 'Retries', value: 'retry' },
  { label: 'Initial sync', value: 'initial_sync' },
  { label: 'Reconciliation', value: 'reconciliation' },
  { label: 'Everything', value: 'all' },
];
const DIRECTION_OPTIONS = [
  { label: 'All directions', value: '' },
  { label: 'Shopify → edrone', value: 'shopify_to_edrone' },
  { label: 'edrone → Shopify', value: 'edrone_to_shopify' },
];
const CHANNEL_OPTIONS = [
  { label: 'All channels', value: '' },
  { label: 'Email', value: 'email' },
  { label: 'SMS', value: 'sms' },
];
const RESULT_OPTIONS = [
  { label: 'All results', value: '' },
  { label: 'Sent', value: 'sent' },
  { label: 'Skipped', value: 'skipped' },
  { label: 'Failed', value: 'failed' },
  { label: 'No customer', value: 'no_customer' },
  { label: 'Noted only (nothing to sync)', value: 'recorded' },
];

export function ActivityFiltersBar({ filters, onChange, onClear }: Props) {
  return (
    <div role="search" aria-label="Filter activity" data-testid="activity-filters">
      <InlineGrid columns={{ xs: 1, sm: 2, md: 5 }} gap="300" alignItems="end">
        <Select
          label="Show"
          name="show"
          options={SHOW_OPTIONS}
          value={filters.show}
          helpText={filters.show === 'live' ? 'Bulk runs appear as one row each.' : undefined}
          onChange={(v) => onChange({ ...filters, show: v as ActivityView, run: '' })}
        />
        <TextField
          label="Search by email or phone"
          type="search"
          name="q"
          autoComplete="off"
          placeholder="jane@example.com or +48…"
          value={filters.q}
          onChange={(q) => onChange({ ...filters, q })}
          clearButton
          onClearButtonClick={() => onChange({ ...filters, q: '' })}
        />
        <Select
          label="Direction"
          name="direction"
          options={DIRECTION_OPTIONS}
          value={filters.direction}
          onChange={(v) => onChange({ ...filters, direction: v as ActivityDirection | '' })}
        />
        <Select
          label="Channel"
          name="channel"
          options={CHANNEL_OPTIONS}
          value={filters.channel}
          onChange={(v) => onChange({ ...filters, channel: v as ActivityChannel | '' })}
        />
        <Select
          label="Result"
          name="result"
          options={RESULT_OPTIONS}
          value={filters.result}
          onChange={(v) => onChange({ ...filters, result: v as ActivityResult | '' })}
        />
      </InlineGrid>
      <div className="ecs-echoes-filter">
        <Checkbox
          label="Show the app's own changes coming back"
          helpText="When the app updates Shopify or edrone, that side reports the change back. Nothing is sent for these reports, so they are hidden."
          checked={filters.echoes}
          onChange={(echoes) => onChange({ ...filters, echoes })}
        />
      </div>
      {hasFilters(filters) ? (
        <div className="ecs-clear-filters">
          <Button variant="plain" onClick={onClear}>
            Clear filters
          </Button>
        </div>
      ) : null}
    </div>
  );
}
