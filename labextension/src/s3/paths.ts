/**
 * Keys, prefixes, breadcrumbs and `s3://` URIs (pure; no JupyterLab imports).
 *
 * A prefix is "" (the bucket's top level) or a key ending in "/".
 */

/** One step of the breadcrumb trail. */
export interface ICrumb {
  /** Text of the step: the bucket name or one folder name. */
  label: string;
  /** Prefix the step leads to ("" for the bucket). */
  prefix: string;
}

/** Where an upload or a move goes. */
export interface IDestination {
  bucket: string;
  /** A prefix ("" or ending in "/"). */
  prefix: string;
}

/** The prefix one level above `prefix` ("" stays ""). */
export function parentPrefix(prefix: string): string {
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  const cut = trimmed.lastIndexOf('/');
  return cut === -1 ? '' : trimmed.slice(0, cut + 1);
}

/** The last segment of a key or prefix, without a trailing "/". */
export function baseName(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** The breadcrumb trail from the bucket down to `prefix`. */
export function breadcrumbs(bucket: string, prefix: string): ICrumb[] {
  const crumbs: ICrumb[] = [{ label: bucket, prefix: '' }];
  let current = '';
  for (const part of prefix.split('/')) {
    if (part === '') {
      continue;
    }
    current += `${part}/`;
    crumbs.push({ label: part, prefix: current });
  }
  return crumbs;
}

/** Turn what a user typed into a prefix: no leading "/", one trailing "/". */
export function asPrefix(text: string): string {
  const trimmed = text.trim().replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/** `s3://bucket/key` (keys are not URL-encoded, as the AWS CLI writes them). */
export function s3Uri(bucket: string, key = ''): string {
  return `s3://${bucket}/${key}`;
}

/**
 * Why `name` cannot be a folder or file name typed by the user, or `null`.
 *
 * Names may contain "/" to make several levels at once; empty, "." and ".."
 * segments and control characters are refused (the server refuses them too).
 */
export function nameProblem(name: string): string | null {
  const trimmed = name.trim().replace(/\/+$/, '');
  if (trimmed === '') {
    return 'Enter a name.';
  }
  if (trimmed.startsWith('/')) {
    return 'A name cannot start with "/".';
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) {
    return 'A name cannot contain control characters.';
  }
  if (trimmed.split('/').some(p => p === '' || p === '.' || p === '..')) {
    return 'A name cannot contain empty, "." or ".." path segments.';
  }
  return null;
}

/**
 * Why `name` cannot be a new bucket's name (S3's naming rules), or `null`.
 */
export function bucketNameProblem(name: string): string | null {
  if (name.length < 3 || name.length > 63) {
    return 'Bucket names are 3 to 63 characters long.';
  }
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return 'Use lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit.';
  }
  if (name.includes('..')) {
    return 'A bucket name cannot contain two dots in a row.';
  }
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) {
    return 'A bucket name cannot look like an IP address.';
  }
  if (name.startsWith('xn--') || name.endsWith('-s3alias')) {
    return 'A bucket name cannot start with "xn--" or end with "-s3alias".';
  }
  return null;
}

/**
 * Parse a destination typed as `bucket/prefix/`, `s3://bucket/prefix/` or
 * `bucket`; `null` when no bucket is given.
 */
export function parseDestination(text: string): IDestination | null {
  let rest = text.trim();
  if (rest.toLowerCase().startsWith('s3://')) {
    rest = rest.slice(5);
  }
  rest = rest.replace(/^\/+/, '');
  const cut = rest.indexOf('/');
  const bucket = cut === -1 ? rest : rest.slice(0, cut);
  if (bucket === '') {
    return null;
  }
  return { bucket, prefix: cut === -1 ? '' : asPrefix(rest.slice(cut + 1)) };
}

/** The text `parseDestination` reads back as `bucket` and `prefix`. */
export function formatDestination(bucket: string, prefix: string): string {
  return `${bucket}/${prefix}`;
}

/**
 * Where a rename or move of `path` goes, from the text the user typed.
 *
 * The text is a key in the same bucket, or an `s3://bucket/key` URI for
 * another bucket. Folders (paths ending in "/") stay folders. Returns `null`
 * when the text is empty or names the same place.
 */
export function moveTarget(
  bucket: string,
  path: string,
  text: string
): { destBucket: string; dest: string } | null {
  const folder = path.endsWith('/');
  let destBucket = bucket;
  let dest = text.trim();
  if (dest.toLowerCase().startsWith('s3://')) {
    const parsed = dest.slice(5);
    const cut = parsed.indexOf('/');
    destBucket = cut === -1 ? parsed : parsed.slice(0, cut);
    dest = cut === -1 ? '' : parsed.slice(cut + 1);
  }
  dest = dest.replace(/^\/+/, '');
  if (folder) {
    dest = asPrefix(dest);
  }
  if (dest === '' || destBucket === '') {
    return null;
  }
  if (destBucket === bucket && dest === path) {
    return null;
  }
  return { destBucket, dest };
}

/** The key of `fileName` uploaded into `prefix`. */
export function uploadKey(prefix: string, fileName: string): string {
  return `${prefix}${fileName}`;
}

/** The lower-case extension of a key ("" when none), e.g. "csv" or "gz". */
export function extension(key: string): string {
  const name = baseName(key);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}
