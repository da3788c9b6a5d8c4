// "Subscriptions registered through the Admin API": for deployments that register topics through the
// API instead of shopify.app.toml. Health, a filter, paging, a detail view, Delete (after a confirmation)
// and "Re-register missing" (a secondary action: re-registering a toml topic would double every delivery).
import { useRef, useState } from 'react';
import { Banner, BlockStack, Button, Card, InlineStack, Modal, Select, Spinner, Text } from '@shopify/polaris';
import { api, request, type ApiError } from '../../api.js';
import type {
  WebhookDeleteAnswer,
  WebhookRegisterAnswer,
  WebhookSubscription,
  WebhookSubscriptionFilter,
  WebhookSubscriptionsPage,
} from '../../api-types.js';
import { plural } from '../../format.js';
import { useApiGet } from '../../hooks/use-api-get.js';
import { ApiErrorBanner } from '../common/api-error-banner.js';
import { EmptyMessage } from '../common/empty-message.js';
import { Pager } from '../common/pager.js';
import { CardLoading } from './card-loading.js';
import { FILTER_OPTIONS, WEBHOOK_PAGE_SIZE, isRegistered, webhookListPath, webhookPath } from './webhook-query.js';
import { WebhookSubscriptionDetailModal } from './webhook-subscription-detail.js';
import { WebhookSubscriptionsTable } from './webhook-subscriptions-table.js';

interface Props {
  pageSize?: number;
  /** Called after a register or delete, so the per-topic health reloads too. */
  onChange?: () => void;
}

type Notice =
  | { kind: 'registered'; count: number }
  | { kind: 'deleted'; topic: string }
  | { kind: 'error'; title: string; error: ApiError };

const EMPTY_TEXT: Record<WebhookSubscriptionFilter, { heading: string; body: string }> = {
  all: {
    heading: 'No subscriptions registered through the Admin API',
    body: 'That is expected: this app declares its topics in the app configuration (shopify.app.toml), which the Admin API does not list. Their health is shown above.',
  },
  missing: { heading: 'Nothing is missing', body: 'Every subscription the app needs is registered in Shopify.' },
  failing: { heading: 'Nothing is failing', body: 'Shopify is delivering every subscribed event to the app.' },
};

