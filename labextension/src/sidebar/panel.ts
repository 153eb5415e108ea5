/**
 * The ML Studio sidebar: status header on top, an accordion of sections below.
 */
import { SidePanel } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { Signal, type ISignal } from '@lumino/signaling';
import type { Widget } from '@lumino/widgets';

import { requestAPI } from '../api';
import { mlstudioIcon } from '../icons';
import { IntervalPoller } from '../poller';
import { sectionIndex } from '../sections';
import {
  errorText,
  parseStatusReply,
  type IStatusReply,
  type StatusState
} from '../status';
import { DEFAULT_SECTION_RANK, IMLStudio } from '../tokens';
import { StatusHeader } from './header';

/** DOM id of the sidebar widget. */
export const SIDEBAR_ID = 'jp-mlstudio-sidebar';

/** Milliseconds between status requests while the panel is visible. */
export const STATUS_POLL_INTERVAL = 15000;

/** Options of the sidebar. */
export interface IMLStudioSidebarOptions {
  /** Fetches the status reply; `GET mlstudio/api/status` by default. */
  fetchStatus?: () => Promise<unknown>;
  /** Polling interval in ms; `STATUS_POLL_INTERVAL` by default. */
  pollInterval?: number;
}

/** The sidebar widget; it is also the `IMLStudio` service. */
export class MLStudioSidebar extends SidePanel implements IMLStudio {
  constructor(options: IMLStudioSidebarOptions = {}) {
    const header = new StatusHeader();
    super({ header });
    this._statusHeader = header;
    header.onRefresh = () => void this.refreshStatus();
    this._fetchStatus = options.fetchStatus ?? (() => requestAPI('status'));
    this._poller = new IntervalPoller(
      () => this._update(),
      options.pollInterval ?? STATUS_POLL_INTERVAL
    );

    this.id = SIDEBAR_ID;
    this.addClass('jp-mlstudio-sidebar');
    this.title.icon = mlstudioIcon;
    this.title.caption = 'ML Studio';
  }

  /** The latest status state. */
  get status(): StatusState {
    return this._status;
  }

  /** Emitted with the new state whenever the status changes. */
  get statusChanged(): ISignal<IMLStudio, StatusState> {
    return this._statusChanged;
  }

  /** Add a section to the accordion, ordered by rank. */
  addSection(widget: Widget, options: IMLStudio.ISectionOptions = {}): void {
    const rank = options.rank ?? DEFAULT_SECTION_RANK;
    this._ranks.set(widget, rank);
    const ranks = this.widgets.map(
      w => this._ranks.get(w) ?? DEFAULT_SECTION_RANK
    );
    this.insertWidget(sectionIndex(ranks, rank), widget);
  }

  /** Fetch the status now (joins a request already in flight). */
  refreshStatus(): Promise<void> {
    return this._poller.trigger();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poller.stop();
    Signal.clearData(this);
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this._poller.start();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._poller.stop();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      void this._poller.start();
    }
  }

  protected onBeforeDetach(msg: Message): void {
    this._poller.stop();
    super.onBeforeDetach(msg);
  }

  /** One status request; a failure becomes an `error` state. */
  private async _update(): Promise<void> {
    this._statusHeader.setBusy(true);
    try {
      const reply = parseStatusReply(await this._fetchStatus());
      this._setStatus({ kind: 'loaded', reply, updated: new Date() });
    } catch (error) {
      this._setStatus({
        kind: 'error',
        message: errorText(error),
        lastReply: this._lastReply(),
        updated: new Date()
      });
    } finally {
      this._statusHeader.setBusy(false);
    }
  }

  private _lastReply(): IStatusReply | null {
    const s = this._status;
    return s.kind === 'loaded' ? s.reply : s.kind === 'error' ? s.lastReply : null;
  }

  private _setStatus(state: StatusState): void {
    if (this.isDisposed) {
      return;
    }
    this._status = state;
    this._statusHeader.render(state);
    this._statusChanged.emit(state);
  }

  private readonly _statusHeader: StatusHeader;
  private readonly _fetchStatus: () => Promise<unknown>;
  private readonly _poller: IntervalPoller;
  private readonly _ranks = new WeakMap<Widget, number>();
  private _status: StatusState = { kind: 'loading' };
  private readonly _statusChanged = new Signal<IMLStudio, StatusState>(this);
}
