import { useState } from 'react';

export interface PageInfoLike {
  endCursor?: string | null;
  hasNextPage: boolean;
}

/**
 * Cursor paging for a connection: the cursors of the pages already seen are kept so
 * "Previous" goes back without the API having to page backwards.
 */
export function usePager(): { after: string | null; reset: () => void; next: (c: string) => void; prev: () => void; page: number } {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  return {
    after: stack[stack.length - 1],
    page: stack.length,
    reset: () => setStack([null]),
    next: (cursor) => setStack((s) => [...s, cursor]),
    prev: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
  };
}

export function Pager({
  pager,
  pageInfo,
  shown,
  total,
  testId,
}: {
  pager: ReturnType<typeof usePager>;
  pageInfo: PageInfoLike;
  shown: number;
  total: number;
  testId: string;
}) {
  if (pager.page === 1 && !pageInfo.hasNextPage) return null;
  return (
    <nav className="toolbar" aria-label="Pages" data-testid={testId}>
      <button type="button" className="btn btn-small" disabled={pager.page === 1} onClick={pager.prev}>
        Previous
      </button>
      <span className="muted small">
        page {pager.page} · {shown} of {total}
      </span>
      <button
        type="button"
        className="btn btn-small"
        disabled={!pageInfo.hasNextPage || !pageInfo.endCursor}
        onClick={() => pageInfo.endCursor && pager.next(pageInfo.endCursor)}
      >
        Next
      </button>
    </nav>
  );
}
