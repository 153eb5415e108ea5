/**
 * The gallery's REST client (`mlstudio/api/examples/…`).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { Signal, type ISignal } from '@lumino/signaling';

import { API_NAMESPACE, APIError, requestAPI } from '../api';
import { readJSONReply } from '../reply';
import { stripScripts } from './html';
import type {
  IExample,
  IGalleryRequests,
  IListReply,
  IReviewReply,
  IShareRequest,
  IUseReply,
  IUseRequest,
  IValidationRun,
  ReviewAction
} from './types';
import type { IValidationRequests } from './validation';

/** Path of one example below `mlstudio/api/`. */
function examplePath(id: string, action = ''): string {
  return `examples/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;
}

/** A JSON POST. */
function post(body: unknown): RequestInit {
  return { method: 'POST', body: JSON.stringify(body) };
}

/** Talks to the gallery API; one instance is shared by the gallery's widgets. */
export class GalleryClient implements IGalleryRequests, IValidationRequests {
  constructor(
    private readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  /** Emitted after this client added, reviewed, deleted or validated examples. */
  get changed(): ISignal<GalleryClient, void> {
    return this._changed;
  }

  /** Tell listeners the examples changed (e.g. after a validation run). */
  notifyChanged(): void {
    this._changed.emit();
  }

  /** `GET <path>`, a path made by `listPath`. */
  list(path: string): Promise<IListReply> {
    return requestAPI<IListReply>(path, {}, this.settings);
  }

  /** One example. */
  get(id: string): Promise<IExample> {
    return requestAPI<IExample>(examplePath(id), {}, this.settings);
  }

  /** The sanitised HTML preview, without its script elements. */
  async preview(id: string): Promise<string> {
    const url = URLExt.join(
      this.settings.baseUrl,
      API_NAMESPACE,
      examplePath(id, 'preview')
    );
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, {}, this.settings);
    } catch (error) {
      const detail =
        error instanceof Error && error.message ? `: ${error.message}` : '';
      throw new APIError(`Cannot reach the Jupyter server${detail}`, 0);
    }
    if (!response.ok) {
      await readJSONReply(response); // throws the server's message
    }
    return stripScripts(await response.text());
  }

  /** Copy an example into the workspace; resolves with the new file's path. */
  use(id: string, request: IUseRequest): Promise<IUseReply> {
    return requestAPI<IUseReply>(
      examplePath(id, 'use'),
      post(request),
      this.settings
    );
  }

  /** Share a notebook of the workspace as an (unreviewed) example. */
  async share(request: IShareRequest): Promise<IExample> {
    const example = await requestAPI<IExample>(
      'examples',
      post(request),
      this.settings
    );
    this._changed.emit();
    return example;
  }

  /** Approve or reject an unreviewed example. */
  async review(id: string, action: ReviewAction): Promise<IReviewReply> {
    const reply = await requestAPI<IReviewReply>(
      examplePath(id, 'review'),
      post({ action }),
      this.settings
    );
    this._changed.emit();
    return reply;
  }

  /** Delete an unreviewed example. */
  async remove(id: string): Promise<void> {
    await requestAPI<null>(
      examplePath(id),
      { method: 'DELETE' },
      this.settings
    );
    this._changed.emit();
  }

  /** Start validating `ids` (all that opt in by default). */
  startValidation(ids?: string[]): Promise<IValidationRun> {
    return requestAPI<IValidationRun>(
      'examples/validations',
      post(ids ? { ids } : {}),
      this.settings
    );
  }

  /** A validation run's progress. */
  validation(id: string): Promise<IValidationRun> {
    return requestAPI<IValidationRun>(
      `examples/validations/${encodeURIComponent(id)}`,
      {},
      this.settings
    );
  }

  private readonly _changed = new Signal<GalleryClient, void>(this);
}
