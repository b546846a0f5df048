import { Button, Group, Pagination, Text } from '@mantine/core';
import { formatCount, isOverLimit } from '@/lib/counts';

export type PagerProps = {
  /** The navigation's accessible name, for example "Pages of people". */
  label: string;
  /** The current page, from 1. */
  page: number;
  pageSize: number;
  /** How many rows this page shows. */
  shown: number;
  /**
   * How many rows there are in all (past EXACT_COUNT_LIMIT only "more than", see lib/counts), or null when
   * the list does not count them. Without an exact total, `hasMore` drives paging.
   */
  total: number | null;
  /** Without an exact total: whether there is a next page. */
  hasMore?: boolean;
  onChange: (page: number) => void;
};

/**
 * The one pager of the app's lists: a labelled navigation saying which rows
 * are shown, of how many and how many a page holds, with numbered pages when
 * the total is known exactly and Previous/Next when it is not. Nothing when
 * everything fits on one page.
 */
export function Pager({ label, page, pageSize, shown, total, hasMore = false, onChange }: PagerProps) {
  const exact = total !== null && !isOverLimit(total);
  const pages = exact ? Math.max(1, Math.ceil(total / pageSize)) : null;
  if (pages === null ? page === 1 && !hasMore : pages === 1) return null;

  const from = (page - 1) * pageSize + 1;
  const rows = shown > 0 ? `${from}–${from + shown - 1}` : 'none';
  const summary = `Showing ${rows}${total === null ? '' : ` of ${formatCount(total)}`}, ${pageSize} per page`;

  return (
    <Group component="nav" aria-label={label} justify="center" gap="sm" wrap="wrap">
      <Text size="sm" c="dimmed" aria-live="polite">
        {summary}
      </Text>
      {pages === null ? (
        <Group gap="sm">
          <Button variant="default" disabled={page === 1} onClick={() => onChange(page - 1)}>
            Previous page
          </Button>
          <Text size="sm">Page {page}</Text>
          <Button variant="default" disabled={!hasMore} onClick={() => onChange(page + 1)}>
            Next page
          </Button>
        </Group>
      ) : (
        <Pagination
          total={pages}
          value={page}
          onChange={onChange}
          getControlProps={(control) => ({ 'aria-label': `${control} page` })}
          getItemProps={(p) => ({ 'aria-label': `Page ${p}`, 'aria-current': p === page ? 'page' : undefined })}
        />
      )}
    </Group>
  );
}
