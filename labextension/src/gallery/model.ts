/**
 * The gallery view's state: filters, the loaded pages of examples, the
 * reviewer flag and the validation run. No DOM, no JupyterLab.
 */
import { APIError } from '../reply';
import { errorText } from '../status';
import { cardModel, type ICardModel } from './card';
import { emptyQuery, listPath, sameQuery, type IGalleryQuery } from './query';
import type {
  IExample,
  IExampleSource,
  IGalleryRequests,
  IReviewReply,
  IValidationRun,
  ReviewAction
} from './types';
import {
  CancelledError,
  runValidation,
  type IValidationRequests
} from './validation';

/** Everything the view renders. */
export interface IGalleryState {
  readonly query: IGalleryQuery;
  readonly examples: readonly IExample[];
  /** Matches of the query on the server (not only those loaded). */
  readonly total: number;
  readonly nextToken: string | null;
  readonly categories: readonly string[];
  readonly tags: readonly string[];
  readonly sources: readonly IExampleSource[];
  /** `loading`: the first page; `more`: a further page. */
  readonly loading: 'idle' | 'loading' | 'more';
  /** Why the last listing failed; '' if it did not. */
  readonly error: string;
  /** Whether a first page was ever loaded. */
  readonly loaded: boolean;
  /** `false` once the server said the user is not a reviewer. */
  readonly reviewer: boolean | null;
  /** The running or last validation run. */
  readonly validation: IValidationRun | null;
  /** Why the last validation run could not be followed; '' if it could. */
  readonly validationError: string;
}

/** Options of the model. */
export interface IGalleryModelOptions {
  /** Milliseconds between validation polls. */
  pollInterval?: number;
  /** Waits between polls (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
}

/** Whether an error is the server's "you are not a reviewer". */
export function isNotAReviewer(error: unknown): boolean {
  return (
    error instanceof APIError &&
    (error.reason === 'NotAReviewer' || (error.status === 403 && !error.reason))
  );
}

/** State and operations of one gallery view. */
export class GalleryModel {
  constructor(
    private readonly requests: IGalleryRequests & IValidationRequests,
    private readonly options: IGalleryModelOptions = {}
  ) {}

  /** The current state (a new object after every change). */
  get state(): IGalleryState {
    return this._state;
  }

  /** The cards of the loaded examples. */
  cards(): ICardModel[] {
    const reviewer = this._state.reviewer;
    return this._state.examples.map(e => cardModel(e, { reviewer }));
  }

  /** Call `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: (state: IGalleryState) => void): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  /** Whether a validation run is being followed. */
  get validating(): boolean {
    return this._validation !== null;
  }

  /** Change some filters; reloads when the query changed (or nothing is loaded yet). */
  async setQuery(patch: Partial<IGalleryQuery>): Promise<void> {
    const query = { ...this._state.query, ...patch };
    if (this._state.loaded && sameQuery(query, this._state.query)) {
      this._set({ query });
      return;
    }
    this._set({ query });
    await this.reload();
  }

  /** Load the first page of the current query again. */
  async reload(): Promise<void> {
    const seq = ++this._seq;
    this._set({ loading: 'loading', error: '' });
    try {
      const reply = await this.requests.list(listPath(this._state.query));
      if (seq !== this._seq) {
        return;
      }
      this._set({
        examples: reply.examples ?? [],
        total: reply.total ?? 0,
        nextToken: reply.next_token ?? null,
        categories: reply.categories ?? [],
        tags: reply.tags ?? [],
        sources: reply.sources ?? [],
        loading: 'idle',
        loaded: true
      });
    } catch (error) {
      if (seq === this._seq) {
        this._set({ loading: 'idle', error: errorText(error) });
      }
    }
  }

