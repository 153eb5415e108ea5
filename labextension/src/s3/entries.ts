/**
 * The rows of a listing: folders and objects from the API's pages, merged page
 * by page and kept sorted (pure).
 */
import type { IBucket, IListingPage } from './types';

/** What a row is. */
export type EntryKind = 'bucket' | 'folder' | 'object';

/** One row of the object list. */
export interface IEntry {
  kind: EntryKind;
  /** The object's key, the folder's prefix (ending in "/") or the bucket's name; unique in a list. */
  path: string;
  /** What the row shows: the path below the folder being viewed (folders without the final "/"). */
  name: string;
  /** Bytes; `null` for folders. */
  size: number | null;
  /** ISO 8601 last-modified (bucket: creation) time; `null` for folders. */
  modified: string | null;
  /** `modified` in ms since the epoch, `-Infinity` when unknown (for sorting). */
  time: number;
}

/** Columns the list sorts by. */
export type SortField = 'name' | 'size' | 'modified';

/** How the list is sorted. */
export interface ISortState {
  field: SortField;
  direction: 'asc' | 'desc';
}

/** The default order: by name, A to Z. */
export const DEFAULT_SORT: ISortState = { field: 'name', direction: 'asc' };

/**
 * The rows of one page. `base` is the folder being viewed: names are shown
 * relative to it (a recursive search lists keys several levels below it).
 */
export function entriesFromPage(page: IListingPage, base: string): IEntry[] {
  const rel = (path: string): string =>
    path.startsWith(base) && path.length > base.length ? path.slice(base.length) : path;
  const entries: IEntry[] = page.folders.map(f => ({
    kind: 'folder' as const,
    path: f.prefix,
    name: rel(f.prefix).replace(/\/$/, ''),
    size: null,
    modified: null,
    time: -Infinity
  }));
  const folders = new Set(entries.map(e => e.path));
  for (const o of page.objects) {
    if (o.key.endsWith('/')) {
      // A folder marker (an empty "dir/" object) met in a recursive listing.
      if (!folders.has(o.key)) {
        folders.add(o.key);
        entries.push({
          kind: 'folder',
          path: o.key,
          name: rel(o.key).replace(/\/$/, ''),
          size: null,
          modified: null,
          time: -Infinity
        });
      }
      continue;
    }
    const time = o.last_modified ? Date.parse(o.last_modified) : NaN;
    entries.push({
      kind: 'object',
      path: o.key,
      name: rel(o.key),
      size: o.size,
      modified: o.last_modified,
      time: Number.isNaN(time) ? -Infinity : time
    });
  }
  return entries;
}

/** The rows of a bucket list. */
export function bucketEntries(buckets: readonly IBucket[]): IEntry[] {
  return buckets.map(b => {
    const time = b.created ? Date.parse(b.created) : NaN;
    return {
      kind: 'bucket' as const,
      path: b.name,
      name: b.name,
      size: null,
      modified: b.created,
      time: Number.isNaN(time) ? -Infinity : time
    };
  });
}

/** The row of an object just uploaded into `base` (or a folder on its way). */
export function uploadedEntry(base: string, key: string, size: number, modified: string): IEntry | null {
  if (!key.startsWith(base) || key.length === base.length) {
    return null;
  }
  const rest = key.slice(base.length);
  const cut = rest.indexOf('/');
  if (cut !== -1) {
    const name = rest.slice(0, cut);
    return { kind: 'folder', path: `${base}${name}/`, name, size: null, modified: null, time: -Infinity };
  }
  return { kind: 'object', path: key, name: rest, size, modified, time: Date.parse(modified) };
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** The comparison function of a sort order: folders always come first. */
export function entryComparator(sort: ISortState): (a: IEntry, b: IEntry) => number {
  const sign = sort.direction === 'asc' ? 1 : -1;
  const byName = (a: IEntry, b: IEntry): number =>
    collator.compare(a.name, b.name) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return (a, b) => {
    if (a.kind !== b.kind && (a.kind === 'object' || b.kind === 'object')) {
      return a.kind === 'object' ? 1 : -1;
    }
    if (sort.field === 'name') {
      return sign * byName(a, b);
    }
    const order =
      sort.field === 'size'
        ? (a.size ?? -1) - (b.size ?? -1)
        : a.time === b.time
          ? 0
          : a.time < b.time
            ? -1
            : 1;
    // Equal sizes or dates stay in name order whatever the direction.
    return order !== 0 ? sign * order : byName(a, b);
  };
}

/** A sorted copy of `entries`. */
export function sortEntries(entries: readonly IEntry[], sort: ISortState): IEntry[] {
  return entries.slice().sort(entryComparator(sort));
}

/**
 * Add a page's rows to rows already sorted by `sort`: the page is sorted and
 * merged in linear time; rows whose path is already present are skipped.
 */
export function mergeEntries(
  sorted: readonly IEntry[],
  page: readonly IEntry[],
  sort: ISortState
): IEntry[] {
  const seen = new Set(sorted.map(e => e.path));
  const fresh: IEntry[] = [];
  for (const e of page) {
    if (!seen.has(e.path)) {
      seen.add(e.path);
      fresh.push(e);
    }
  }
  if (fresh.length === 0) {
    return sorted.slice();
  }
  const compare = entryComparator(sort);
  fresh.sort(compare);
  const out: IEntry[] = new Array(sorted.length + fresh.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < sorted.length && j < fresh.length) {
    out[k++] = compare(sorted[i], fresh[j]) <= 0 ? sorted[i++] : fresh[j++];
  }
  while (i < sorted.length) {
    out[k++] = sorted[i++];
  }
  while (j < fresh.length) {
    out[k++] = fresh[j++];
  }
  return out;
}

/** The sort after a click on the header of `field`: same field flips direction. */
export function nextSort(current: ISortState, field: SortField): ISortState {
  if (current.field === field) {
    return { field, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  }
  // Newest and largest first is what one usually looks for.
  return { field, direction: field === 'name' ? 'asc' : 'desc' };
}

/** Insert or replace one row, keeping the order (a linear-time update). */
export function upsertEntry(sorted: readonly IEntry[], entry: IEntry, sort: ISortState): IEntry[] {
  const out = sorted.filter(e => e.path !== entry.path);
  const compare = entryComparator(sort);
  let lo = 0;
  let hi = out.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(out[mid], entry) <= 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  out.splice(lo, 0, entry);
  return out;
}

/** The rows without the given paths. */
export function removeEntries(entries: readonly IEntry[], paths: ReadonlySet<string>): IEntry[] {
  return entries.filter(e => !paths.has(e.path));
}
