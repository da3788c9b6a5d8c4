// Customers tab: find a customer by email or phone, see both channels' consent
// timelines across Shopify and edrone, and export consent history as CSV.
import { Banner, BlockStack, Button, Card, InlineStack, ProgressBar, Select, Text, TextField } from '@shopify/polaris';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api.js';
import { formatCount, plural } from '../../format.js';
import type { CustomerConsentAnswer } from '../../api-types.js';
import { ChannelTimeline } from './channel-timeline.js';
import { downloadHistoryCsv, type ExportFilter, type ExportProgress } from './export-csv.js';
import { takeRequestedCustomer } from './open-history.js';

export function HistoryPage() {
  const [query, setQuery] = useState(() => takeRequestedCustomer() ?? '');
  const [answer, setAnswer] = useState<CustomerConsentAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [range, setRange] = useState<{ from: string; to: string; channel: '' | 'email' | 'sms' }>({ from: '', to: '', channel: '' });
  const [progress, setProgress] = useState<ExportProgress | null>(null);
  const [exported, setExported] = useState<string | null>(null);

  const load = useCallback(async (customer: string) => {
    if (customer.trim() === '') return;
    setLoading(true);
    setError(null);
    const res = await api.get<CustomerConsentAnswer>(`/api/customers/consent?customer=${encodeURIComponent(customer.trim())}`);
    setLoading(false);
    if (res.ok) setAnswer(res.data);
    else {
      setAnswer(null);
      setError(res.error.message);
    }
  }, []);

  useEffect(() => {
    if (query) void load(query);
    const onOpen = (e: Event) => {
      const customer = (e as CustomEvent<string>).detail;
      setQuery(customer);
      void load(customer);
    };
    window.addEventListener('ecs:history', onOpen);
    return () => window.removeEventListener('ecs:history', onOpen);
    // Only on mount: later searches go through the form.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const onSearch = (e?: FormEvent) => {
    e?.preventDefault();
    void load(query);
  };

  const runExport = async (filter: ExportFilter) => {
    setExported(null);
    setError(null);
    setProgress({ rows: 0, total: null });
    try {
      const rows = await downloadHistoryCsv(filter, setProgress);
      setExported(`Exported ${plural(rows, 'row', 'rows')}.`);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'The export failed.');
    } finally {
      setProgress(null);
    }
  };

  const percent = progress?.total ? Math.min(100, Math.round((progress.rows / progress.total) * 100)) : 0;

  return (
    <BlockStack gap="400">
      <Card>
        <form onSubmit={onSearch} data-testid="history-search">
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Customer consent history
            </Text>
            <InlineStack gap="200" blockAlign="end" wrap>
              <div style={{ flex: '1 1 16rem' }}>
                <TextField
                  label="Customer email or phone"
                  value={query}
                  onChange={setQuery}
                  autoComplete="off"
                  placeholder="ann@example.com or +48500100200"
                />
              </div>
              <Button submit variant="primary" loading={loading}>
                Show history
              </Button>
              {answer ? (
                <Button onClick={() => void runExport({ customer: query.trim() })} disabled={progress !== null}>
                  Export this customer (CSV)
                </Button>
              ) : null}
            </InlineStack>
          </BlockStack>
        </form>
      </Card>
      {error ? (
        <Banner tone="critical" title="Could not show the history">
          <Text as="p">{error}</Text>
        </Banner>
      ) : null}
      {progress ? (
        <Card>
          <BlockStack gap="200">
            <div data-testid="export-progress" role="status">
              <Text as="p">
                Exporting… {formatCount(progress.rows)}
                {progress.total !== null ? ` of ${formatCount(progress.total)}` : ''} rows
              </Text>
            </div>
            <ProgressBar progress={percent} size="small" />
          </BlockStack>
        </Card>
      ) : null}
      {exported ? (
        <div data-testid="export-done">
          <Text as="p">{exported}</Text>
        </div>
      ) : null}
      {answer ? answer.channels.map((c) => <ChannelTimeline key={c.channel} history={c} />) : null}
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Export consent history
          </Text>
          <InlineStack gap="200" blockAlign="end" wrap>
            <TextField label="From" type="date" value={range.from} onChange={(from) => setRange({ ...range, from })} autoComplete="off" />
            <TextField label="To" type="date" value={range.to} onChange={(to) => setRange({ ...range, to })} autoComplete="off" />
            <Select
              label="Channel"
              options={[
                { label: 'Both', value: '' },
                { label: 'Email', value: 'email' },
                { label: 'SMS', value: 'sms' },
              ]}
              value={range.channel}
              onChange={(channel) => setRange({ ...range, channel: channel as '' | 'email' | 'sms' })}
            />
            <Button
              onClick={() =>
                void runExport({
                  ...(range.from ? { from: range.from } : {}),
                  ...(range.to ? { to: range.to } : {}),
                  ...(range.channel ? { channel: range.channel } : {}),
                })
              }
              disabled={progress !== null}
            >
              Export CSV
            </Button>
          </InlineStack>
        </BlockStack>
      </Card>
    </BlockStack>
  );
}
