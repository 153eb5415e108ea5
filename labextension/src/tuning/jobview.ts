/**
 * The view of one tuning job (`.jp-mlstudio-tuning-view[data-status]`):
 * header with Stop and Clone, counters, the best training job with its tuned
 * values, the charts, the trials table, the ranges searched and the job's log. Polls while
 * visible and the job runs; a hidden or closed view holds no timer.
 */
import { IntervalPoller } from '../poller';
import { APIError } from '../reply';
import { errorText } from '../status';
import { formatCreated, formatDuration, formatTimestamp } from '../training/format';
import { VisibleWidget } from '../visiblewidget';
import { decodeValue, hyperparameterAxes } from './chartdata';
import { TuningCharts } from './chartsview';
import type { ITuningChange, TuningClient } from './client';
import { badge, button, CSS, el, facts, panel, simpleTable, swapBadge } from './dom';
import { ownHyperParameters } from './form';
import { TuningLog } from './log';
import { canStop, formatObjective, formatTuned, isActive, objectiveValue, statusLabel, trialCounts } from './status';
import { TrialsTable } from './trials';
import type { ICurvesReply, IDescribeTuningJobReply, ITrialSummary } from './types';

/** Milliseconds between refreshes while the job runs. */
export const TUNING_POLL_INTERVAL = 3000;

/** The DOM id of a tuning job's view. */
export function tuningViewId(name: string): string {
  return `jp-mlstudio-tuning-job-${name}`;
}

/** What the view needs from its plugin. */
export interface ITuningJobViewOptions {
  client: TuningClient;
  name: string;
  /** Open a training job's view (a trial's). */
  openTrainingJob: (name: string) => void;
  /** Open the create form prefilled from this job. */
  clone: (job: IDescribeTuningJobReply) => void;
  /** Ask, then stop the job; resolves false when cancelled. */
  confirmStop: (name: string) => Promise<boolean>;
}

/** A tuning job's view. */
export class TuningJobView extends VisibleWidget {
  constructor(options: ITuningJobViewOptions) {
    super();
    this.name = options.name;
    this._options = options;
    this.addClass(`${CSS}-view`);
    this.node.dataset.status = 'loading';
    this.node.tabIndex = -1;
    this._poller = new IntervalPoller(() => this._load(), TUNING_POLL_INTERVAL);
    this._trials = new TrialsTable({ client: options.client, name: options.name, openTrial: options.openTrainingJob });
    this._log = new TuningLog(options.client, options.name);

    this._stop.hidden = true;
    this._stop.addEventListener('click', () => void this._stopJob());
    this._clone.disabled = true;
    this._clone.addEventListener('click', () => this._job && options.clone(this._job));
    const title = el('div', `${CSS}-view-title`);
    title.append(el('h2', `${CSS}-view-name`, this.name), this._badge, this._strategy);
    const actions = el('div', `${CSS}-view-actions`);
    actions.append(this._stop, this._clone);
    const header = el('header', `${CSS}-view-header`);
    header.append(title, actions);

    this._message.hidden = true;
    this._message.setAttribute('role', 'alert');
    this._failure.hidden = true;
    this._bestBox.dataset.part = 'best';
    const cards = el('div', `${CSS}-cards`);
    cards.append(
      panel('Trials', 'counters', this._counters),
      panel('Objective', 'objective', this._objective),
      panel('Best training job', 'best', this._bestBox),
      panel('Run', 'run', this._run)
    );
    const inner = el('div', `${CSS}-view-inner`);
    inner.append(
      header,
      this._message,
      this._failure,
      cards,
      panel('Charts', 'charts', this._charts.node),
      panel('Trials', 'trials', this._trials.node),
      panel('Hyperparameter ranges', 'ranges', this._ranges),
      panel('Log', 'log', this._log.node)
    );
    this.node.append(inner);
    this._bestBox.addEventListener('click', event => {
      const link = (event.target as HTMLElement).closest?.('[data-trial]') as HTMLElement | null;
      if (link?.dataset.trial) {
        options.openTrainingJob(link.dataset.trial);
      }
    });
    options.client.changed.connect(this._onChanged, this);
  }

  /** The tuning job's name. */
  readonly name: string;

  /** The latest description, once loaded. */
  get job(): IDescribeTuningJobReply | null {
    return this._job;
  }

  /** Fetch everything now. */
  refresh(): Promise<void> {
    return this._poller.trigger();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poller.stop();
    this._options.client.changed.disconnect(this._onChanged, this);
    this._charts.dispose();
    super.dispose();
  }

  protected onShown(): void {
    if (this._gone) {
      return;
    }
    if (!this._ended) {
      void this._poller.start();
    } else if (!this._job) {
      void this._poller.trigger();
    }
  }

  protected onHidden(): void {
    this._poller.stop();
  }

