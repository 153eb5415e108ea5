/**
 * Typed calls to the training-job API. Changes (create, stop, delete) are
 * announced on `changed` so lists refresh at once.
 */
import { Signal, type ISignal } from '@lumino/signaling';

import { requestAPI } from '../api';
import {
  jobRoute,
  listRoute,
  logsRoute,
  metricsRoute,
  s3ObjectsRoute,
  S3_BUCKETS_ROUTE,
  JOBS_ROUTE,
  type IListFilter
} from './routes';
import type {
  ICreateTrainingJobRequest,
  IDescribeTrainingJobReply,
  IListTrainingJobsReply,
  ILogsReply,
  IMetricsReply
} from './types';

/** `GET s3/default/buckets`. */
export interface IBucketsReply {
  buckets: { name: string }[];
}

/** `GET s3/default/buckets/{bucket}/objects`. */
export interface IObjectsReply {
  folders: { name: string; prefix: string }[];
  objects: { name: string; key: string; size: number }[];
}

/** The REST client of the Training panel. */
export class TrainingClient {
  /** Emitted with the job name after a create, stop or delete. */
  get changed(): ISignal<this, string> {
    return this._changed;
  }

  /** Emitted with the job name when a view sees a job change status. */
  get statusSeen(): ISignal<this, string> {
    return this._statusSeen;
  }

  /** Tell listeners (the job list) that a job's status changed. */
  reportStatus(name: string): void {
    this._statusSeen.emit(name);
  }

  list(filter: IListFilter, signal?: AbortSignal): Promise<IListTrainingJobsReply> {
    return requestAPI<IListTrainingJobsReply>(listRoute(filter), { signal });
  }

  describe(name: string, signal?: AbortSignal): Promise<IDescribeTrainingJobReply> {
    return requestAPI<IDescribeTrainingJobReply>(jobRoute(name), { signal });
  }

  async create(body: ICreateTrainingJobRequest): Promise<string> {
    const reply = await requestAPI<{ TrainingJobArn: string }>(JOBS_ROUTE, {
      method: 'POST',
      body: JSON.stringify(body)
    });
    this._changed.emit(body.TrainingJobName);
    return reply.TrainingJobArn;
  }

  async stop(name: string): Promise<void> {
    await requestAPI(jobRoute(name, 'stop'), { method: 'POST', body: '{}' });
    this._changed.emit(name);
  }

  async remove(name: string): Promise<void> {
    await requestAPI(jobRoute(name), { method: 'DELETE' });
    this._changed.emit(name);
  }

  logs(name: string, offset: number, follow: boolean, signal?: AbortSignal): Promise<ILogsReply> {
    return requestAPI<ILogsReply>(logsRoute(name, offset, follow), { signal });
  }

  metrics(name: string, after: number, signal?: AbortSignal): Promise<IMetricsReply> {
    return requestAPI<IMetricsReply>(metricsRoute(name, after), { signal });
  }

  buckets(): Promise<IBucketsReply> {
    return requestAPI<IBucketsReply>(S3_BUCKETS_ROUTE);
  }

  objects(bucket: string, prefix: string): Promise<IObjectsReply> {
    return requestAPI<IObjectsReply>(s3ObjectsRoute(bucket, prefix));
  }

  private _changed = new Signal<this, string>(this);
  private _statusSeen = new Signal<this, string>(this);
}
