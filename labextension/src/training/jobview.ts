/**
 * The view of one training job (`.jp-mlstudio-training-view[data-status]`):
 * header with Deploy / Stop / Clone / Delete, failure reason, output model, live
 * metric charts, status timeline, live log tail and the job's settings.
 */
import { IntervalPoller } from '../poller';
import { APIError } from '../reply';
import { errorText } from '../status';
import { VisibleWidget } from '../visiblewidget';
import { confirmDelete, confirmStop } from './actions';
import { formatValue } from './chartgeom';
import { MetricChart } from './chartview';
import type { TrainingClient } from './client';
import { actionButton, badge, block, el, keyValueTable, showFailure, summaryList, viewHeader } from './dom';
import { decodeSdkString } from './form';
import { formatDuration, formatTimestamp, jobTime } from './format';
import { LogView } from './logview';
import { MetricStore } from './metrics';
import { canStop, isActive, isTerminal } from './status';
import { renderTimeline } from './timelineview';
import type { IDescribeTrainingJobReply } from './types';

/** Milliseconds between status and metric refreshes while the job runs. */
export const JOB_POLL_INTERVAL = 2000;

/** Shortest time between metric requests prompted by new log text. */
const METRICS_MIN_INTERVAL = 700;

/** The DOM id of a job's view. */
export function jobViewId(name: string): string {
  return `jp-mlstudio-training-${name}`;
}

/** What the view needs from its plugin. */
export interface IJobViewOptions {
  client: TrainingClient;
  name: string;
  /** Open the create form prefilled from this job. */
  clone: (job: IDescribeTrainingJobReply) => void;
  /** Whether an S3 browser that can show a URI is installed. */
  canOpenS3: () => Promise<boolean>;
  /** Show an S3 URI in the S3 browser. */
  openS3: (uri: string) => void;
  /** Copy text to the clipboard and say so. */
  copy: (text: string) => void;
  /** Called after the job was deleted (the view should close). */
  deleted: () => void;
  /** Deploy a completed job's model to an endpoint (no Deploy button without it). */
  deploy?: (name: string) => void;
}

/** A job view; polls while visible and the job runs, follows the log. */
export class JobView extends VisibleWidget {
  constructor(options: IJobViewOptions) {
    super();
    this._options = options;
    this.name = options.name;
    this.addClass('jp-mlstudio-training-view');
    this.node.dataset.status = 'loading';
    this.node.tabIndex = -1;
    this._poller = new IntervalPoller(() => this._refresh(), JOB_POLL_INTERVAL);

    this._stop.addEventListener('click', () => void this._stopJob());
    this._clone.addEventListener('click', () => this._job && options.clone(this._job));
    this._delete.addEventListener('click', () => void this._deleteJob());
    this._deploy.addEventListener('click', () => options.deploy?.(this.name));
    this._deploy.hidden = true;
    this._stop.hidden = true;
    this._delete.hidden = true;
    this._clone.disabled = true;

    const header = viewHeader(this.name, [this._badge, this._secondary], [this._deploy, this._stop, this._clone, this._delete]);

    this._message.hidden = true;
    this._message.setAttribute('role', 'alert');
    this._failure.hidden = true;
    this._output.hidden = true;
    this._current.hidden = true;

    const overview = block('Overview', 'jp-mlstudio-training-overview');
    overview.body.append(this._summary);
    const metrics = block('Metrics', 'jp-mlstudio-training-metrics');
    metrics.body.append(this._finals, this._charts);
    const timeline = block('Status', 'jp-mlstudio-training-status');
    timeline.body.append(this._timeline);
    const log = block('Log', 'jp-mlstudio-training-logblock');
    log.body.append(this._log.node);
    const settings = block('Settings', 'jp-mlstudio-training-settings');
    settings.body.append(this._settings);

    const columns = el('div', 'jp-mlstudio-training-view-columns');
    const side = el('div', 'jp-mlstudio-training-view-side');
    side.append(overview.root, timeline.root);
    const main = el('div', 'jp-mlstudio-training-view-main');
    main.append(metrics.root, log.root);
    columns.append(main, side);

    const inner = el('div', 'jp-mlstudio-training-view-inner');
    inner.append(header, this._current, this._message, this._failure, this._output, columns, settings.root);
    this.node.append(inner);
    this._charts.replaceChildren(el('p', 'jp-mlstudio-training-muted', 'Loading…'));
    options.client.changed.connect(this._onChanged, this);
  }