  /** Stopped elsewhere (e.g. from the command palette): poll again. */
  private _onChanged(_: TuningClient, change: ITuningChange): void {
    if (change.name === this.name && change.cause === 'stopped' && !this._gone) {
      this._ended = false;
      if (this.isVisible) {
        void this._poller.start();
        void this.refresh();
      }
    }
  }

  /** One refresh: the description, then trials, curves and the table page. */
  private async _load(): Promise<void> {
    let job: IDescribeTuningJobReply;
    try {
      job = await this._options.client.describe(this.name);
    } catch (error) {
      this._loadFailed(error);
      return;
    }
    if (this.isDisposed) {
      return;
    }
    this._say('');
    if (this._job && this._job.HyperParameterTuningJobStatus !== job.HyperParameterTuningJobStatus) {
      this._options.client.reportStatus(this.name);
    }
    const first = this._job === null;
    this._job = job;
    this._render(job, first);
    const [trials, curves] = await Promise.all([
      this._options.client.allTrials(this.name).catch((error: unknown) => {
        this._say(`Could not list the trials: ${errorText(error)}`);
        return null;
      }),
      this._options.client.curves(this.name).catch((): ICurvesReply | null => null),
      this._trials.refresh(),
      this._log.read()
    ]);
    if (this.isDisposed) {
      return;
    }
    if (trials) {
      this._trialsSeen = trials;
    }
    this._charts.update(job, this._trialsSeen, curves);
    if (!isActive(job.HyperParameterTuningJobStatus)) {
      this._ended = true;
      this._poller.stop();
    }
  }

  private _loadFailed(error: unknown): void {
    if (error instanceof APIError && error.status === 404) {
      this._gone = true;
      this._poller.stop();
      this.node.dataset.status = 'missing';
      this._say(`There is no tuning job named “${this.name}” (it may have been deleted).`);
      return;
    }
    this._say(`Could not load the tuning job: ${errorText(error)}`);
  }

  private _say(text: string): void {
    this._message.textContent = text;
    this._message.hidden = text === '';
  }

  private _render(job: IDescribeTuningJobReply, first: boolean): void {
    const status = job.HyperParameterTuningJobStatus;
    const config = job.HyperParameterTuningJobConfig;
    this.node.dataset.status = status;
    this._badge = swapBadge(this._badge, status);
    this._strategy.textContent = `${config.Strategy} search`;
    this._stop.hidden = !canStop(status);
    this._clone.disabled = false;
    this._failure.hidden = !job.FailureReason;
    if (job.FailureReason) {
      this._failure.replaceChildren(
        el('div', `${CSS}-failure-title`, status === 'Failed' ? 'Failure reason' : 'Reason'),
        el('pre', `${CSS}-failure-text`, job.FailureReason)
      );
    }
    const hps = hyperparameterAxes(config.ParameterRanges).map(a => a.name);
    const best = job.BestTrainingJob ?? null;
    this._trials.setColumns(hps, config.HyperParameterTuningJobObjective, best?.TrainingJobName ?? null);
    this._renderCounters(job);
    this._renderBest(best, job);
    this._renderRun(job);
    if (first) {
      this._renderRanges(job);
    }
  }

  private _renderCounters(job: IDescribeTuningJobReply): void {
    const t = job.TrainingJobStatusCounters ?? {};
    const limit = job.HyperParameterTuningJobConfig.ResourceLimits?.MaxNumberOfTrainingJobs;
    const { done } = trialCounts(t);
    const progress = el('progress', `${CSS}-progress`);
    progress.max = limit ?? Math.max(1, trialCounts(t).started);
    progress.value = done;
    progress.setAttribute('aria-label', 'Trials ended');
    const counts: [string, number | undefined, string][] = [
      ['Completed', t.Completed, 'Completed'],
      ['In progress', t.InProgress, 'InProgress'],
      ['Stopped', t.Stopped, 'Stopped'],
      ['Failed', t.NonRetryableError, 'Failed'],
      ['Retryable errors', t.RetryableError, 'RetryableError']
    ];
    const list = el('ul', `${CSS}-counters`);
    for (const [label, count, key] of counts) {
      const item = el('li', `${CSS}-counter`);
      item.dataset.counter = key;
      item.append(el('span', `${CSS}-counter-value`, String(count ?? 0)), el('span', `${CSS}-counter-label`, label));
      list.append(item);
    }
    this._counters.replaceChildren(
      el('div', `${CSS}-done`, limit ? `${done} of ${limit} trials ended` : `${done} trials ended`),
      progress,
      list
    );
  }

