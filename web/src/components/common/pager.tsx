// Previous/next pagination with a "Page 2 of 5" label, shared by Activity and Failures.
import { InlineStack, Pagination } from '@shopify/polaris';
import { formatCount } from '../../format.js';

interface Props {
  page: number;
  pageSize: number;
  total: number;
  /** Plural noun for the label, e.g. "changes". */
  noun: string;
  onPage: (page: number) => void;
}

export function Pager({ page, pageSize, total, noun, onPage }: Props) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (total <= pageSize && page <= 1) return null;
  return (
    <div data-testid="pager">
      <InlineStack align="center">
        <Pagination
          hasPrevious={page > 1}
          onPrevious={() => onPage(page - 1)}
          hasNext={page < pages}
          onNext={() => onPage(page + 1)}
          label={`Page ${formatCount(page)} of ${formatCount(pages)} (${formatCount(total)} ${noun})`}
          accessibilityLabel={`Pages of ${noun}`}
          accessibilityLabels={{ previous: 'Previous page', next: 'Next page' }}
        />
      </InlineStack>
    </div>
  );
}
