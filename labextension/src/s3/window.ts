/**
 * Windowing of a long list with rows of one height (pure): only the rows in
 * view, plus a few around them, are in the DOM.
 */

/** A half-open range of row indices, `[start, end)`. */
export interface IRowRange {
  start: number;
  end: number;
}

/**
 * The rows to render for a viewport scrolled to `scrollTop`.
 *
 * @param overscan - extra rows rendered above and below the visible ones
 */
export function visibleRows(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 10
): IRowRange {
  if (count <= 0 || rowHeight <= 0) {
    return { start: 0, end: 0 };
  }
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const shown = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(count, first) - overscan);
  const end = Math.min(count, first + shown + overscan);
  return { start, end: Math.max(start, end) };
}

/**
 * Whether the viewport is within `threshold` rows of the end of the list
 * (time to load the next page).
 */
export function nearEnd(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  threshold = 50
): boolean {
  return scrollTop + viewportHeight >= (count - threshold) * rowHeight;
}

/**
 * The scrollTop that brings row `index` into view (unchanged when it is
 * already visible).
 */
export function scrollToRow(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number
): number {
  const top = index * rowHeight;
  if (top < scrollTop) {
    return top;
  }
  if (top + rowHeight > scrollTop + viewportHeight) {
    return top + rowHeight - viewportHeight;
  }
  return scrollTop;
}
