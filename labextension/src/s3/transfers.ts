/**
 * The upload queue: a few uploads at a time, progress, cancel, and "replace
 * the existing object?" (pure: the request and the question are injected).
 */
import { isObjectExists } from './errors';
import { UploadCancelled, type IUploadHandle, type IUploadProgress } from './uploader';
import type { IUploadReply } from './types';

/** Where an upload is in its life. */
export type UploadStatus =
  | 'queued'
  | 'uploading'
  | 'confirming'
  | 'done'
  | 'failed'
  | 'cancelled'
  | 'skipped';

/** Where a file goes. */
export interface IUploadTarget {
  connection: string;
  bucket: string;
  key: string;
}

/** One file of the queue; the queue updates it in place. */
export interface IUploadItem extends IUploadTarget {
  readonly id: number;
  readonly file: Blob;
  status: UploadStatus;
  loaded: number;
  total: number;
  /** Readable reason of a failure. */
  error: string | null;
  reply: IUploadReply | null;
}

/** What the queue needs from its owner. */
export interface IUploadQueueOptions {
  /** Start one request; `overwrite` false asks the server to refuse an existing key. */
  start: (
    item: IUploadItem,
    overwrite: boolean,
    onProgress: (progress: IUploadProgress) => void
  ) => IUploadHandle;
  /** Ask whether to replace the object at `item.key`. */
  confirmOverwrite: (item: IUploadItem) => Promise<boolean>;
  /** A readable message for a failure. */
  describe: (error: unknown) => string;
  /** Uploads running at once (default 2). */
  concurrency?: number;
  /** Called after any change of an item (progress included). */
  onChange?: (item: IUploadItem) => void;
}

/** Whether an item has finished one way or another. */
export function isFinished(item: IUploadItem): boolean {
  return ['done', 'failed', 'cancelled', 'skipped'].includes(item.status);
}

/** Uploads run in the order added, `concurrency` at a time. */
export class UploadQueue {
  constructor(options: IUploadQueueOptions) {
    this._options = options;
    this._concurrency = Math.max(1, options.concurrency ?? 2);
  }

  /** Every item not yet removed, in the order added. */
  get items(): readonly IUploadItem[] {
    return this._items;
  }

  /** Queue a file; it starts as soon as a slot is free. */
  add(file: Blob, target: IUploadTarget): IUploadItem {
    const item: IUploadItem = {
      ...target,
      id: ++this._lastId,
      file,
      status: 'queued',
      loaded: 0,
      total: file.size,
      error: null,
      reply: null
    };
    this._items.push(item);
    this._changed(item);
    this._pump();
    return item;
  }

  /** Cancel a queued or running upload (nothing is written at its key). */
  cancel(id: number): void {
    const item = this._items.find(i => i.id === id);
    if (!item || isFinished(item)) {
      return;
    }
    const handle = this._handles.get(id);
    item.status = 'cancelled';
    if (handle) {
      handle.abort();
    }
    this._changed(item);
    this._pump();
  }

  /** Forget a finished item (its row goes away). */
  remove(id: number): void {
    const index = this._items.findIndex(i => i.id === id);
    if (index !== -1 && isFinished(this._items[index])) {
      this._items.splice(index, 1);
    }
  }

  /** Resolves once nothing is queued or running. */
  async idle(): Promise<void> {
    while (this._running.size > 0 || this._items.some(i => i.status === 'queued')) {
      await Promise.race([...this._running.values()]);
    }
  }

  private _pump(): void {
    while (this._running.size < this._concurrency) {
      const next = this._items.find(i => i.status === 'queued');
      if (!next) {
        return;
      }
      next.status = 'uploading';
      const run = this._run(next).finally(() => {
        this._running.delete(next.id);
        this._pump();
      });
      this._running.set(next.id, run);
    }
  }

  private async _run(item: IUploadItem): Promise<void> {
    let overwrite = false;
    for (;;) {
      if (item.status === 'cancelled') {
        return;
      }
      item.status = 'uploading';
      item.loaded = 0;
      this._changed(item);
      const handle = this._options.start(item, overwrite, progress => {
        if (item.status === 'uploading') {
          item.loaded = progress.loaded;
          item.total = progress.total;
          this._changed(item);
        }
      });
      this._handles.set(item.id, handle);
      try {
        item.reply = await handle.done;
        item.loaded = item.total;
        item.status = 'done';
        this._changed(item);
        return;
      } catch (error) {
        if (error instanceof UploadCancelled || (item.status as UploadStatus) === 'cancelled') {
          item.status = 'cancelled';
          this._changed(item);
          return;
        }
        if (!overwrite && isObjectExists(error)) {
          item.status = 'confirming';
          this._changed(item);
          const replace = await this._options.confirmOverwrite(item);
          if ((item.status as UploadStatus) === 'cancelled') {
            return;
          }
          if (replace) {
            overwrite = true;
            continue;
          }
          item.status = 'skipped';
          item.error = 'Not replaced: an object with this key exists.';
          this._changed(item);
          return;
        }
        item.status = 'failed';
        item.error = this._options.describe(error);
        this._changed(item);
        return;
      } finally {
        this._handles.delete(item.id);
      }
    }
  }

  private _changed(item: IUploadItem): void {
    this._options.onChange?.(item);
  }

  private readonly _options: IUploadQueueOptions;
  private readonly _concurrency: number;
  private readonly _items: IUploadItem[] = [];
  private readonly _handles = new Map<number, IUploadHandle>();
  private readonly _running = new Map<number, Promise<void>>();
  private _lastId = 0;
}
