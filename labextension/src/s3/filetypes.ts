/**
 * What can be done with an object, by its key: open in JupyterLab, preview,
 * read with pandas; and the Python code that reads it (pure).
 */
import { baseName, extension, s3Uri } from './paths';

/** How the preview shows an object. */
export type PreviewKind = 'text' | 'csv' | 'json' | 'image';

const OPENABLE = new Set([
  'ipynb', 'txt', 'csv', 'tsv', 'json', 'jsonl', 'ndjson', 'geojson', 'py', 'md',
  'markdown', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'log', 'sh', 'r', 'sql', 'xml', 'svg'
]);

const TEXT = new Set([
  'txt', 'md', 'markdown', 'py', 'log', 'yaml', 'yml', 'toml', 'ini', 'cfg', 'conf',
  'sh', 'r', 'sql', 'xml', 'html', 'htm', 'js', 'ts', 'css', 'scala', 'java', 'c', 'h',
  'cpp', 'go', 'rs', 'tex', 'rst', 'out', 'err', 'properties', 'env', 'dockerfile'
]);

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  ico: 'image/x-icon',
  svg: 'image/svg+xml'
};

/** Bytes of a text preview (the first MiB). */
export const TEXT_PREVIEW_BYTES = 1024 * 1024;

/** Largest image shown whole in a preview. */
export const IMAGE_PREVIEW_MAX_BYTES = 10 * 1024 * 1024;

/** Whether JupyterLab can open a workspace copy of the object as a document. */
export function isOpenable(key: string): boolean {
  return !key.endsWith('/') && OPENABLE.has(extension(key));
}

/** How the object is previewed, or `null` when it is not. */
export function previewKind(key: string): PreviewKind | null {
  if (key.endsWith('/')) {
    return null;
  }
  const ext = extension(key);
  if (ext === 'csv' || ext === 'tsv') {
    return 'csv';
  }
  if (ext === 'json' || ext === 'jsonl' || ext === 'ndjson' || ext === 'geojson' || ext === 'ipynb') {
    return 'json';
  }
  if (ext in IMAGE_TYPES) {
    return 'image';
  }
  if (TEXT.has(ext) || baseName(key).toLowerCase() === 'dockerfile') {
    return 'text';
  }
  return null;
}

/** The MIME type of an image key (for a Blob), or `null`. */
export function imageType(key: string): string | null {
  return IMAGE_TYPES[extension(key)] ?? null;
}

/** A Python string literal for `value` (JSON escapes are valid Python escapes). */
export function pyString(value: string): string {
  return JSON.stringify(value);
}

/** The pandas call that reads a file of this key from a binary stream, or `null`. */
function pandasReader(key: string): string | null {
  const name = baseName(key).toLowerCase();
  const compression = /\.(gz|bz2|zst|xz|zip)$/.exec(name);
  const inner = compression ? name.slice(0, compression.index) : name;
  const ext = inner.slice(inner.lastIndexOf('.') + 1);
  const comp = compression
    ? `, compression=${pyString(compression[1] === 'zst' ? 'zstd' : compression[1] === 'gz' ? 'gzip' : compression[1])}`
    : '';
  switch (ext) {
    case 'csv':
      return `pd.read_csv(body${comp})`;
    case 'tsv':
      return `pd.read_csv(body, sep="\\t"${comp})`;
    case 'json':
      return `pd.read_json(body${comp})`;
    case 'jsonl':
    case 'ndjson':
      return `pd.read_json(body, lines=True${comp})`;
    case 'parquet':
    case 'pq':
      return compression ? null : 'pd.read_parquet(body)';
    case 'feather':
      return compression ? null : 'pd.read_feather(body)';
    case 'xlsx':
    case 'xls':
      return compression ? null : 'pd.read_excel(body)';
    default:
      return null;
  }
}

/**
 * Python code that reads `s3://bucket/key` in a notebook: boto3's get_object,
 * then pandas for tabular formats (csv, tsv, json, jsonl, parquet, …).
 *
 * Kernels started by the server have the S3 endpoint and credentials in
 * their environment, so `boto3.client("s3")` needs no arguments.
 */
export function pythonSnippet(bucket: string, key: string): string {
  const reader = pandasReader(key);
  const lines = [`# ${s3Uri(bucket, key)}`];
  if (reader) {
    lines.push('import io', '', 'import boto3', 'import pandas as pd', '');
  } else {
    lines.push('import boto3', '');
  }
  lines.push(
    's3 = boto3.client("s3")',
    `obj = s3.get_object(Bucket=${pyString(bucket)}, Key=${pyString(key)})`
  );
  if (reader) {
    lines.push('body = io.BytesIO(obj["Body"].read())', `df = ${reader}`, 'df.head()');
  } else {
    lines.push('data = obj["Body"].read()  # bytes');
  }
  return lines.join('\n') + '\n';
}