  /** The job's name. */
  readonly name: string;

  /** The latest description, once loaded. */
  get job(): IDescribeTrainingJobReply | null {
    return this._job;
  }

  /** Fetch the status and metrics now. */
  refresh(): Promise<void> {
    return this._poller.trigger();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._pause();
    this._options.client.changed.disconnect(this._onChanged, this);
    super.dispose();
  }

  protected onShown(): void {
    this._resume();
  }

  protected onHidden(): void {
    this._pause();
  }

  /** A change made elsewhere (e.g. Stop from the list): poll again. */
  private _onChanged(_: TrainingClient, name: string): void {
    if (name === this.name && !this._gone) {
      this._ended = false;
      if (this.isVisible) {
        void this._poller.start();
        void this.refresh();
      }
    }
  }

  /** Start polling and following the log (hidden views hold no connections). */
  private _resume(): void {
    if (this._gone) {
      return;
    }
    if (!this._ended) {
      void this._poller.start();
    } else if (!this._job) {
      void this._poller.trigger();
    }
    if (!this._abort && !this._log.buffer.complete) {
      const abort = new AbortController();
      this._abort = abort;
      void this._followLogs(abort.signal).finally(() => {
        if (this._abort === abort) {
          this._abort = null;
        }
      });
    }
  }

  private _pause(): void {
    this._poller.stop();
    this._abort?.abort();
    this._abort = null;
  }

  /** One status + metrics update; stops polling once the job has ended. */
  private async _refresh(): Promise<void> {
    let job: IDescribeTrainingJobReply;
    try {
      job = await this._options.client.describe(this.name);
    } catch (error) {
      this._loadFailed(error);
      return;
    }
    if (this.isDisposed) {
      return;
    }
    this._showMessage('');
    const first = this._job === null;
    if (!first && this._job?.TrainingJobStatus !== job.TrainingJobStatus) {
      this._options.client.reportStatus(this.name);
    }
    this._job = job;
    this._render(job, first);
    await this._fetchMetrics();
    if (!isActive(job.TrainingJobStatus)) {
      this._ended = true;
      this._poller.stop();
    }
  }

  private _loadFailed(error: unknown): void {
    if (error instanceof APIError && error.status === 404) {
      this._gone = true;
      this._pause();
      this.node.dataset.status = 'missing';
      this._showMessage(`There is no training job named “${this.name}” (it may have been deleted).`);
      return;
    }
    this._showMessage(`Could not load the job: ${errorText(error)}`);
  }

  private async _fetchMetrics(): Promise<void> {
    this._metricsFetched = Date.now();
    const after = this._metrics.lastId;
    try {
      const reply = await this._options.client.metrics(this.name, after);
      const changed = this._metrics.accept(reply, after);
      if (changed?.length) {
        this._renderCharts(changed);
      }
    } catch {
      // The next poll tries again; the status line shows server trouble.
    }
  }

  /** Follow the log with long polls until it is complete or `signal` aborts. */
  private async _followLogs(signal: AbortSignal): Promise<void> {
    const buffer = this._log.buffer;
    let failures = 0;
    while (!signal.aborted && !buffer.complete) {
      const offset = buffer.offset;
      try {
        const reply = await this._options.client.logs(this.name, offset, true, signal);
        this._log.apply(buffer.accept(reply, offset));
        this._log.setStatus('');
        failures = 0;
        if (reply.text && !this._ended && Date.now() - this._metricsFetched > METRICS_MIN_INTERVAL) {
          // New lines may carry metric values: chart them without waiting for the poll.
          void this._fetchMetrics();
        }
      } catch (error) {
        if (signal.aborted) {
          return;
        }
        if (error instanceof APIError && error.status === 404) {
          this._log.setStatus('The job no longer exists.');
          return;
        }
        failures++;
        this._log.setStatus(`Cannot read the log (${errorText(error)}); retrying…`);
        await new Promise(resolve => setTimeout(resolve, Math.min(30000, 1000 * 2 ** failures)));
      }
    }
    if (buffer.complete) {
      this._log.setComplete();
    }
  }

  private _showMessage(text: string): void {
    this._message.textContent = text;
    this._message.hidden = text === '';
  }

