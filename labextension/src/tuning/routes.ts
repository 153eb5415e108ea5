/**
 * Paths of the tuning-job API below `mlstudio/api/`.
 */
import { queryString } from '../training/routes';

/** The collection. */
export const TUNING_ROUTE = 'tuning-jobs';

/** The training jobs (the clone picker and its source job). */
export const TRAINING_ROUTE = 'training-jobs';

/** Sort directions of the list routes. */
export type SortOrder = 'Ascending' | 'Descending';

/** Filters, order and paging of a tuning-job listing. */
export interface ITuningListQuery {
  nameContains?: string;
  status?: string;
  sortBy?: 'Name' | 'Status' | 'CreationTime';
  sortOrder?: SortOrder;
  maxResults?: number;
  nextToken?: string | null;
}

/** What the trials of a tuning job are sorted by. */
export type TrialSortKey = 'Name' | 'CreationTime' | 'Status' | 'FinalObjectiveMetricValue';

/** Filters, order and paging of a trial listing. */
export interface ITrialQuery {
  status?: string;
  sortBy?: TrialSortKey;
  sortOrder?: SortOrder;
  maxResults?: number;
  nextToken?: string | null;
}

const enc = encodeURIComponent;

/** `GET tuning-jobs?…`, newest first unless told otherwise. */
export function tuningListRoute(query: ITuningListQuery = {}): string {
  return (
    TUNING_ROUTE +
    queryString({
      NameContains: query.nameContains?.trim(),
      StatusEquals: query.status,
      SortBy: query.sortBy ?? 'CreationTime',
      SortOrder: query.sortOrder ?? 'Descending',
      MaxResults: query.maxResults ?? 50,
      NextToken: query.nextToken
    })
  );
}

/** A tuning job, or one of its sub-resources (`stop`, `training-jobs`, `curves`, `log`). */
export function tuningJobRoute(name: string, what = ''): string {
  return `${TUNING_ROUTE}/${enc(name)}${what ? `/${what}` : ''}`;
}

/** `GET tuning-jobs/{name}/training-jobs?…`. */
export function trialsRoute(name: string, query: ITrialQuery = {}): string {
  return (
    tuningJobRoute(name, 'training-jobs') +
    queryString({
      StatusEquals: query.status,
      SortBy: query.sortBy,
      SortOrder: query.sortOrder,
      MaxResults: query.maxResults,
      NextToken: query.nextToken
    })
  );
}

/** `GET tuning-jobs/{name}/log?offset=…` (no waiting). */
export function tuningLogRoute(name: string, offset: number): string {
  return tuningJobRoute(name, 'log') + queryString({ offset });
}

/** `GET training-jobs?…` for the clone picker, newest first. */
export function trainingListRoute(nameContains = '', nextToken: string | null = null): string {
  return (
    TRAINING_ROUTE +
    queryString({
      NameContains: nameContains.trim(),
      MaxResults: 100,
      NextToken: nextToken,
      SortOrder: 'Descending'
    })
  );
}

/** `GET training-jobs/{name}`. */
export function trainingJobRoute(name: string): string {
  return `${TRAINING_ROUTE}/${enc(name)}`;
}
