/**
 * The S3 browser's REST client: typed calls to `mlstudio/api/s3/…`.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_NAMESPACE, APIError, requestAPI } from '../api';
import { readJSONReply } from '../reply';
import type {
  IBucketsReply,
  IConnectionsReply,
  ICopyReply,
  IDeleteReply,
  IListingPage,
  IObjectMeta,
  IOpenReply,
  IPresignReply,
  IUploadReply
} from './types';
import {
  authHeaders,
  startUpload,
  xsrfCookie,
  type IUploadHandle,
  type IUploadProgress
} from './uploader';

/** Objects per listing page (the S3 maximum). */
export const PAGE_SIZE = 1000;

const enc = encodeURIComponent;

/** The page's cookies ("" outside a browser). */
function pageCookie(): string {
  return typeof document === 'undefined' ? '' : document.cookie;
}

/** The route of `what` in a bucket, below `mlstudio/api/`. */
export function bucketRoute(connection: string, bucket: string, what: string): string {
  return `s3/${enc(connection)}/buckets/${enc(bucket)}/${what}`;
}

/** A query string ("?a=1&b=2") of the parameters that are set. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === '' || value === false) {
      continue;
    }
    parts.push(`${enc(name)}=${enc(value === true ? '1' : String(value))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function post<T>(path: string, body: unknown): Promise<T> {
  return requestAPI<T>(path, { method: 'POST', body: JSON.stringify(body) });
}

/** The configured connections. */
export function listConnections(): Promise<IConnectionsReply> {
  return requestAPI<IConnectionsReply>('s3/connections');
}

/** The buckets of a connection. */
export function listBuckets(connection: string): Promise<IBucketsReply> {
  return requestAPI<IBucketsReply>(`s3/${enc(connection)}/buckets`);
}

/** Create a bucket. */
export function createBucket(connection: string, name: string): Promise<{ name: string }> {
  return post(`s3/${enc(connection)}/buckets`, { name });
}

/** What to list. */
export interface IListOptions {
  prefix?: string;
  /** `next_token` of the previous page. */
  continuationToken?: string | null;
  pageSize?: number;
  /** Every key under the prefix rather than one level (search by key prefix). */
  recursive?: boolean;
}

/** One page of a listing. */
export function listObjects(
  connection: string,
  bucket: string,
  options: IListOptions = {}
): Promise<IListingPage> {
  const q = query({
    prefix: options.prefix,
    continuation_token: options.continuationToken,
    page_size: options.pageSize ?? PAGE_SIZE,
    recursive: options.recursive
  });
  return requestAPI<IListingPage>(bucketRoute(connection, bucket, `objects${q}`));
}

/** An object's metadata. */
export function headObject(connection: string, bucket: string, key: string): Promise<IObjectMeta> {
  return requestAPI<IObjectMeta>(bucketRoute(connection, bucket, `object${query({ key })}`));
}

/** A presigned GET URL valid for `expiresIn` seconds. */
export function presign(
  connection: string,
  bucket: string,
  key: string,
  expiresIn: number
): Promise<IPresignReply> {
  return post(bucketRoute(connection, bucket, 'presign'), { key, expires_in: expiresIn });
}

/** Create an empty folder marker at `prefix`. */
export function createFolder(connection: string, bucket: string, prefix: string): Promise<unknown> {
  return post(bucketRoute(connection, bucket, 'folders'), { prefix });
}

/** Delete objects, and everything under whole prefixes. */
export function deleteEntries(
  connection: string,
  bucket: string,
  keys: string[],
  prefixes: string[]
): Promise<IDeleteReply> {
  return post(bucketRoute(connection, bucket, 'delete'), { keys, prefixes });
}

/** Copy or move an object or a folder (both paths ending in "/"). */
export function copyEntry(
  connection: string,
  bucket: string,
  source: string,
  dest: string,
  options: { destBucket?: string; move?: boolean } = {}
): Promise<ICopyReply> {
  return post(bucketRoute(connection, bucket, 'copy'), {
    source,
    dest,
    dest_bucket: options.destBucket ?? bucket,
    move: options.move ?? false
  });
}

