/**
 * The view of one training job (`.jp-mlstudio-training-view[data-status]`):
 * header with Deploy / Stop / Clone / Delete, failure reason, output model, live
 * metric charts, status timeline, live log tail and the job's settings.
 */
import { APIError } from '../reply';
import { errorText } from '../status';
import { confirmDelete, confirmStop } from './actions';
import { formatValue } from './chartgeom';
import { MetricChart } from './chartview';
import type { TrainingClient } from './client';
import { actionButton, block, el, keyValueTable, showFailure, summaryList, viewColumns, viewHeader } from './dom';
import { decodeSdkString } from './form';
import { formatDuration, formatTimestamp, jobTime } from './format';
import { LogView } from './logview';
import { MetricStore } from './metrics';
import { ResourceView, type IResourceViewProps } from './resourceview';
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
export interface IJobViewOptions extends IResourceViewProps<TrainingClient> {
  /** Open the create form prefilled from this job. */
  clone: (job: IDescribeTrainingJobReply) => void;
  /** Whether an S3 browser that can show a URI is installed. */
  canOpenS3: () => Promise<boolean>;
  /** Show an S3 URI in the S3 browser. */
  openS3: (uri: string) => void;
  /** Copy text to the clipboard and say so. */
  copy: (text: string) => void;
  /** Deploy a completed job's model to an endpoint (no Deploy button without it). */
  deploy?: (name: string) => void;
}

/** A job view; polls while visible and the job runs, follows the log. */
export class JobView extends ResourceView {
  constructor(options: IJobViewOptions) {
    super({ name: options.name, kind: 'training job', noun: 'job', interval: JOB_POLL_INTERVAL, deleted: options.deleted });
    this._options = options;

    this._stop.addEventListener('click', () => void this._stopJob());
    this._clone.addEventListener('click', () => this._job && options.clone(this._job));
    this._delete.addEventListener('click', () => void this._deleteJob());
    this._deploy.addEventListener('click', () => options.deploy?.(this.name));
    this._deploy.hidden = true;
    this._stop.hidden = true;
    this._delete.hidden = true;
    this._clone.disabled = true;

    const header = viewHeader(this.name, [this.badgeNode, this._secondary], [this._deploy, this._stop, this._clone, this._delete]);

    this._output.hidden = true;
    this._current.hidden = true;

    const columns = viewColumns(
      [
        block('Metrics', 'jp-mlstudio-training-metrics', this._finals, this._charts),
        block('Log', 'jp-mlstudio-training-logblock', this._log.node)
      ],
      [
        block('Overview', 'jp-mlstudio-training-overview', this._summary),
        block('Status', 'jp-mlstudio-training-status', this._timeline)
      ]
    );
    const settings = block('Settings', 'jp-mlstudio-training-settings', this._settings);

    const inner = el('div', 'jp-mlstudio-training-view-inner');
    inner.append(header, this._current, this.message, this.failure, this._output, columns, settings);
    this.node.append(inner);
    this._charts.replaceChildren(el('p', 'jp-mlstudio-training-muted', 'Loading…'));
    options.client.changed.connect(this._onChanged, this);
  }

  /** The latest description, once loaded. */
  get job(): IDescribeTrainingJobReply | null {
    return this._job;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._options.client.changed.disconnect(this._onChanged, this);
    super.dispose();
  }

  /** A change made elsewhere (e.g. Stop from the list): poll again. */
  private _onChanged(_: TrainingClient, name: string): void {
    if (name === this.name && !this.gone) {
      this._ended = false;
      if (this.isVisible) {
        void this.poller.start();
        void this.refresh();
      }
    }
  }

  /** Start polling and following the log (hidden views hold no connections). */
  protected resume(): void {
    if (this.gone) {
      return;
    }
    if (!this._ended) {
      void this.poller.start();
    } else if (!this._job) {
      void this.poller.trigger();
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

  protected pause(): void {
    super.pause();
    this._abort?.abort();
    this._abort = null;
  }

  /** One status + metrics update; stops polling once the job has ended. */
  protected async load(): Promise<void> {
    const job = await this.fetchDescription(() => this._options.client.describe(this.name));
    if (!job) {
      return;
    }
    const first = this._job === null;
    if (!first && this._job?.TrainingJobStatus !== job.TrainingJobStatus) {
      this._options.client.reportStatus(this.name);
    }
    this._job = job;
    this._render(job, first);
    await this._fetchMetrics();
    if (!isActive(job.TrainingJobStatus)) {
      this._ended = true;
      this.poller.stop();
    }
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

  /** Show a description; the settings tables only the first time. */
  private _render(job: IDescribeTrainingJobReply, first: boolean): void {
    const status = job.TrainingJobStatus;
    this.showStatus(status);
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

    showFailure(this.failure, status === 'Failed' ? 'Failure reason' : 'Reason', job.FailureReason);
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

  private _stopJob(): Promise<void> {
    return this.act(
      'stop',
      async () => {
        if (await confirmStop(this._options.client, this.name)) {
          this._ended = false;
          if (this.isVisible) {
            void this.poller.start();
          }
          await this.refresh();
        }
      },
      this._stop
    );
  }

  private _deleteJob(): Promise<void> {
    return this.deleteWith(() => confirmDelete(this._options.client, this.name));
  }

  private readonly _options: IJobViewOptions;
  private readonly _metrics = new MetricStore();
  private readonly _chartViews = new Map<string, MetricChart>();
  private readonly _log = new LogView();
  private readonly _stop = actionButton('Stop', 'stop', 'jp-mlstudio-training-button jp-mod-warn');
  private readonly _clone = actionButton('Clone', 'clone');
  private readonly _delete = actionButton('Delete', 'delete');
  private readonly _deploy = actionButton('Deploy…', 'deploy', 'jp-mlstudio-training-button jp-mod-accept');
  private readonly _secondary = el('span', 'jp-mlstudio-training-view-secondary');
  private readonly _current = el('p', 'jp-mlstudio-training-view-current');
  private readonly _output = el('div', 'jp-mlstudio-training-output');
  private readonly _summary = el('div', 'jp-mlstudio-training-summary');
  private readonly _finals = el('div', 'jp-mlstudio-training-finals');
  private readonly _charts = el('div', 'jp-mlstudio-training-charts');
  private readonly _timeline = el('ol', 'jp-mlstudio-training-timeline');
  private readonly _settings = el('div', 'jp-mlstudio-training-settings-body');
  private _job: IDescribeTrainingJobReply | null = null;
  private _abort: AbortController | null = null;
  private _ended = false;
  private _metricsFetched = 0;
}
