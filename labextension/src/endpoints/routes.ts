/**
 * Paths of the deploy API below `mlstudio/api/`.
 */
import { queryString } from '../training/routes';

export const MODELS_ROUTE = 'models';
export const ENDPOINT_CONFIGS_ROUTE = 'endpoint-configs';
export const ENDPOINTS_ROUTE = 'endpoints';
export const TRANSFORM_JOBS_ROUTE = 'transform-jobs';

const enc = encodeURIComponent;

/** A collection listed newest first, `MaxResults` at a time. */
export function collectionRoute(collection: string, maxResults = 50, nextToken: string | null = null): string {
  return collection + queryString({ MaxResults: maxResults, NextToken: nextToken });
}

/** A resource of a collection, or one of its sub-resources (`stop`, `logs`, …). */
export function resourceRoute(collection: string, name: string, what = ''): string {
  return `${collection}/${enc(name)}${what ? `/${what}` : ''}`;
}

/** An endpoint, or one of its sub-resources. */
export function endpointRoute(name: string, what = ''): string {
  return resourceRoute(ENDPOINTS_ROUTE, name, what);
}

/** A variant's auto-scaling policy. */
export function scalingRoute(endpoint: string, variant: string): string {
  return endpointRoute(endpoint, `variants/${enc(variant)}/scaling`);
}

/** Traffic points newer than `since` (epoch seconds). */
export function endpointMetricsRoute(endpoint: string, since: number): string {
  return endpointRoute(endpoint, 'metrics') + queryString({ since });
}

/** A transform job, or one of its sub-resources. */
export function transformRoute(name: string, what = ''): string {
  return resourceRoute(TRANSFORM_JOBS_ROUTE, name, what);
}

/** A transform job's log from byte `offset`. */
export function transformLogsRoute(name: string, offset: number): string {
  return transformRoute(name, 'logs') + queryString({ offset });
}
