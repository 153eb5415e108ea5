import {
  bucketEntries,
  DEFAULT_SORT,
  entriesFromPage,
  mergeEntries,
  nextSort,
  removeEntries,
  sortEntries,
  uploadedEntry,
  upsertEntry,
  type IEntry,
  type ISortState
} from '../src/s3/entries';
import type { IListingPage } from '../src/s3/types';

function page(prefix: string, folders: string[], objects: [string, number, string][]): IListingPage {
  return {
    bucket: 'b',
    prefix,
    folders: folders.map(p => ({ name: p.slice(prefix.length), prefix: p })),
    objects: objects.map(([key, size, modified]) => ({
      name: key.slice(prefix.length),
      key,
      size,
      last_modified: modified,
      storage_class: 'STANDARD',
      etag: 'e'
    })),
    next_token: null,
    truncated: false
  };
}

function obj(path: string, size = 0, modified = '2024-01-01T00:00:00+00:00'): IEntry {
  return { kind: 'object', path, name: path, size, modified, time: Date.parse(modified) };
}

function folder(path: string): IEntry {
  return { kind: 'folder', path, name: path.replace(/\/$/, ''), size: null, modified: null, time: -Infinity };
}

describe('entriesFromPage', () => {
  it('names rows relative to the folder shown, folders without the "/"', () => {
    const rows = entriesFromPage(
      page('d/', ['d/sub/'], [['d/a.csv', 10, '2024-05-01T10:00:00+00:00']]),
      'd/'
    );
    expect(rows).toEqual([
      { kind: 'folder', path: 'd/sub/', name: 'sub', size: null, modified: null, time: -Infinity },
      {
        kind: 'object',
        path: 'd/a.csv',
        name: 'a.csv',
        size: 10,
        modified: '2024-05-01T10:00:00+00:00',
        time: Date.parse('2024-05-01T10:00:00+00:00')
      }
    ]);
  });

  it('shows search results (recursive) below the folder, markers as folders', () => {
    const rows = entriesFromPage(
      page('d/x', [], [
        ['d/x1/', 0, '2024-01-01T00:00:00Z'],
        ['d/x1/deep.txt', 3, '2024-01-01T00:00:00Z']
      ]),
      'd/'
    );
    expect(rows.map(r => [r.kind, r.name])).toEqual([
      ['folder', 'x1'],
      ['object', 'x1/deep.txt']
    ]);
  });

  it('keeps unknown dates sortable', () => {
    const [row] = entriesFromPage(page('', [], [['k', 1, null as unknown as string]]), '');
    expect(row.time).toBe(-Infinity);
  });
});

describe('sorting', () => {
  const rows = [obj('b.txt', 5, '2024-03-01T00:00:00Z'), folder('z/'), obj('A.txt', 50, '2024-01-01T00:00:00Z'), obj('file10', 5), obj('file9', 5), folder('a/')];

  it('puts folders first, names in natural, case-insensitive order', () => {
    expect(sortEntries(rows, DEFAULT_SORT).map(r => r.path)).toEqual(['a/', 'z/', 'A.txt', 'b.txt', 'file9', 'file10']);
    expect(sortEntries(rows, { field: 'name', direction: 'desc' }).map(r => r.path)).toEqual([
      'z/', 'a/', 'file10', 'file9', 'b.txt', 'A.txt'
    ]);
  });

  it('sorts by size and date, ties in name order', () => {
    expect(sortEntries(rows, { field: 'size', direction: 'desc' }).map(r => r.path)).toEqual([
      'a/', 'z/', 'A.txt', 'b.txt', 'file9', 'file10'
    ]);
    expect(sortEntries(rows, { field: 'size', direction: 'asc' }).map(r => r.path)).toEqual([
      'a/', 'z/', 'b.txt', 'file9', 'file10', 'A.txt'
    ]);
    expect(sortEntries(rows, { field: 'modified', direction: 'desc' }).map(r => r.path)[2]).toBe('b.txt');
  });

  it('does not change its input', () => {
    const copy = rows.slice();
    sortEntries(rows, { field: 'size', direction: 'asc' });
    expect(rows).toEqual(copy);
  });

  it('flips the direction on the same column; size and date start descending', () => {
    expect(nextSort(DEFAULT_SORT, 'name')).toEqual({ field: 'name', direction: 'desc' });
    expect(nextSort(DEFAULT_SORT, 'size')).toEqual({ field: 'size', direction: 'desc' });
    expect(nextSort({ field: 'size', direction: 'desc' }, 'name')).toEqual({ field: 'name', direction: 'asc' });
  });
});

