/**
 * The base of the main-area views of one named resource (a training job, an
 * endpoint, a batch transform job): `.jp-mlstudio-training-view[data-status]`
 * with a status badge, a message line and a failure block; the description
 * is polled while the view is visible; a resource that is gone (404) marks
 * the view `missing`; failed actions say so in the message line.
 */
import { IntervalPoller } from '../poller';
import { APIError } from '../reply';
import { errorText } from '../status';
import { VisibleWidget } from '../visiblewidget';
import { badge, el, replaceBadge } from './dom';

/** What the view of one resource needs from its plugin. */
export interface IResourceViewProps<Client> {
  client: Client;
  /** The resource's name. */
  name: string;
  /** Called after the resource was deleted from the view (the view should close). */
  deleted: () => void;
}

/** What a resource view is about. */
export interface IResourceViewOptions {
  /** The resource's name. */
  name: string;
  /** What the resource is, in messages: "training job", "endpoint"… */
  kind: string;
  /** Short for it in messages ("Could not stop the job"): "job", "endpoint"… */
  noun: string;
  /** Milliseconds between description refreshes while polling. */
  interval: number;
  /** An extra root class, e.g. `jp-mlstudio-endpoint-view`. */
  className?: string;
  /** Called after the resource was deleted from the view (the view should close). */
  deleted: () => void;
}

/** A view of one resource; subclasses fetch and show it in `load`. */
export abstract class ResourceView extends VisibleWidget {
  constructor(options: IResourceViewOptions) {
    super();
    this.name = options.name;
    this._kind = options.kind;
    this._noun = options.noun;
    this._deleted = options.deleted;
    this.addClass('jp-mlstudio-training-view');
    if (options.className) {
      this.addClass(options.className);
    }
    this.node.dataset.status = 'loading';
    this.node.tabIndex = -1;
    this.poller = new IntervalPoller(() => this.load(), options.interval);
    this.message.hidden = true;
    this.message.setAttribute('role', 'alert');
    this.failure.hidden = true;
  }

  /** The resource's name. */
  readonly name: string;

  /** Fetch the description now. */
  refresh(): Promise<void> {
    return this.poller.trigger();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.pause();
    super.dispose();
  }

  protected onShown(): void {
    this.resume();
  }

  protected onHidden(): void {
    this.pause();
  }

  /** Start polling, unless the resource is gone. */
  protected resume(): void {
    if (!this.gone) {
      void this.poller.start();
    }
  }

  /** Stop polling (hidden views hold no timers). */
  protected pause(): void {
    this.poller.stop();
  }

  /** One poll: fetch the description (`fetchDescription`) and show it. */
  protected abstract load(): Promise<void>;

  /** Show `text` in the message line ('' hides it). */
  protected showMessage(text: string): void {
    this.message.textContent = text;
    this.message.hidden = text === '';
  }

  /** Show `status` as the view's `data-status` and in its badge. */
  protected showStatus(status: string): void {
    this.node.dataset.status = status;
    this.badgeNode = replaceBadge(this.badgeNode, status);
  }

  /**
   * Fetch the resource's description with `describe`: null (after saying why
   * through `loadFailed`) when it failed, or when the view was disposed
   * meanwhile; a success clears the message line.
   */
  protected async fetchDescription<T>(describe: () => Promise<T>): Promise<T | null> {
    let description: T;
    try {
      description = await describe();
    } catch (error) {
      this.loadFailed(error);
      return null;
    }
    if (this.isDisposed) {
      return null;
    }
    this.showMessage('');
    return description;
  }

  /**
   * Say why loading failed. A 404 means the resource is gone: polling stops
   * and the view is marked `missing`; returns whether that is so.
   */
  protected loadFailed(error: unknown): boolean {
    if (error instanceof APIError && error.status === 404) {
      this.gone = true;
      this.pause();
      this.node.dataset.status = 'missing';
      this.showMessage(`There is no ${this._kind} named “${this.name}” (it may have been deleted).`);
      return true;
    }
    this.showMessage(`Could not load the ${this._noun}: ${errorText(error)}`);
    return false;
  }

  /**
   * Run a user's action (`verb` the resource), saying "Could not <verb> the
   * <noun>: …" when it fails; `button` is disabled meanwhile.
   */
  protected async act(verb: string, action: () => Promise<unknown>, button?: HTMLButtonElement): Promise<void> {
    if (button) {
      button.disabled = true;
    }
    try {
      await action();
    } catch (error) {
      this.showMessage(`Could not ${verb} the ${this._noun}: ${errorText(error)}`);
    } finally {
      if (button) {
        button.disabled = false;
      }
    }
  }

  /** Delete through `confirm` (true once deleted, false when cancelled), then stop and close. */
  protected deleteWith(confirm: () => Promise<boolean>, button?: HTMLButtonElement): Promise<void> {
    return this.act(
      'delete',
      async () => {
        if (await confirm()) {
          this.gone = true;
          this.pause();
          this._deleted();
        }
      },
      button
    );
  }

  protected readonly poller: IntervalPoller;
  /** The status badge (replaced as the status changes). */
  protected badgeNode: HTMLElement = badge('Loading');
  protected readonly message = el('p', 'jp-mlstudio-training-view-message');
  protected readonly failure = el('div', 'jp-mlstudio-training-failure');
  /** Whether the resource no longer exists (no more polling). */
  protected gone = false;
  private readonly _kind: string;
  private readonly _noun: string;
  private readonly _deleted: () => void;
}
