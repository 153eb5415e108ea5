/**
 * The base of the sidebar's list sections (Examples, Training, Endpoints,
 * Kernels): a Refresh button in the accordion heading, and either a fetch
 * each time the section shows or polling while it is visible.
 */
import { refreshIcon, Toolbar, ToolbarButton } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { Signal, type ISignal } from '@lumino/signaling';

import { IntervalPoller } from '../poller';
import { errorText } from '../status';
import { VisibleWidget } from '../visiblewidget';

/** How a section presents itself. */
export interface ISidebarSectionOptions {
  /** The root class, e.g. `jp-mlstudio-training`. */
  className: string;
  /** The accordion heading. */
  label: string;
  /** The heading's tooltip. */
  caption: string;
  /** The Refresh button's tooltip. */
  refreshTooltip: string;
  /** An extra class of the Refresh button. */
  refreshClassName?: string;
}

/** A sidebar section with a Refresh button (in `toolbar`) that runs `refresh()`. */
export abstract class SidebarSection extends VisibleWidget {
  constructor(options: ISidebarSectionOptions) {
    super();
    this.addClass(options.className);
    this.title.label = options.label;
    this.title.caption = options.caption;
    this.toolbar.addItem(
      'refresh',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: options.refreshTooltip,
        className: options.refreshClassName,
        onClick: () => void this.refresh()
      })
    );
  }

  /** Shown in the accordion heading. */
  readonly toolbar = new Toolbar();

  /** Reload what the section shows. */
  abstract refresh(): Promise<void>;

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.toolbar.dispose();
    super.dispose();
  }
}

/**
 * A section that fetches what it shows when shown and on `refresh()`; only
 * the latest request's answer is shown. The root's `data-state` is
 * `loading`, `loaded` or `error`. Signal connections made with the section
 * as their `thisArg` end when it is disposed.
 */
export abstract class FetchedSection<Reply> extends SidebarSection {
  /** Fetch and show the answer, or the error. */
  async refresh(): Promise<void> {
    const seq = ++this._seq;
    this.node.dataset.state = 'loading';
    try {
      const reply = await this.fetch();
      if (seq !== this._seq || this.isDisposed) {
        return;
      }
      this.render(reply);
      this.node.dataset.state = 'loaded';
    } catch (error) {
      if (seq !== this._seq || this.isDisposed) {
        return;
      }
      this.renderError(errorText(error));
      this.node.dataset.state = 'error';
    }
  }

  dispose(): void {
    Signal.disconnectReceiver(this);
    super.dispose();
  }

  /** Shown: fetch afresh. */
  protected onShown(): void {
    void this.refresh();
  }

  /** Ask the server. */
  protected abstract fetch(): Promise<Reply>;

  /** Show an answer. */
  protected abstract render(reply: Reply): void;

  /** Show why the request failed. */
  protected abstract renderError(message: string): void;

  private _seq = 0;
}

/** Options of a polled section. */
export interface IPolledSectionOptions extends ISidebarSectionOptions {
  /** Milliseconds between reloads while the section is visible. */
  interval: number;
}

/**
 * A section that reloads (`load`) every `interval` ms while visible, and at
 * once when one of its `changeSignals` fires while it shows.
 */
export abstract class PolledSection extends SidebarSection {
  constructor(options: IPolledSectionOptions) {
    super(options);
    this._poller = new IntervalPoller(() => this.load(), options.interval);
  }

  /** Reload now (after the request in flight, if any, which may predate a change). */
  refresh(): Promise<void> {
    return this._poller.refresh();
  }

  dispose(): void {
    this._poller.stop();
    super.dispose();
  }

  /** One reload from the server; reports its own errors. */
  protected abstract load(): Promise<void>;

  /** Signals telling of a change made elsewhere (a job created, a status seen…). */
  protected abstract changeSignals(): ISignal<unknown, unknown>[];

  protected onShown(): void {
    void this._poller.start();
  }

  protected onHidden(): void {
    this._poller.stop();
  }

  protected onAfterAttach(msg: Message): void {
    for (const signal of this.changeSignals()) {
      signal.connect(this._onChanged, this);
    }
    super.onAfterAttach(msg);
  }

  protected onBeforeDetach(msg: Message): void {
    for (const signal of this.changeSignals()) {
      signal.disconnect(this._onChanged, this);
    }
    super.onBeforeDetach(msg);
  }

  /** A change made elsewhere: reload if shown. */
  private _onChanged(): void {
    if (this.isVisible) {
      void this.refresh();
    }
  }

  private readonly _poller: IntervalPoller;
}