  private _renderBest(best: ITrialSummary | null, job: IDescribeTuningJobReply): void {
    const objective = job.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective;
    const o = job.ObjectiveStatusCounters ?? {};
    this._objective.replaceChildren(
      el('div', `${CSS}-objective-line`, `${objective.Type} ${objective.MetricName}`),
      facts(
        [
          ['Succeeded', String(o.Succeeded ?? 0)],
          ['Pending', String(o.Pending ?? 0)],
          ['Failed', String(o.Failed ?? 0)]
        ],
        'objective-counters'
      )
    );
    if (!best) {
      this._bestBox.replaceChildren(el('p', `${CSS}-muted`, 'No trial has reported its objective yet.'));
      return;
    }
    const link = el('button', `${CSS}-link ${CSS}-best-name`, best.TrainingJobName);
    link.type = 'button';
    link.dataset.trial = best.TrainingJobName;
    link.title = `Open training job ${best.TrainingJobName}`;
    const value = objectiveValue(best);
    const score = el('div', `${CSS}-best-value`, formatObjective(value));
    score.title = value === null ? '' : `${objective.MetricName} = ${value}`;
    const tuned = Object.entries(best.TunedHyperParameters ?? {}).map(([k, v]) => [k, formatTuned(decodeValue(v))]);
    this._bestBox.replaceChildren(
      link,
      score,
      el('div', `${CSS}-best-metric`, objective.MetricName),
      simpleTable(['Tuned', 'Value'], tuned, 'No tuned values.', 'best-hyperparameters')
    );
  }

  private _renderRun(job: IDescribeTuningJobReply): void {
    const runtime = job.ConsumedResources?.RuntimeInSeconds;
    const limits = job.HyperParameterTuningJobConfig.ResourceLimits;
    const ended = job.HyperParameterTuningEndTime;
    const pairs: ([string, string] | [string, string, string])[] = [
      ['Status', statusLabel(job.HyperParameterTuningJobStatus)],
      ['Created', formatCreated(job.CreationTime), formatTimestamp(job.CreationTime)],
      ['Ended', ended ? formatCreated(ended) : '—', formatTimestamp(ended)],
      ['Runtime', runtime !== undefined ? formatDuration(runtime) : '—'],
      ['Parallel trials', String(limits?.MaxParallelTrainingJobs ?? '—')],
      ['Early stopping', job.HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType ?? 'Off']
    ];
    const details = job.TuningJobCompletionDetails;
    if (details?.NumberOfTrainingJobsObjectiveNotImproving !== undefined) {
      pairs.push(['Trials not improving', String(details.NumberOfTrainingJobsObjectiveNotImproving)]);
    }
    this._run.replaceChildren(facts(pairs, 'run'));
  }

  private _renderRanges(job: IDescribeTuningJobReply): void {
    const r = job.HyperParameterTuningJobConfig.ParameterRanges ?? {};
    const numeric = (type: string) => (x: { Name: string; MinValue: string; MaxValue: string; ScalingType?: string }) => [
      x.Name,
      type,
      `${x.MinValue} – ${x.MaxValue}`,
      x.ScalingType ?? 'Auto'
    ];
    const rows = [
      ...(r.ContinuousParameterRanges ?? []).map(numeric('Continuous')),
      ...(r.IntegerParameterRanges ?? []).map(numeric('Integer')),
      ...(r.CategoricalParameterRanges ?? []).map(x => [x.Name, 'Categorical', x.Values.map(decodeValue).join(', '), '—'])
    ];
    const statics = ownHyperParameters(job.TrainingJobDefinition?.StaticHyperParameters ?? {}).map(([k, v]) => [k, decodeValue(v)]);
    this._ranges.replaceChildren(
      simpleTable(['Hyperparameter', 'Type', 'Values', 'Scaling'], rows, 'No ranges.', 'ranges'),
      el('h4', `${CSS}-subtitle`, 'Static hyperparameters'),
      simpleTable(['Hyperparameter', 'Value'], statics, 'None.', 'static-hyperparameters')
    );
  }

  private async _stopJob(): Promise<void> {
    this._stop.disabled = true;
    try {
      if (await this._options.confirmStop(this.name)) {
        this._ended = false;
        if (this.isVisible) {
          void this._poller.start();
        }
        await this.refresh();
      }
    } catch (error) {
      this._say(`Could not stop the tuning job: ${errorText(error)}`);
    } finally {
      this._stop.disabled = false;
    }
  }

  private readonly _options: ITuningJobViewOptions;
  private readonly _poller: IntervalPoller;
  private readonly _trials: TrialsTable;
  private readonly _log: TuningLog;
  private readonly _charts = new TuningCharts();
  private readonly _stop = button('Stop', 'stop', 'warn');
  private readonly _clone = button('Clone', 'clone');
  private _badge: HTMLElement = badge('Loading');
  private readonly _strategy = el('span', `${CSS}-view-strategy`);
  private readonly _message = el('p', `${CSS}-error`);
  private readonly _failure = el('div', `${CSS}-failure`);
  private readonly _counters = el('div', `${CSS}-counters-box`);
  private readonly _objective = el('div', `${CSS}-objective-box`);
  private readonly _bestBox = el('div', `${CSS}-best`);
  private readonly _run = el('div', `${CSS}-run`);
  private readonly _ranges = el('div', `${CSS}-ranges-box`);
  private _job: IDescribeTuningJobReply | null = null;
  private _trialsSeen: ITrialSummary[] = [];
  private _ended = false;
  private _gone = false;
}
