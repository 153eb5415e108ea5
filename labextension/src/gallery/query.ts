/**
 * The gallery's filters and the `GET examples` path they make.
 */

/** Which review state to list. */
export type ReviewFilter = 'all' | 'reviewed' | 'unreviewed';

/** The filters of the gallery view. Empty strings mean "any". */
export interface IGalleryQuery {
  category: string;
  tag: string;
  /** Free text; the server matches every word against title, summary, tags, file and author. */
  q: string;
  source: string;
  reviewed: ReviewFilter;
}

/** Examples per page. */
export const PAGE_SIZE = 48;

/** No filter at all. */
export function emptyQuery(): IGalleryQuery {
  return { category: '', tag: '', q: '', source: '', reviewed: 'all' };
}

/** Whether two queries ask for the same examples. */
export function sameQuery(a: IGalleryQuery, b: IGalleryQuery): boolean {
  return (
    a.category === b.category &&
    a.tag === b.tag &&
    a.q.trim() === b.q.trim() &&
    a.source === b.source &&
    a.reviewed === b.reviewed
  );
}

/**
 * The API path (below `mlstudio/api/`) that lists one page of examples.
 *
 * Only set filters become parameters; `nextToken` asks for the page after the
 * one that returned it.
 */
export function listPath(
  query: IGalleryQuery,
  nextToken: string | null = null,
  maxResults: number = PAGE_SIZE
): string {
  const params = new URLSearchParams();
  if (query.category) {
    params.set('category', query.category);
  }
  if (query.tag) {
    params.set('tag', query.tag);
  }
  const q = query.q.trim();
  if (q) {
    params.set('q', q);
  }
  if (query.source) {
    params.set('source', query.source);
  }
  if (query.reviewed !== 'all') {
    params.set('reviewed', query.reviewed === 'reviewed' ? 'true' : 'false');
  }
  params.set('max_results', String(maxResults));
  if (nextToken) {
    params.set('next_token', nextToken);
  }
  return `examples?${params.toString()}`;
}

/** Whether any filter is set (for an "no matches" vs "no examples" message). */
export function isFiltered(query: IGalleryQuery): boolean {
  return (
    query.category !== '' ||
    query.tag !== '' ||
    query.q.trim() !== '' ||
    query.source !== '' ||
    query.reviewed !== 'all'
  );
}