export function WebhookSubscriptionsCard({ pageSize = WEBHOOK_PAGE_SIZE, onChange }: Props) {
  const [filter, setFilter] = useState<WebhookSubscriptionFilter>('all');
  const [page, setPage] = useState(1);
  const resource = useApiGet<WebhookSubscriptionsPage>(webhookListPath(filter, page, pageSize));
  const { data, error, loading, refreshing, reload } = resource;
  const [open, setOpen] = useState<WebhookSubscription | null>(null);
  const [confirm, setConfirm] = useState<WebhookSubscription | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<ApiError | null>(null);
  const [registering, setRegistering] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  // Where focus goes back to when a dialog closes: the button (or row) that opened it.
  const returnFocus = useRef<HTMLElement | null>(null);
  const headingRef = useRef<HTMLDivElement | null>(null);

  const changeFilter = (next: string): void => {
    setFilter(next as WebhookSubscriptionFilter);
    // Page 3 of "All" may not exist under "Missing".
    setPage(1);
  };

  const register = async (): Promise<void> => {
    setRegistering(true);
    setNotice(null);
    const result = await api.post<WebhookRegisterAnswer>('/api/webhook-subscriptions/register');
    setRegistering(false);
    if (!result.ok) {
      setNotice({ kind: 'error', title: 'The subscriptions were not registered', error: result.error });
      return;
    }
    setNotice({ kind: 'registered', count: result.data.items.length });
    void reload();
    onChange?.();
  };

  const askDelete = (item: WebhookSubscription, from: HTMLElement | null): void => {
    returnFocus.current = from;
    setDeleteError(null);
    setConfirm(item);
  };

  const confirmDelete = async (): Promise<void> => {
    if (!confirm || !isRegistered(confirm)) return;
    setDeleting(true);
    setDeleteError(null);
    const result = await request<WebhookDeleteAnswer>('DELETE', webhookPath(confirm.id));
    setDeleting(false);
    if (!result.ok) {
      setDeleteError(result.error);
      // Already gone in Shopify: the list is out of date.
      if (result.error.status === 404) void reload();
      return;
    }
    setNotice({ kind: 'deleted', topic: confirm.topic });
    // The row (and its Delete button) goes away, so focus lands on the card heading instead. The modal
    // focuses the first focusable element inside `returnFocus`, hence the heading's parent.
    returnFocus.current = headingRef.current?.parentElement ?? null;
    setConfirm(null);
    void reload();
    onChange?.();
  };

  const items = data?.items ?? [];
  const total = data?.total ?? 0;

  return (
    <Card padding="0">
      <div data-testid="webhooks">
        <BlockStack>
          <div className="ecs-card-header">
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="start" gap="300">
                <div ref={headingRef} tabIndex={-1} className="ecs-focus-target">
                  <BlockStack gap="100">
                    <Text as="h2" variant="headingMd">
                      Subscriptions registered through the Admin API
                    </Text>
                    <Text as="p" tone="subdued">
                      Only for topics the app registers through the Admin API. Topics declared in the app configuration
                      are not listed here; do not re-register them, or Shopify delivers every change twice.
                    </Text>
                  </BlockStack>
                </div>
                <InlineStack gap="200" blockAlign="center">
                  {refreshing && data ? <Spinner size="small" accessibilityLabel="Updating webhook subscriptions" /> : null}
                  <Button onClick={() => void reload()} disabled={refreshing}>
                    Refresh
                  </Button>
                  <Button onClick={() => void register()} loading={registering}>
                    Re-register missing
                  </Button>
                </InlineStack>
              </InlineStack>
              <div className="ecs-filter">
                <Select
                  label="Subscription status"
                  name="filter"
                  options={FILTER_OPTIONS}
                  value={filter}
                  onChange={changeFilter}
                />
              </div>
              <Text as="p" tone="subdued" variant="bodySm">
                Compliance topics (customers/data_request, customers/redact and shop/redact) are managed by the app
                configuration, not here.
              </Text>
              <div aria-live="polite" data-testid="webhooks-notice">
                {notice?.kind === 'registered' ? (
                  <Banner
                    tone="success"
                    title={
                      notice.count === 0
                        ? 'Nothing needed registering'
                        : `${plural(notice.count, 'subscription', 'subscriptions')} registered`
                    }
                    onDismiss={() => setNotice(null)}
                  >
                    <Text as="p">
                      {notice.count === 0
                        ? 'Every subscription the app needs was already in place.'
                        : 'Shopify sends these events to the app again. The list shows their current state.'}
                    </Text>
                  </Banner>
                ) : null}
                {notice?.kind === 'deleted' ? (
                  <Banner tone="success" title={`Subscription to ${notice.topic} deleted`} onDismiss={() => setNotice(null)}>
                    <Text as="p">If the app needs it, it shows as missing; “Re-register missing” adds it back.</Text>
                  </Banner>
                ) : null}
              </div>
              {notice?.kind === 'error' ? (
                <ApiErrorBanner title={notice.title} error={notice.error} onDismiss={() => setNotice(null)} />
              ) : null}
            </BlockStack>
          </div>

          {error ? (
            <div className="ecs-card-body">
              <ApiErrorBanner
                title={data ? 'Could not refresh the subscriptions' : 'Webhook subscriptions could not be loaded'}
                error={error}
                onRetry={() => void reload()}
              />
            </div>
          ) : null}
          {loading && !data ? (
            <div className="ecs-card-body">
              <CardLoading label="Loading webhook subscriptions" lines={4} />
            </div>
          ) : null}
          {data ? (
            items.length === 0 ? (
              <EmptyMessage heading={EMPTY_TEXT[filter].heading}>{EMPTY_TEXT[filter].body}</EmptyMessage>
            ) : (
              <div aria-busy={refreshing}>
                <WebhookSubscriptionsTable
                  items={items}
                  onOpen={(item, from) => {
                    returnFocus.current = from;
                    setOpen(item);
                  }}
                  onDelete={askDelete}
                />
              </div>
            )
          ) : null}
          {data ? (
            <div className="ecs-card-footer">
              <Pager
                page={data.page || page}
                pageSize={data.pageSize || pageSize}
                total={total}
                noun="subscriptions"
                onPage={setPage}
              />
            </div>
          ) : null}
        </BlockStack>
      </div>

      <WebhookSubscriptionDetailModal item={open} onClose={() => setOpen(null)} activator={returnFocus} />

      <Modal
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        title={confirm ? `Delete the subscription to ${confirm.topic}?` : 'Delete the subscription?'}
        activator={returnFocus}
        primaryAction={{
          content: 'Delete subscription',
          destructive: true,
          loading: deleting,
          onAction: () => void confirmDelete(),
        }}
        secondaryActions={[{ content: 'Keep it', onAction: () => setConfirm(null) }]}
      >
        <Modal.Section>
          <div data-testid="webhook-delete-confirm">
            <BlockStack gap="300">
              <Text as="p">
                Shopify stops sending these events to the app. Consent changes of this kind then reach edrone only at the
                next reconciliation, until you select “Re-register missing”.
              </Text>
              {confirm?.address ? (
                <Text as="p" tone="subdued" breakWord>
                  {`Address: ${confirm.address}`}
                </Text>
              ) : null}
              {deleteError ? <ApiErrorBanner title="The subscription was not deleted" error={deleteError} /> : null}
            </BlockStack>
          </div>
        </Modal.Section>
      </Modal>
    </Card>
  );
}
