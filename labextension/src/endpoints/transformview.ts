/**
 * The view of one batch transform job (`.jp-mlstudio-transform-view[data-status]`):
 * status, progress bar, failure reason, settings and the log, polled while
 * the job runs; Stop and Delete.
 */
import { formatSize } from '../s3/format';
import { errorText } from '../status';
import { formatTimestamp, jobTime } from '../training/format';
import { LogView } from '../training/logview';
import { ResourceView, type IResourceViewProps } from '../training/resourceview';
import { canStop, isActive, isTerminal } from '../training/status';
import { confirmDeleteTransform, confirmStopTransform } from './actions';
import type { EndpointsClient } from './client';
import { actionButton, block, el, keyValueTable, progressBar, showFailure, summaryList, viewColumns, viewHeader } from './dom';
import { progressInfo } from './transform';
import type { IDescribeTransformJobReply } from './types';

/** Milliseconds between refreshes while the job runs. */
export const TRANSFORM_POLL_INTERVAL = 2000;

/** The DOM id of a transform job's view. */
export function transformViewId(name: string): string {
  return `jp-mlstudio-transform-${name}`;
}

/** What the view needs from its plugin. */
export type ITransformViewOptions = IResourceViewProps<EndpointsClient>;

/** A transform job view. */
export class TransformView extends ResourceView {
  constructor(options: ITransformViewOptions) {
    super({
      name: options.name,
      kind: 'transform job',
      noun: 'job',
      interval: TRANSFORM_POLL_INTERVAL,
      className: 'jp-mlstudio-transform-view',
      deleted: options.deleted
    });
    this._options = options;
    this._stop.hidden = true;
    this._delete.hidden = true;
    this._stop.addEventListener('click', () => void this._stopJob());
    this._delete.addEventListener('click', () => void this._deleteJob());

    const header = viewHeader(this.name, [this.badgeNode], [this._stop, this._delete]);

    const columns = viewColumns(
      [block('Log', 'jp-mlstudio-training-logblock', this._log.node)],
      [block('Overview', 'jp-mlstudio-transform-overview', this._summary)]
    );
    const settings = block('Settings', 'jp-mlstudio-training-settings', this._settings);

    const inner = el('div', 'jp-mlstudio-training-view-inner');
    inner.append(header, this.message, this._progress, this.failure, columns, settings);
    this.node.append(inner);
    options.client.changed.connect(this._onChanged, this);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._options.client.changed.disconnect(this._onChanged, this);
    super.dispose();
  }

  /** Stop, delete or a status seen elsewhere: look again, even if the job had ended. */
  private _onChanged(_: EndpointsClient, change: { kind: string; name: string }): void {
    if (change.kind === 'transform' && change.name === this.name && !this.gone) {
      this._ended = false;
      void this.refresh();
    }
  }

  /** One status + log update; none once the job has ended and its log is read. */
  protected async load(): Promise<void> {
    if (this._ended) {
      return;
    }
    const job = await this.fetchDescription(() => this._options.client.describeTransform(this.name));
    if (!job) {
      return;
    }
    const first = this._job === null;
    if (!first && this._job?.TransformJobStatus !== job.TransformJobStatus) {
      this._options.client.report({ kind: 'transform', name: this.name });
    }
    this._job = job;
    this._render(job, first);
    await this._readLog();
    if (!isActive(job.TransformJobStatus) && this._log.buffer.complete) {
      this._ended = true;
    }
  }

  /** Read the log from where the last read ended, until nothing new comes. */
  private async _readLog(): Promise<void> {
    const buffer = this._log.buffer;
    for (let i = 0; i < 20 && !buffer.complete; i++) {
      const offset = buffer.offset;
      try {
        const reply = await this._options.client.transformLogs(this.name, offset);
        this._log.apply(buffer.accept(reply, offset));
        this._log.setStatus('');
        if (!reply.text) {
          break;
        }
      } catch (error) {
        this._log.setStatus(`Cannot read the log (${errorText(error)}); retrying…`);
        return;
      }
    }
    if (buffer.complete) {
      this._log.setComplete();
    }
  }

  private _render(job: IDescribeTransformJobReply, first: boolean): void {
    const status = job.TransformJobStatus;
    this.showStatus(status);
    this._stop.hidden = !canStop(status);
    this._delete.hidden = !isTerminal(status);
    const progress = progressInfo(job.Progress, status);
    this._progress.replaceChildren(progressBar(status === 'Failed' || status === 'Stopped' ? progress.percent ?? 0 : progress.percent, progress.text));
    showFailure(this.failure, 'Failure reason', job.FailureReason);
    const p = job.Progress ?? {};
    const time = jobTime({ CreationTime: job.CreationTime, TrainingStartTime: job.TransformStartTime, TrainingEndTime: job.TransformEndTime });
    const rows: [string, string][] = [
      [time.running ? 'Elapsed' : 'Duration', time.text],
      ['Created', formatTimestamp(job.CreationTime)],
      ['Ended', formatTimestamp(job.TransformEndTime)],
      ['Files', `${(p.files_done ?? 0).toLocaleString('en-US')} of ${(p.files_total ?? 0).toLocaleString('en-US')}`],
      ['Records', (p.records_done ?? 0).toLocaleString('en-US')],
      ['Data', `${formatSize(p.bytes_done ?? 0)} of ${formatSize(p.bytes_total ?? 0)}`]
    ];
    this._summary.replaceChildren(summaryList(rows));
    if (first) {
      const input = job.TransformInput;
      const output = job.TransformOutput;
      const settings: [string, string][] = [
        ['Model', job.ModelName],
        ['Input', input?.DataSource?.S3DataSource?.S3Uri ?? '—'],
        ['Content type', input?.ContentType ?? '—'],
        ['Split type', input?.SplitType ?? 'None'],
        ['Compression', input?.CompressionType ?? 'None'],
        ['Output', output?.S3OutputPath ?? '—'],
        ['Accept', output?.Accept ?? '—'],
        ['Assemble with', output?.AssembleWith ?? 'None'],
        ['Join source', job.DataProcessing?.JoinSource ?? 'None'],
        ['Batch strategy', job.BatchStrategy],
        ['Instances', String(job.TransformResources?.InstanceCount ?? 1)],
        ['Max concurrent', String(job.MaxConcurrentTransforms)],
        ['Max payload', `${job.MaxPayloadInMB} MB`]
      ];
      this._settings.replaceChildren(keyValueTable(['Setting', 'Value'], settings, '', 'jp-mlstudio-transform-settings'));
    }
  }

  private _stopJob(): Promise<void> {
    return this.act('stop', () => confirmStopTransform(this._options.client, this.name), this._stop);
  }

  private _deleteJob(): Promise<void> {
    return this.deleteWith(() => confirmDeleteTransform(this._options.client, this.name));
  }

  private readonly _options: ITransformViewOptions;
  private readonly _log = new LogView();
  private readonly _stop = actionButton('Stop', 'stop', 'jp-mlstudio-training-button jp-mod-warn');
  private readonly _delete = actionButton('Delete', 'delete');
  private readonly _progress = el('div', 'jp-mlstudio-transform-progress');
  private readonly _summary = el('div', 'jp-mlstudio-training-summary');
  private readonly _settings = el('div', 'jp-mlstudio-transform-settings-body');
  private _job: IDescribeTransformJobReply | null = null;
  private _ended = false;
}
