import {
  asPrefix,
  baseName,
  breadcrumbs,
  bucketNameProblem,
  extension,
  formatDestination,
  moveTarget,
  nameProblem,
  parentPrefix,
  parseDestination,
  s3Uri,
  uploadKey
} from '../src/s3/paths';
import { collapseCrumbs } from '../src/s3/crumbs';

describe('prefixes and names', () => {
  it('finds the parent prefix', () => {
    expect(parentPrefix('')).toBe('');
    expect(parentPrefix('a/')).toBe('');
    expect(parentPrefix('a/b/')).toBe('a/');
    expect(parentPrefix('a/b/c.txt')).toBe('a/b/');
  });

  it('takes the last segment', () => {
    expect(baseName('a/b/c.txt')).toBe('c.txt');
    expect(baseName('a/b/')).toBe('b');
    expect(baseName('top')).toBe('top');
  });

  it('turns typed text into a prefix', () => {
    expect(asPrefix('')).toBe('');
    expect(asPrefix('  /data//  ')).toBe('data/');
    expect(asPrefix('a/b')).toBe('a/b/');
  });

  it('builds s3:// URIs without encoding the key', () => {
    expect(s3Uri('bkt')).toBe('s3://bkt/');
    expect(s3Uri('bkt', 'a b/ü.csv')).toBe('s3://bkt/a b/ü.csv');
  });

  it('reads extensions in lower case', () => {
    expect(extension('a/B.CSV')).toBe('csv');
    expect(extension('a/.hidden')).toBe('');
    expect(extension('a/noext')).toBe('');
    expect(extension('x.tar.gz')).toBe('gz');
  });

  it('makes upload keys below a prefix', () => {
    expect(uploadKey('', 'f.txt')).toBe('f.txt');
    expect(uploadKey('data/', 'f.txt')).toBe('data/f.txt');
  });
});

describe('breadcrumbs', () => {
  it('lists the bucket, then each folder with its prefix', () => {
    expect(breadcrumbs('b', '')).toEqual([{ label: 'b', prefix: '' }]);
    expect(breadcrumbs('b', 'x/y/')).toEqual([
      { label: 'b', prefix: '' },
      { label: 'x', prefix: 'x/' },
      { label: 'y', prefix: 'x/y/' }
    ]);
  });

  it('collapses the middle of a deep trail into one "…" step', () => {
    const crumbs = breadcrumbs('b', '1/2/3/4/');
    const items = collapseCrumbs(crumbs, 2);
    expect(items).toEqual([
      { label: 'b', prefix: '' },
      { ellipsis: true, prefix: '1/2/', hidden: ['1', '2'] },
      { label: '3', prefix: '1/2/3/' },
      { label: '4', prefix: '1/2/3/4/' }
    ]);
    expect(collapseCrumbs(breadcrumbs('b', '1/2/'), 2)).toHaveLength(3);
  });
});

describe('validation', () => {
  it('accepts folder names, nested ones too', () => {
    expect(nameProblem('data')).toBeNull();
    expect(nameProblem('data/2024/')).toBeNull();
    expect(nameProblem('ünïcode name')).toBeNull();
  });

  it('refuses empty, absolute, dot and control-character names', () => {
    expect(nameProblem('  ')).toMatch(/Enter a name/);
    expect(nameProblem('/abs')).toMatch(/start with/);
    expect(nameProblem('a/../b')).toMatch(/segments/);
    expect(nameProblem('a//b')).toMatch(/segments/);
    expect(nameProblem('a\u0001b')).toMatch(/control/);
  });

  it("checks S3's bucket naming rules", () => {
    expect(bucketNameProblem('my-data.2024')).toBeNull();
    expect(bucketNameProblem('ab')).toMatch(/3 to 63/);
    expect(bucketNameProblem('x'.repeat(64))).toMatch(/3 to 63/);
    expect(bucketNameProblem('Upper')).toMatch(/lower-case/);
    expect(bucketNameProblem('-start')).toMatch(/lower-case/);
    expect(bucketNameProblem('a..b')).toMatch(/two dots/);
    expect(bucketNameProblem('192.168.1.1')).toMatch(/IP address/);
    expect(bucketNameProblem('xn--abc')).toMatch(/xn--/);
  });
});

describe('destinations', () => {
  it('parses bucket/prefix, s3:// URIs and bare buckets', () => {
    expect(parseDestination('mlstudio/')).toEqual({ bucket: 'mlstudio', prefix: '' });
    expect(parseDestination('mlstudio/data/raw')).toEqual({ bucket: 'mlstudio', prefix: 'data/raw/' });
    expect(parseDestination(' s3://b/x/ ')).toEqual({ bucket: 'b', prefix: 'x/' });
    expect(parseDestination('b')).toEqual({ bucket: 'b', prefix: '' });
    expect(parseDestination('')).toBeNull();
    expect(parseDestination('s3://')).toBeNull();
  });

  it('round-trips with formatDestination', () => {
    expect(parseDestination(formatDestination('b', 'p/q/'))).toEqual({ bucket: 'b', prefix: 'p/q/' });
  });

  it('reads move targets in the same or another bucket', () => {
    expect(moveTarget('b', 'a.txt', 'c/a.txt')).toEqual({ destBucket: 'b', dest: 'c/a.txt' });
    expect(moveTarget('b', 'a.txt', 's3://other/z.txt')).toEqual({ destBucket: 'other', dest: 'z.txt' });
    expect(moveTarget('b', 'dir/', 'new')).toEqual({ destBucket: 'b', dest: 'new/' });
    expect(moveTarget('b', 'a.txt', 'a.txt')).toBeNull();
    expect(moveTarget('b', 'a.txt', '  ')).toBeNull();
    expect(moveTarget('b', 'a.txt', 's3://other')).toBeNull();
  });
});
