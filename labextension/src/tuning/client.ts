/**
 * Typed calls to the tuning-job API (and to the training jobs a tuning job
 * is cloned from). Every change is announced on `changed` (a create or stop
 * made here, or a status change a view saw) so lists refresh at once.
 */
import { Signal, type ISignal } from '@lumino/signaling';

import { requestAPI } from '../api';
import {
  trainingJobRoute,
  trainingListRoute,
  trialsRoute,
  tuningJobRoute,
  tuningListRoute,
  tuningLogRoute,
  TUNING_ROUTE,
  type ITrialQuery,
  type ITuningListQuery
} from './routes';
import type {
  ICreateTuningJobRequest,
  ICurvesReply,
  IDescribeTuningJobReply,
  IListTrainingJobsReply,
  IListTrialsReply,
  IListTuningJobsReply,
  ITrainingJobDescription,
  ITrialSummary,
  ITuningLogReply
} from './types';

/** Most trials one request returns (SageMaker's limit). */
export const MAX_TRIAL_PAGE = 100;

/** Most trials the charts ask for (pages of `MAX_TRIAL_PAGE`). */
export const MAX_CHART_TRIALS = 2000;

/** A change to a tuning job: what the panel did to it, or a new status a view saw. */
export interface ITuningChange {
  name: string;
  cause: 'created' | 'stopped' | 'status';
}

/** The REST client of the Tuning panel. */
export class TuningClient {
  /** Emitted after a create or stop, and when a view sees a job change status. */
  get changed(): ISignal<this, ITuningChange> {
    return this._changed;
  }

  /** Tell listeners (the job list) that a job's status changed. */
  reportStatus(name: string): void {
    this._changed.emit({ name, cause: 'status' });
  }

  list(query: ITuningListQuery, signal?: AbortSignal): Promise<IListTuningJobsReply> {
    return requestAPI<IListTuningJobsReply>(tuningListRoute(query), { signal });
  }

  describe(name: string, signal?: AbortSignal): Promise<IDescribeTuningJobReply> {
    return requestAPI<IDescribeTuningJobReply>(tuningJobRoute(name), { signal });
  }

  async create(body: ICreateTuningJobRequest): Promise<string> {
    const reply = await requestAPI<{ HyperParameterTuningJobArn: string }>(TUNING_ROUTE, {
      method: 'POST',
      body: JSON.stringify(body)
    });
    this._changed.emit({ name: body.HyperParameterTuningJobName, cause: 'created' });
    return reply.HyperParameterTuningJobArn;
  }

  async stop(name: string): Promise<void> {
    await requestAPI(tuningJobRoute(name, 'stop'), { method: 'POST', body: '{}' });
    this._changed.emit({ name, cause: 'stopped' });
  }

  /** One page of trials. */
  trials(name: string, query: ITrialQuery, signal?: AbortSignal): Promise<IListTrialsReply> {
    return requestAPI<IListTrialsReply>(trialsRoute(name, query), { signal });
  }

  /** Every trial (up to `MAX_CHART_TRIALS`), oldest first, for the charts. */
  async allTrials(name: string, signal?: AbortSignal): Promise<ITrialSummary[]> {
    const trials: ITrialSummary[] = [];
    let nextToken: string | null = null;
    do {
      const reply: IListTrialsReply = await this.trials(
        name,
        { sortBy: 'CreationTime', sortOrder: 'Ascending', maxResults: MAX_TRIAL_PAGE, nextToken },
        signal
      );
      trials.push(...reply.TrainingJobSummaries);
      nextToken = reply.NextToken ?? null;
    } while (nextToken && trials.length < MAX_CHART_TRIALS);
    return trials;
  }

  /** The tuning job's own log from `offset`. */
  log(name: string, offset: number): Promise<ITuningLogReply> {
    return requestAPI<ITuningLogReply>(tuningLogRoute(name, offset));
  }

  curves(name: string, signal?: AbortSignal): Promise<ICurvesReply> {
    return requestAPI<ICurvesReply>(tuningJobRoute(name, 'curves'), { signal });
  }

  /** Training jobs whose name contains `nameContains`, newest first (one page). */
  trainingJobs(nameContains = ''): Promise<IListTrainingJobsReply> {
    return requestAPI<IListTrainingJobsReply>(trainingListRoute(nameContains));
  }

  trainingJob(name: string): Promise<ITrainingJobDescription> {
    return requestAPI<ITrainingJobDescription>(trainingJobRoute(name));
  }

  private readonly _changed = new Signal<this, ITuningChange>(this);
}
