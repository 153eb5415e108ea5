/**
 * `s3://bucket/key` URIs: parsing and the checks the form applies to channel
 * and output locations.
 */

/** A parsed S3 URI. */
export interface IS3Uri {
  bucket: string;
  /** The key or prefix below the bucket ("" for the bucket itself). */
  key: string;
}

/**
 * Names of existing buckets, as loosely as the server accepts them (legacy
 * and S3-compatible stores allow more than S3's rules for new buckets).
 */
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/;

/** Parse `s3://bucket/key`, or null when it is not one. */
export function parseS3Uri(uri: string): IS3Uri | null {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri.trim());
  if (!match) {
    return null;
  }
  return { bucket: match[1], key: match[2] ?? '' };
}

/** Why `uri` is not a usable S3 location, or null if it is. */
export function s3UriError(uri: string): string | null {
  const text = uri.trim();
  if (text === '') {
    return 'Enter an S3 URI, e.g. s3://bucket/prefix/';
  }
  const parsed = parseS3Uri(text);
  if (!parsed) {
    return 'Must look like s3://bucket/prefix/';
  }
  if (!BUCKET.test(parsed.bucket) || parsed.bucket.includes('..')) {
    return `“${parsed.bucket}” is not a valid bucket name.`;
  }
  return null;
}

/** `s3://bucket/prefix` of a bucket and key or prefix. */
export function s3Uri(bucket: string, key = ''): string {
  return `s3://${bucket}/${key}`;
}