describe('merging pages', () => {
  const sorts: ISortState[] = [
    DEFAULT_SORT,
    { field: 'name', direction: 'desc' },
    { field: 'size', direction: 'asc' },
    { field: 'modified', direction: 'desc' }
  ];

  it('gives the same order as sorting everything, for every sort', () => {
    const first = [obj('k03', 3), obj('k01', 9), folder('f1/'), obj('k05', 1)];
    const second = [obj('k02', 4), folder('f0/'), obj('k04', 9), obj('k06', 0)];
    for (const sort of sorts) {
      const merged = mergeEntries(sortEntries(first, sort), second, sort);
      expect(merged.map(e => e.path)).toEqual(sortEntries([...first, ...second], sort).map(e => e.path));
    }
  });

  it('skips rows already listed', () => {
    const merged = mergeEntries([obj('a')], [obj('a'), obj('b'), obj('b')], DEFAULT_SORT);
    expect(merged.map(e => e.path)).toEqual(['a', 'b']);
  });

  it('merges 100 pages of 1000 rows quickly', () => {
    let rows: IEntry[] = [];
    const start = Date.now();
    for (let p = 0; p < 100; p++) {
      const pageRows: IEntry[] = [];
      for (let i = 0; i < 1000; i++) {
        pageRows.push(obj(`part-${String(p * 1000 + i).padStart(6, '0')}.csv`, i));
      }
      rows = mergeEntries(rows, pageRows, DEFAULT_SORT);
    }
    expect(rows).toHaveLength(100000);
    expect(rows[99999].path).toBe('part-099999.csv');
    expect(Date.now() - start).toBeLessThan(10000);
  });
});

describe('local updates', () => {
  it('inserts or replaces a row in order', () => {
    const rows = sortEntries([obj('a'), obj('c'), folder('d/')], DEFAULT_SORT);
    const added = upsertEntry(rows, obj('b', 7), DEFAULT_SORT);
    expect(added.map(e => e.path)).toEqual(['d/', 'a', 'b', 'c']);
    const replaced = upsertEntry(added, obj('b', 8), DEFAULT_SORT);
    expect(replaced).toHaveLength(4);
    expect(replaced.find(e => e.path === 'b')?.size).toBe(8);
  });

  it('removes rows by path', () => {
    expect(removeEntries([obj('a'), obj('b')], new Set(['a'])).map(e => e.path)).toEqual(['b']);
  });

  it('makes the row of an uploaded key: the object, or the folder it lands in', () => {
    const at = '2024-01-01T00:00:00.000Z';
    expect(uploadedEntry('d/', 'd/x.txt', 5, at)).toMatchObject({ kind: 'object', path: 'd/x.txt', name: 'x.txt', size: 5 });
    expect(uploadedEntry('d/', 'd/new/x.txt', 5, at)).toMatchObject({ kind: 'folder', path: 'd/new/', name: 'new' });
    expect(uploadedEntry('d/', 'e/x.txt', 5, at)).toBeNull();
    expect(uploadedEntry('', 'folder/', 0, at)).toMatchObject({ kind: 'folder', path: 'folder/' });
  });

  it('lists buckets as rows', () => {
    expect(bucketEntries([{ name: 'b1', created: null }])).toEqual([
      { kind: 'bucket', path: 'b1', name: 'b1', size: null, modified: null, time: -Infinity }
    ]);
  });
});
