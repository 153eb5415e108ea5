/**
 * The view of one batch transform job (`.jp-mlstudio-transform-view[data-status]`):
 * status, progress bar, failure reason, settings and the log, polled while
 * the job runs; Stop and Delete.
 */
import { IntervalPoller } from '../poller';
import { APIError } from '../reply';
import { formatSize } from '../s3/format';
import { errorText } from '../status';
import { VisibleWidget } from '../visiblewidget';
import { formatTimestamp, jobTime } from '../training/format';
import { LogView } from '../training/logview';
import { canStop, isActive, isTerminal } from '../training/status';
import { confirmDeleteTransform, confirmStopTransform } from './actions';
import type { EndpointsClient } from './client';
import { actionButton, badge, block, el, keyValueTable, progressBar, showFailure, summaryList, viewHeader } from './dom';
import { progressInfo } from './transform';
import type { IDescribeTransformJobReply } from './types';

/** Milliseconds between refreshes while the job runs. */
export const TRANSFORM_POLL_INTERVAL = 2000;

/** The DOM id of a transform job's view. */
export function transformViewId(name: string): string {
  return `jp-mlstudio-transform-${name}`;
}

/** What the view needs from its plugin. */
export interface ITransformViewOptions {
  client: EndpointsClient;
  name: string;
  /** Called after the job was deleted (the view should close). */
  deleted: () => void;
}

/** A transform job view. */
export class TransformView extends VisibleWidget {
  constructor(options: ITransformViewOptions) {
    super();
    this._options = options;
    this.name = options.name;
    this.addClass('jp-mlstudio-training-view');
    this.addClass('jp-mlstudio-transform-view');
    this.node.dataset.status = 'loading';
    this.node.tabIndex = -1;
    this._poller = new IntervalPoller(() => this._refresh(), TRANSFORM_POLL_INTERVAL);
    this._stop.hidden = true;
    this._delete.hidden = true;
    this._stop.addEventListener('click', () => void this._stopJob());
    this._delete.addEventListener('click', () => void this._deleteJob());

    const header = viewHeader(this.name, [this._badge], [this._stop, this._delete]);
    this._message.hidden = true;
    this._message.setAttribute('role', 'alert');
    this._failure.hidden = true;

    const overview = block('Overview', 'jp-mlstudio-transform-overview');
    overview.body.append(this._summary);
    const log = block('Log', 'jp-mlstudio-training-logblock');
    log.body.append(this._log.node);
    const settings = block('Settings', 'jp-mlstudio-training-settings');
    settings.body.append(this._settings);
    const columns = el('div', 'jp-mlstudio-training-view-columns');
    const side = el('div', 'jp-mlstudio-training-view-side');
    side.append(overview.root);
    const main = el('div', 'jp-mlstudio-training-view-main');
    main.append(log.root);
    columns.append(main, side);

    const inner = el('div', 'jp-mlstudio-training-view-inner');
    inner.append(header, this._message, this._progress, this._failure, columns, settings.root);
    this.node.append(inner);
    options.client.changed.connect(this._onChanged, this);
  }

  /** The job's name. */
  readonly name: string;

  /** Fetch the status and log now. */
  refresh(): Promise<void> {
    return this._poller.trigger();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poller.stop();
    this._options.client.changed.disconnect(this._onChanged, this);
    super.dispose();
  }

  protected onShown(): void {
    if (!this._gone) {
      void this._poller.start();
    }
  }

  protected onHidden(): void {
    this._poller.stop();
  }

  /** Stop, delete or a status seen elsewhere: look again, even if the job had ended. */
  private _onChanged(_: EndpointsClient, change: { kind: string; name: string }): void {
    if (change.kind === 'transform' && change.name === this.name && !this._gone) {
      this._ended = false;
      void this.refresh();
    }
  }

  /** One status + log update; none once the job has ended and its log is read. */
  private async _refresh(): Promise<void> {
    if (this._ended) {
      return;
    }
    let job: IDescribeTransformJobReply;
    try {
      job = await this._options.client.describeTransform(this.name);
    } catch (error) {
      if (error instanceof APIError && error.status === 404) {
        this._gone = true;
        this._poller.stop();
        this.node.dataset.status = 'missing';
        this._showMessage(`There is no transform job named “${this.name}” (it may have been deleted).`);
        return;
      }
      this._showMessage(`Could not load the job: ${errorText(error)}`);
      return;
    }
    if (this.isDisposed) {
      return;
    }
    this._showMessage('');
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
    this.node.dataset.status = status;
    if (this._badge.dataset.status !== status) {
      this._badge.replaceWith((this._badge = badge(status)));
    }
    this._stop.hidden = !canStop(status);
    this._delete.hidden = !isTerminal(status);
    const progress = progressInfo(job.Progress, status);
    this._progress.replaceChildren(progressBar(status === 'Failed' || status === 'Stopped' ? progress.percent ?? 0 : progress.percent, progress.text));
    showFailure(this._failure, 'Failure reason', job.FailureReason);
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

  private _showMessage(text: string): void {
    this._message.textContent = text;
    this._message.hidden = text === '';
  }

  private async _stopJob(): Promise<void> {
    this._stop.disabled = true;
    try {
      await confirmStopTransform(this._options.client, this.name);
    } catch (error) {
      this._showMessage(`Could not stop the job: ${errorText(error)}`);
    } finally {
      this._stop.disabled = false;
    }
  }

  private async _deleteJob(): Promise<void> {
    try {
      if (await confirmDeleteTransform(this._options.client, this.name)) {
        this._gone = true;
        this._poller.stop();
        this._options.deleted();
      }
    } catch (error) {
      this._showMessage(`Could not delete the job: ${errorText(error)}`);
    }
  }

  private readonly _options: ITransformViewOptions;
  private readonly _poller: IntervalPoller;
  private readonly _log = new LogView();
  private readonly _stop = actionButton('Stop', 'stop', 'jp-mlstudio-training-button jp-mod-warn');
  private readonly _delete = actionButton('Delete', 'delete');
  private _badge: HTMLElement = badge('Loading');
  private readonly _message = el('p', 'jp-mlstudio-training-view-message');
  private readonly _progress = el('div', 'jp-mlstudio-transform-progress');
  private readonly _failure = el('div', 'jp-mlstudio-training-failure');
  private readonly _summary = el('div', 'jp-mlstudio-training-summary');
  private readonly _settings = el('div', 'jp-mlstudio-transform-settings-body');
  private _job: IDescribeTransformJobReply | null = null;
  private _ended = false;
  private _gone = false;
}
