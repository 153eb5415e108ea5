import {
  emptyQuery,
  isFiltered,
  listPath,
  PAGE_SIZE,
  sameQuery
} from '../src/gallery/query';

/** The parameters of a path made by listPath. */
function params(path: string): Record<string, string> {
  const [route, search] = path.split('?');
  expect(route).toBe('examples');
  return Object.fromEntries(new URLSearchParams(search));
}

describe('listPath', () => {
  it('asks only for a page size when nothing is filtered', () => {
    expect(listPath(emptyQuery())).toBe(`examples?max_results=${PAGE_SIZE}`);
  });

  it('sends every set filter, with reviewed as true/false', () => {
    const path = listPath({
      category: 'data/s3',
      tag: 'magics',
      q: '  s3 magics ',
      source: 'team',
      reviewed: 'unreviewed'
    });
    expect(params(path)).toEqual({
      category: 'data/s3',
      tag: 'magics',
      q: 's3 magics',
      source: 'team',
      reviewed: 'false',
      max_results: String(PAGE_SIZE)
    });
    expect(
      params(listPath({ ...emptyQuery(), reviewed: 'reviewed' })).reviewed
    ).toBe('true');
  });

  it('encodes text so it cannot break the query string', () => {
    const path = listPath({ ...emptyQuery(), q: 'a&b=c #1 ü' });
    expect(path).not.toContain(' ');
    expect(params(path).q).toBe('a&b=c #1 ü');
  });

  it('adds next_token and max_results for further pages', () => {
    expect(params(listPath(emptyQuery(), '48', 10))).toEqual({
      max_results: '10',
      next_token: '48'
    });
  });
});

describe('sameQuery / isFiltered', () => {
  it('ignores surrounding spaces of the search text', () => {
    expect(
      sameQuery({ ...emptyQuery(), q: 'x ' }, { ...emptyQuery(), q: ' x' })
    ).toBe(true);
    expect(sameQuery({ ...emptyQuery(), tag: 'a' }, emptyQuery())).toBe(false);
  });

  it('knows an empty query from a filtered one', () => {
    expect(isFiltered(emptyQuery())).toBe(false);
    expect(isFiltered({ ...emptyQuery(), q: '   ' })).toBe(false);
    expect(isFiltered({ ...emptyQuery(), reviewed: 'reviewed' })).toBe(true);
  });
});
