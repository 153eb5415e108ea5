/**
 * Shapes of the S3 browser's REST replies (`mlstudio/api/s3/…`).
 */

/** One configured S3 connection (no secrets). */
export interface IS3Connection {
  name: string;
  display_name: string;
  endpoint_url: string | null;
  region: string | null;
  embedded: boolean;
}

/** `GET s3/connections`. */
export interface IConnectionsReply {
  connections: IS3Connection[];
}

/** One bucket of a connection. */
export interface IBucket {
  name: string;
  /** ISO 8601 creation time; `null` for configured (not listed) buckets. */
  created: string | null;
  /** Named in the connection's configuration (shown even when not listed). */
  configured?: boolean;
}

/** `GET s3/{conn}/buckets`. */
export interface IBucketsReply {
  buckets: IBucket[];
  /** `configured` when ListBuckets was denied and the configured list is shown. */
  source: 'ListBuckets' | 'configured';
  message?: string;
}

/** A common prefix ("folder") of a listing. */
export interface IFolderItem {
  /** The part below the listed prefix, ending in "/". */
  name: string;
  /** The whole prefix, ending in "/". */
  prefix: string;
}

/** An object of a listing. */
export interface IObjectItem {
  /** The part below the listed prefix. */
  name: string;
  key: string;
  size: number;
  last_modified: string | null;
  storage_class: string;
  etag: string;
}

/** `GET s3/{conn}/buckets/{bucket}/objects`: one page of one level. */
export interface IListingPage {
  bucket: string;
  prefix: string;
  folders: IFolderItem[];
  objects: IObjectItem[];
  next_token: string | null;
  truncated: boolean;
}

/** `GET …/object?key=K`. */
export interface IObjectMeta {
  bucket: string;
  key: string;
  size: number;
  last_modified: string | null;
  content_type: string | null;
  etag: string;
  storage_class: string;
  metadata: Record<string, string>;
}

/** `POST …/presign`. */
export interface IPresignReply {
  url: string;
  expires_in: number;
  expires_at: string;
}

/** `POST …/delete`. */
export interface IDeleteReply {
  deleted: number;
  errors: { key: string | null; code: string | null; message: string | null }[];
}

/** `POST …/copy`. */
export interface ICopyReply {
  copied: number;
  moved: boolean;
  dest_bucket: string;
  dest: string;
}

/** `POST …/open`: where the workspace copy is, relative to the server root. */
export interface IOpenReply {
  path: string;
  downloaded: boolean;
}

/** `PUT …/upload` and `POST …/upload-from-workspace`. */
export interface IUploadReply {
  bucket: string;
  key: string;
  size: number;
  etag?: string;
}
