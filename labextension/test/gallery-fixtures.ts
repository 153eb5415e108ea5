import type {
  IExample,
  IListReply,
  IValidationRun
} from '../src/gallery/types';

/** An example as the server lists it (the shipped "S3 from notebook magics"). */
export function example(overrides: Partial<IExample> = {}): IExample {
  return {
    id: 'YnVpbHRpbgpkYXRhL3MzLW1hZ2ljcy5pcHluYg',
    source: 'builtin',
    name: 's3-magics.ipynb',
    category: 'data',
    title: 'S3 from notebook magics',
    summary:
      '%s3 ls, cp (local and S3, recursive, with progress), presign and rm in a notebook.',
    tags: ['s3', 'magics'],
    kernel: 'python3',
    language: 'python',
    author: '',
    packages: [],
    modified: '2026-11-28T09:12:17.283112+00:00',
    size: 2249,
    reviewed: true,
    valid: true,
    error: null,
    validation: { status: 'not-run' },
    ...overrides
  };
}

/** A list reply around some examples. */
export function listReply(
  examples: IExample[],
  overrides: Partial<IListReply> = {}
): IListReply {
  return {
    examples,
    total: examples.length,
    next_token: null,
    categories: ['data', 'getting-started', 'r'],
    tags: ['magics', 's3'],
    sources: [
      { name: 'builtin', kind: 'package', reviewed: true, writable: false }
    ],
    ...overrides
  };
}

/** A validation run. */
export function run(overrides: Partial<IValidationRun> = {}): IValidationRun {
  return {
    id: 'abc123',
    status: 'InProgress',
    total: 2,
    done: 0,
    results: [],
    ...overrides
  };
}