  /** Append the next page, if there is one. */
  async loadMore(): Promise<void> {
    const token = this._state.nextToken;
    if (!token || this._state.loading !== 'idle') {
      return;
    }
    const seq = this._seq;
    this._set({ loading: 'more', error: '' });
    try {
      const reply = await this.requests.list(
        listPath(this._state.query, token)
      );
      if (seq !== this._seq) {
        return;
      }
      const known = new Set(this._state.examples.map(e => e.id));
      this._set({
        examples: [
          ...this._state.examples,
          ...(reply.examples ?? []).filter(e => !known.has(e.id))
        ],
        total: reply.total ?? this._state.total,
        nextToken: reply.next_token ?? null,
        loading: 'idle'
      });
    } catch (error) {
      if (seq === this._seq) {
        this._set({ loading: 'idle', error: errorText(error) });
      }
    }
  }

  /**
   * Approve or reject an example and update the list. Rejects with the
   * server's error; after `NotAReviewer` the review buttons go away.
   */
  async review(id: string, action: ReviewAction): Promise<IReviewReply> {
    let reply: IReviewReply;
    try {
      reply = await this.requests.review(id, action);
    } catch (error) {
      if (isNotAReviewer(error)) {
        this._set({ reviewer: false });
      }
      throw error;
    }
    this._set({ reviewer: true });
    const approved = reply.example;
    if (
      action === 'approve' &&
      approved &&
      this._state.query.reviewed !== 'unreviewed'
    ) {
      this._set({
        examples: this._state.examples.map(e => (e.id === id ? approved : e))
      });
    } else {
      this._drop(id);
    }
    return reply;
  }

  /** Delete an example and take it off the list. */
  async remove(id: string): Promise<void> {
    await this.requests.remove(id);
    this._drop(id);
  }

  /**
   * Validate every example that opts in, following the run until it ends and
   * updating badges as results arrive. Does nothing if a run is followed already.
   */
  async validateAll(): Promise<void> {
    if (this._validation) {
      return;
    }
    const controller = new AbortController();
    this._validation = controller;
    this._set({ validationError: '' });
    try {
      await runValidation(this.requests, {
        interval: this.options.pollInterval,
        sleep: this.options.sleep,
        signal: controller.signal,
        onProgress: run => this._applyRun(run)
      });
    } catch (error) {
      if (!(error instanceof CancelledError)) {
        this._set({ validationError: errorText(error) });
      }
    } finally {
      this._validation = null;
      if (!controller.signal.aborted) {
        this._emit();
      }
    }
  }

  /** Stop following a validation run and drop listeners. */
  dispose(): void {
    this._validation?.abort();
    this._validation = null;
    this._listeners.clear();
    this._seq++;
  }

  /** Record a run's progress and put its results on the matching examples. */
  private _applyRun(run: IValidationRun): void {
    const results = new Map(run.results.map(r => [r.id, r]));
    const examples = this._state.examples.map(e => {
      const r = results.get(e.id);
      return r
        ? {
            ...e,
            validation: {
              status: r.status,
              duration: r.duration,
              error: r.error,
              validated_at: new Date().toISOString()
            }
          }
        : e;
    });
    this._set({ validation: run, examples });
  }

  private _drop(id: string): void {
    const examples = this._state.examples.filter(e => e.id !== id);
    const removed = this._state.examples.length - examples.length;
    this._set({ examples, total: Math.max(0, this._state.total - removed) });
  }

  private _set(patch: Partial<IGalleryState>): void {
    this._state = { ...this._state, ...patch };
    this._emit();
  }

  private _emit(): void {
    for (const listener of [...this._listeners]) {
      listener(this._state);
    }
  }

  private _state: IGalleryState = {
    query: emptyQuery(),
    examples: [],
    total: 0,
    nextToken: null,
    categories: [],
    tags: [],
    sources: [],
    loading: 'idle',
    error: '',
    loaded: false,
    reviewer: null,
    validation: null,
    validationError: ''
  };
  private readonly _listeners = new Set<(state: IGalleryState) => void>();
  private _seq = 0;
  private _validation: AbortController | null = null;
}