/** Copy an object into the workspace; the reply's `path` can be opened. */
export function openInWorkspace(connection: string, bucket: string, key: string): Promise<IOpenReply> {
  return post(bucketRoute(connection, bucket, 'open'), { key });
}

/** Upload a file of the workspace (a path relative to the server root). */
export function uploadFromWorkspace(
  connection: string,
  bucket: string,
  path: string,
  key: string,
  overwrite = false
): Promise<IUploadReply> {
  return post(bucketRoute(connection, bucket, 'upload-from-workspace'), { path, key, overwrite });
}

/** The absolute URL of an API route. */
function apiUrl(route: string, settings: ServerConnection.ISettings): string {
  return URLExt.join(settings.baseUrl, API_NAMESPACE, route);
}

/**
 * The URL that downloads an object (`inline` for previews).
 *
 * The `_xsrf` cookie value goes along as a parameter, as JupyterLab's own
 * file downloads do: a page navigation sends the login cookie but no headers,
 * and jupyter_server accepts cookie-authenticated GETs only with it.
 */
export function downloadUrl(
  connection: string,
  bucket: string,
  key: string,
  options: { inline?: boolean; xsrf?: boolean } = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  const xsrf = options.xsrf === false ? null : xsrfCookie(pageCookie());
  return apiUrl(
    bucketRoute(
      connection,
      bucket,
      `download${query({ key, inline: options.inline, _xsrf: xsrf })}`
    ),
    settings
  );
}

/** The first bytes of an object. */
export interface IRangeReply {
  blob: Blob;
  /** The object's whole size (from Content-Range), when known. */
  total: number | null;
  /** Whether `blob` is only the start of the object. */
  partial: boolean;
}

/** Fetch bytes `[0, length)` of an object through the authenticated API. */
export async function fetchHead(
  connection: string,
  bucket: string,
  key: string,
  length: number,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<IRangeReply> {
  const url = apiUrl(
    bucketRoute(connection, bucket, `download${query({ key, inline: true })}`),
    settings
  );
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      url,
      { headers: { Range: `bytes=0-${Math.max(0, length - 1)}` } },
      settings
    );
  } catch (error) {
    const detail = error instanceof Error && error.message ? `: ${error.message}` : '';
    throw new APIError(`Cannot reach the Jupyter server${detail}`, 0);
  }
  if (response.status === 416) {
    // An empty object has no byte 0.
    return { blob: new Blob([]), total: 0, partial: false };
  }
  if (!response.ok) {
    await readJSONReply(response);
  }
  const blob = await response.blob();
  const range = /\/(\d+)\s*$/.exec(response.headers.get('Content-Range') ?? '');
  const total = range ? Number(range[1]) : response.status === 200 ? blob.size : null;
  return { blob, total, partial: total !== null && blob.size < total };
}

/** Fetch a whole object into a Blob (small files only). */
export async function fetchBlob(
  connection: string,
  bucket: string,
  key: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<Blob> {
  const url = apiUrl(bucketRoute(connection, bucket, `download${query({ key })}`), settings);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, {}, settings);
  } catch (error) {
    const detail = error instanceof Error && error.message ? `: ${error.message}` : '';
    throw new APIError(`Cannot reach the Jupyter server${detail}`, 0);
  }
  if (!response.ok) {
    await readJSONReply(response);
  }
  return response.blob();
}

/**
 * Upload a browser file to `s3://bucket/key` with progress; `overwrite`
 * false makes the server answer 409 `ObjectExists` for an existing key.
 */
export function uploadFile(
  connection: string,
  bucket: string,
  key: string,
  file: Blob,
  overwrite: boolean,
  onProgress: (progress: IUploadProgress) => void,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): IUploadHandle {
  const url = apiUrl(
    bucketRoute(connection, bucket, `upload${query({ key, overwrite: overwrite ? '1' : '0' })}`),
    settings
  );
  const headers = authHeaders(settings.token, pageCookie());
  if (file.type) {
    headers['X-Object-Content-Type'] = file.type;
  }
  return startUpload({ url, body: file, headers, onProgress });
}