  /** Show a description; the settings tables only the first time. */
  private _render(job: IDescribeTrainingJobReply, first: boolean): void {
    const status = job.TrainingJobStatus;
    this.node.dataset.status = status;
    this._badge.replaceWith((this._badge = badge(status)));
    this._secondary.textContent = job.SecondaryStatus && job.SecondaryStatus !== status ? job.SecondaryStatus : '';
    this._stop.hidden = !canStop(status);
    this._delete.hidden = !isTerminal(status);
    this._deploy.hidden = !this._options.deploy || status !== 'Completed' || !job.ModelArtifacts?.S3ModelArtifacts;
    this._clone.disabled = false;

    const transitions = job.SecondaryStatusTransitions ?? [];
    const last = transitions[transitions.length - 1];
    const currentMessage = isActive(status) && last && !last.EndTime ? last.StatusMessage ?? '' : '';
    this._current.textContent = currentMessage;
    this._current.hidden = currentMessage === '';
    this._current.classList.toggle('jp-mlstudio-training-waiting', /waiting for capacity/i.test(currentMessage));

    showFailure(this._failure, status === 'Failed' ? 'Failure reason' : 'Reason', job.FailureReason);
    this._renderOutput(job);
    this._renderSummary(job);
    renderTimeline(this._timeline, transitions);
    this._renderFinals(job);
    if (first) {
      this._renderSettings(job);
      for (const m of job.AlgorithmSpecification?.MetricDefinitions ?? []) {
        this._metrics.ensure(m.Name);
      }
      this._renderCharts(this._metrics.names);
    }
  }

  private _renderSummary(job: IDescribeTrainingJobReply): void {
    const time = jobTime(job);
    const hps = job.HyperParameters ?? {};
    const source = decodeSdkString(hps.sagemaker_submit_directory ?? '');
    const rows: [string, string][] = [
      [time.running ? 'Elapsed' : 'Duration', time.text],
      ['Created', formatTimestamp(job.CreationTime)],
      ['Started', formatTimestamp(job.TrainingStartTime)],
      ['Ended', formatTimestamp(job.TrainingEndTime)],
      ['Entry point', decodeSdkString(hps.sagemaker_program ?? '')],
      ['Source', source === '.' ? '(workspace root)' : source],
      ['Image', job.AlgorithmSpecification?.TrainingImage || 'python'],
      ['Instances', `${job.ResourceConfig?.InstanceCount ?? 1} × ${job.ResourceConfig?.InstanceType ?? 'local'}`],
      ['Max runtime', job.StoppingCondition?.MaxRuntimeInSeconds ? formatDuration(job.StoppingCondition.MaxRuntimeInSeconds) : '—'],
      ['Output path', job.OutputDataConfig?.S3OutputPath ?? '—']
    ];
    this._summary.replaceChildren(summaryList(rows));
  }

  private _renderOutput(job: IDescribeTrainingJobReply): void {
    const uri = job.ModelArtifacts?.S3ModelArtifacts;
    this._output.hidden = !uri;
    if (!uri || this._output.dataset.uri === uri) {
      return;
    }
    this._output.dataset.uri = uri;
    const code = el('code', 'jp-mlstudio-training-output-uri', uri);
    const open = actionButton('Open in S3 browser', 'open-model');
    open.hidden = true;
    open.addEventListener('click', () => this._options.openS3(uri));
    void this._options.canOpenS3().then(ok => (open.hidden = !ok));
    const buttons: HTMLElement[] = [open];
    const copy = actionButton('Copy URI', 'copy-model');
    copy.addEventListener('click', () => this._options.copy(uri));
    buttons.push(copy);
    const actions = el('div', 'jp-mlstudio-training-output-actions');
    actions.append(...buttons);
    this._output.replaceChildren(el('span', 'jp-mlstudio-training-output-label', 'Model artifacts'), code, actions);
  }

  private _renderFinals(job: IDescribeTrainingJobReply): void {
    const finals = job.FinalMetricDataList ?? [];
    this._finals.hidden = finals.length === 0;
    this._finals.replaceChildren(
      ...finals.map(m => {
        const item = el('div', 'jp-mlstudio-training-final');
        item.dataset.metric = m.MetricName;
        const value = el('span', 'jp-mlstudio-training-final-value', formatValue(m.Value));
        value.title = String(m.Value);
        item.append(el('span', 'jp-mlstudio-training-final-name', m.MetricName), value);
        return item;
      })
    );
  }

