/**
 * The status reply of `GET /mlstudio/api/status` and what the panel shows of it.
 *
 * Pure functions only: no DOM, no JupyterLab imports, so they are unit-tested
 * directly.
 */

/** The S3 part of the status reply. */
export interface IS3Status {
  /** Endpoint of an S3-compatible store; `null` means AWS's default endpoint. */
  endpoint_url: string | null;
  /** Whether the store is the local one the extension started. */
  embedded: boolean;
  region?: string | null;
  default_bucket?: string | null;
  healthy: boolean;
  message?: string;
}

/** The state database part of the status reply. */
export interface IDatabaseStatus {
  /** Database URL without credentials. */
  url: string;
  healthy: boolean;
  revision?: string | null;
  message?: string;
}

/** One job backend in the status reply. */
export interface IBackendStatus {
  name: string;
  available: boolean;
  default?: boolean;
  message?: string;
}

/** The reply of `GET /mlstudio/api/status`. */
export interface IStatusReply {
  version: string;
  healthy: boolean;
  s3: IS3Status;
  database: IDatabaseStatus;
  backends: IBackendStatus[];
}

/** Overall health as the panel shows it (and as `data-status` carries it). */
export type Health = 'loading' | 'healthy' | 'degraded' | 'error';

/** What the panel knows about the server at a given moment. */
export type StatusState =
  | { readonly kind: 'loading' }
  | {
      readonly kind: 'loaded';
      readonly reply: IStatusReply;
      readonly updated: Date;
    }
  | {
      readonly kind: 'error';
      /** Readable reason the status request failed. */
      readonly message: string;
      /** The last reply that did arrive, if any. */
      readonly lastReply: IStatusReply | null;
      readonly updated: Date;
    };

/** One line of the overview section. */
export interface IStatusItem {
  /** Short name of the part, e.g. "S3 endpoint". */
  label: string;
  /** Its value, e.g. the endpoint URL. */
  value: string;
  /** `true`/`false` for a health dot; `null` for a neutral one. */
  healthy: boolean | null;
  /** The server's message about that part, if any. */
  detail: string;
}

/** Display string for AWS's own endpoint (no `endpoint_url`). */
export const AWS_ENDPOINT_LABEL = 'AWS (default endpoint)';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * Check that `data` has the shape of a status reply and return it typed.
 *
 * Throws an Error with a readable message when a required part is missing, so
 * a mismatched server shows up as text in the panel rather than as a crash.
 */
export function parseStatusReply(data: unknown): IStatusReply {
  if (!isRecord(data)) {
    throw new Error('The status reply is not a JSON object.');
  }
  const s3 = data.s3;
  const database = data.database;
  const backends = data.backends;
  if (!isRecord(s3)) {
    throw new Error('The status reply has no "s3" part.');
  }
  if (!isRecord(database)) {
    throw new Error('The status reply has no "database" part.');
  }
  if (!Array.isArray(backends)) {
    throw new Error('The status reply has no "backends" list.');
  }
  return {
    version: typeof data.version === 'string' ? data.version : '',
    healthy: data.healthy === true,
    s3: {
      endpoint_url: optionalString(s3.endpoint_url) || null,
      embedded: s3.embedded === true,
      region: optionalString(s3.region),
      default_bucket: optionalString(s3.default_bucket),
      healthy: s3.healthy === true,
      message: optionalString(s3.message) ?? ''
    },
    database: {
      url: optionalString(database.url) ?? '',
      healthy: database.healthy === true,
      revision: optionalString(database.revision),
      message: optionalString(database.message) ?? ''
    },
    backends: backends.filter(isRecord).map(b => ({
      name: optionalString(b.name) ?? '?',
      available: b.available === true,
      default: b.default === true,
      message: optionalString(b.message) ?? ''
    }))
  };
}

/**
 * Overall health of a reply: `healthy` only when the server says so and every
 * part agrees (S3, database, at least one available backend), else `degraded`.
 */
export function replyHealth(reply: IStatusReply): 'healthy' | 'degraded' {
  const partsOk =
    reply.s3.healthy &&
    reply.database.healthy &&
    reply.backends.some(b => b.available);
  return reply.healthy && partsOk ? 'healthy' : 'degraded';
}

/** Overall health of a panel state (`error` when the request itself failed). */
export function stateHealth(state: StatusState): Health {
  switch (state.kind) {
    case 'loading':
      return 'loading';
    case 'error':
      return 'error';
    case 'loaded':
      return replyHealth(state.reply);
  }
}

/** Badge text for an overall health. */
export function healthLabel(health: Health): string {
  switch (health) {
    case 'loading':
      return 'Loading…';
    case 'healthy':
      return 'Healthy';
    case 'degraded':
      return 'Degraded';
    case 'error':
      return 'Unreachable';
  }
}

/** The S3 endpoint as shown: the URL, or AWS's default endpoint when null. */
export function endpointLabel(s3: IS3Status): string {
  return s3.endpoint_url ? s3.endpoint_url : AWS_ENDPOINT_LABEL;
}

/** "embedded" for the store the extension runs itself, else "external". */
export function storeKind(s3: IS3Status): 'embedded' | 'external' {
  return s3.embedded ? 'embedded' : 'external';
}

/** The header's S3 line, e.g. "S3: http://127.0.0.1:43121 (embedded)". */
export function s3Summary(s3: IS3Status): string {
  return `S3: ${endpointLabel(s3)} (${storeKind(s3)})`;
}

/** The lines of the overview section for one reply. */
export function statusItems(reply: IStatusReply): IStatusItem[] {
  const { s3, database } = reply;
  const items: IStatusItem[] = [
    {
      label: 'S3 endpoint',
      value: endpointLabel(s3),
      healthy: s3.healthy,
      detail: s3.message ?? ''
    },
    {
      label: 'S3 store',
      value: s3.embedded
        ? 'Embedded (local, started by ML Studio)'
        : 'External',
      healthy: s3.healthy,
      detail: s3.region ? `region ${s3.region}` : ''
    },
    {
      label: 'Default bucket',
      value: s3.default_bucket || '(none)',
      healthy: s3.default_bucket ? s3.healthy : null,
      detail: ''
    },
    {
      label: 'Database',
      value: database.url || '(not configured)',
      healthy: database.healthy,
      detail: [
        database.revision ? `revision ${database.revision}` : '',
        database.message ?? ''
      ]
        .filter(Boolean)
        .join(' · ')
    }
  ];
  if (reply.backends.length === 0) {
    items.push({
      label: 'Job backends',
      value: 'none installed',
      healthy: false,
      detail: ''
    });
  }
  for (const backend of reply.backends) {
    items.push({
      label: 'Job backend',
      value: backend.default ? `${backend.name} (default)` : backend.name,
      // An optional backend that is not set up is no fault: neutral dot.
      healthy: backend.available ? true : backend.default ? false : null,
      detail: backend.available
        ? backend.message ?? ''
        : backend.message
          ? `unavailable: ${backend.message}`
          : 'unavailable'
    });
  }
  return items;
}

/** Readable text for anything thrown while fetching the status. */
export function errorText(error: unknown): string {
  if (error instanceof Error && error.message) {
    return error.message;
  }
  if (typeof error === 'string' && error) {
    return error;
  }
  return 'Unknown error';
}
