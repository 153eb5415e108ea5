/**
 * Paths of the training-job API below `mlstudio/api/`.
 */

/** The collection. */
export const JOBS_ROUTE = 'training-jobs';

/** Filters and paging of a job listing. */
export interface IListFilter {
  nameContains?: string;
  status?: string;
  maxResults?: number;
  nextToken?: string | null;
}

const enc = encodeURIComponent;

/** A query string ("?a=1&b=2") of the parameters that are set. */
export function queryString(params: Record<string, string | number | null | undefined>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${enc(k)}=${enc(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** `GET training-jobs?…`, newest first. */
export function listRoute(filter: IListFilter = {}): string {
  return (
    JOBS_ROUTE +
    queryString({
      NameContains: filter.nameContains?.trim(),
      StatusEquals: filter.status,
      MaxResults: filter.maxResults ?? 50,
      NextToken: filter.nextToken,
      SortOrder: 'Descending'
    })
  );
}

/** A job, or one of its sub-resources (`stop`, `logs`, `metrics`). */
export function jobRoute(name: string, what = ''): string {
  return `${JOBS_ROUTE}/${enc(name)}${what ? `/${what}` : ''}`;
}

/** `GET …/logs` from `offset`; `follow` long-polls up to `timeout` seconds. */
export function logsRoute(name: string, offset: number, follow = false, timeout = 20): string {
  return (
    jobRoute(name, 'logs') +
    queryString(follow ? { offset, follow: 1, timeout } : { offset })
  );
}

/** `GET …/metrics` newer than `after`. */
export function metricsRoute(name: string, after: number): string {
  return jobRoute(name, 'metrics') + queryString({ after });
}

/** `GET s3/default/buckets/{bucket}/objects?prefix=…`. */
export function s3ObjectsRoute(bucket: string, prefix: string): string {
  return `s3/default/buckets/${enc(bucket)}/objects` + queryString({ prefix });
}

/** `GET s3/default/buckets`. */
export const S3_BUCKETS_ROUTE = 's3/default/buckets';