  /** Update the charts of `names`, adding charts for new metrics. */
  private _renderCharts(names: string[]): void {
    if (!this._metrics.names.length) {
      this._charts.replaceChildren(
        el('p', 'jp-mlstudio-training-muted', 'No metric definitions: add some (name + regex) to chart values the script prints.')
      );
      return;
    }
    for (const name of names) {
      let chart = this._chartViews.get(name);
      if (!chart) {
        chart = new MetricChart(name);
        this._chartViews.set(name, chart);
      }
      chart.update(this._metrics.points(name));
    }
    this._charts.replaceChildren(...this._metrics.names.map(n => this._chartViews.get(n)?.node).filter((n): n is HTMLElement => !!n));
  }

  private _renderSettings(job: IDescribeTrainingJobReply): void {
    const hps = Object.entries(job.HyperParameters ?? {}).filter(
      ([key]) => key !== 'sagemaker_program' && key !== 'sagemaker_submit_directory'
    );
    const channels = (job.InputDataConfig ?? []).map(
      (ch): [string, string] => [
        ch.ChannelName,
        `${ch.DataSource?.S3DataSource?.S3Uri ?? ''}${ch.ContentType ? `  (${ch.ContentType})` : ''}`
      ]
    );
    const metrics = (job.AlgorithmSpecification?.MetricDefinitions ?? []).map((m): [string, string] => [m.Name, m.Regex]);
    const part = (title: string, table: HTMLElement): HTMLElement => {
      const div = el('div', 'jp-mlstudio-training-settings-part');
      div.append(el('h4', 'jp-mlstudio-training-settings-title', title), table);
      return div;
    };
    this._settings.replaceChildren(
      part('Hyperparameters', keyValueTable(['Name', 'Value'], hps, 'No hyperparameters.', 'jp-mlstudio-training-hps')),
      part('Input channels', keyValueTable(['Channel', 'S3 URI'], channels, 'No input channels.', 'jp-mlstudio-training-channels')),
      part('Metric definitions', keyValueTable(['Metric', 'Regex'], metrics, 'No metric definitions.', 'jp-mlstudio-training-metric-defs'))
    );
  }

  private async _stopJob(): Promise<void> {
    this._stop.disabled = true;
    try {
      if (await confirmStop(this._options.client, this.name)) {
        this._ended = false;
        if (this.isVisible) {
          void this._poller.start();
        }
        await this.refresh();
      }
    } catch (error) {
      this._showMessage(`Could not stop the job: ${errorText(error)}`);
    } finally {
      this._stop.disabled = false;
    }
  }

  private async _deleteJob(): Promise<void> {
    try {
      if (await confirmDelete(this._options.client, this.name)) {
        this._gone = true;
        this._pause();
        this._options.deleted();
      }
    } catch (error) {
      this._showMessage(`Could not delete the job: ${errorText(error)}`);
    }
  }

  private readonly _options: IJobViewOptions;
  private readonly _poller: IntervalPoller;
  private readonly _metrics = new MetricStore();
  private readonly _chartViews = new Map<string, MetricChart>();
  private readonly _log = new LogView();
  private readonly _stop = actionButton('Stop', 'stop', 'jp-mlstudio-training-button jp-mod-warn');
  private readonly _clone = actionButton('Clone', 'clone');
  private readonly _delete = actionButton('Delete', 'delete');
  private readonly _deploy = actionButton('Deploy…', 'deploy', 'jp-mlstudio-training-button jp-mod-accept');
  private _badge: HTMLElement = badge('Loading');
  private readonly _secondary = el('span', 'jp-mlstudio-training-view-secondary');
  private readonly _current = el('p', 'jp-mlstudio-training-view-current');
  private readonly _message = el('p', 'jp-mlstudio-training-view-message');
  private readonly _failure = el('div', 'jp-mlstudio-training-failure');
  private readonly _output = el('div', 'jp-mlstudio-training-output');
  private readonly _summary = el('div', 'jp-mlstudio-training-summary');
  private readonly _finals = el('div', 'jp-mlstudio-training-finals');
  private readonly _charts = el('div', 'jp-mlstudio-training-charts');
  private readonly _timeline = el('ol', 'jp-mlstudio-training-timeline');
  private readonly _settings = el('div', 'jp-mlstudio-training-settings-body');
  private _job: IDescribeTrainingJobReply | null = null;
  private _abort: AbortController | null = null;
  private _ended = false;
  private _gone = false;
  private _metricsFetched = 0;
}
