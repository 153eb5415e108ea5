/**
 * The uploads area under the list: one progress bar per file with Cancel.
 */
import { closeIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { el } from '../sidebar/dom';
import { formatProgress, formatSize } from './format';
import { baseName, s3Uri } from './paths';
import { isFinished, type IUploadItem, type UploadQueue } from './transfers';

/** How long a finished upload's row stays, in ms. */
const DONE_LINGER = 4000;

const STATUS_TEXT: Record<IUploadItem['status'], string> = {
  queued: 'Waiting…',
  uploading: '',
  confirming: 'Replace the existing object?',
  done: 'Uploaded',
  failed: '',
  cancelled: 'Cancelled',
  skipped: ''
};

/** Shows the items of an `UploadQueue` (root class `jp-mlstudio-s3-uploads`). */
export class UploadsView extends Widget {
  constructor(queue: () => UploadQueue) {
    super();
    this._queue = queue;
    this.addClass('jp-mlstudio-s3-uploads');
    this.node.setAttribute('aria-label', 'Uploads');
    this.node.setAttribute('aria-live', 'polite');
    this.hide();
  }

  /** Update the row of one item (add it when new). */
  showItem(item: IUploadItem): void {
    let row = this._rows.get(item.id);
    if (!row) {
      row = this._makeRow(item);
      this._rows.set(item.id, row);
      this.node.append(row);
    }
    this._fill(row, item);
    this.setHidden(this._rows.size === 0);
    if (item.status === 'done' || item.status === 'cancelled') {
      window.setTimeout(() => this._dismiss(item.id), DONE_LINGER);
    }
  }

  private _makeRow(item: IUploadItem): HTMLElement {
    const row = el('div', 'jp-mlstudio-s3-progress');
    row.dataset.key = item.key;
    const top = el('div', 'jp-mlstudio-s3-progress-top');
    const name = el('span', 'jp-mlstudio-s3-progress-name', baseName(item.key));
    name.title = s3Uri(item.bucket, item.key);
    const button = el('button', 'jp-mlstudio-s3-progress-cancel jp-Button jp-mod-minimal');
    button.type = 'button';
    button.append(closeIcon.element({ tag: 'span', className: 'jp-mlstudio-s3-progress-x' }));
    button.addEventListener('click', () => {
      const current = this._queue().items.find(i => i.id === item.id);
      if (current && !isFinished(current)) {
        this._queue().cancel(item.id);
      } else {
        this._dismiss(item.id);
      }
    });
    top.append(name, el('span', 'jp-mlstudio-s3-progress-text'), button);
    const bar = el('progress', 'jp-mlstudio-s3-progress-bar');
    row.append(top, bar);
    return row;
  }

  private _fill(row: HTMLElement, item: IUploadItem): void {
    row.dataset.status = item.status;
    const bar = row.querySelector('progress') as HTMLProgressElement;
    const text = row.querySelector('.jp-mlstudio-s3-progress-text') as HTMLElement;
    const button = row.querySelector('button') as HTMLButtonElement;
    const finished = isFinished(item);
    bar.max = Math.max(1, item.total);
    bar.value = item.status === 'done' ? bar.max : Math.min(item.loaded, bar.max);
    bar.hidden = finished && item.status !== 'done';
    let status = STATUS_TEXT[item.status];
    if (item.status === 'uploading') {
      status = formatProgress(item.loaded, item.total);
    } else if (item.status === 'done') {
      status = `Uploaded ${formatSize(item.total)}`;
    } else if (item.status === 'failed' || item.status === 'skipped') {
      status = item.error ?? 'Failed';
    }
    text.textContent = status;
    text.title = status;
    button.title = finished ? 'Dismiss' : 'Cancel upload';
    button.setAttribute('aria-label', button.title);
    button.dataset.action = finished ? 'dismiss' : 'cancel';
  }

  private _dismiss(id: number): void {
    const row = this._rows.get(id);
    if (row) {
      row.remove();
      this._rows.delete(id);
    }
    this._queue().remove(id);
    this.setHidden(this._rows.size === 0);
  }

  private readonly _queue: () => UploadQueue;
  private readonly _rows = new Map<number, HTMLElement>();
}
