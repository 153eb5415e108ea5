/**
 * The sidebar header: title, version, overall health badge, S3 line and a
 * refresh button.
 */
import { refreshIcon, ToolbarButton } from '@jupyterlab/ui-components';
import { Panel, Widget } from '@lumino/widgets';

import { mlstudioIcon } from '../icons';
import {
  healthLabel,
  s3Summary,
  stateHealth,
  type IStatusReply,
  type StatusState
} from '../status';
import { el } from './dom';

/** The header of the ML Studio sidebar (root class `jp-mlstudio-status`). */
export class StatusHeader extends Panel {
  constructor() {
    super();
    this.addClass('jp-mlstudio-status');

    const top = new Panel();
    top.addClass('jp-mlstudio-status-top');
    const title = new Widget();
    title.addClass('jp-mlstudio-status-title');
    title.node.append(
      mlstudioIcon.element({ tag: 'span', className: 'jp-mlstudio-logo' }),
      el('h2', 'jp-mlstudio-status-name', 'ML Studio'),
      this._version
    );
    this._refresh = new ToolbarButton({
      icon: refreshIcon,
      tooltip: 'Refresh status',
      className: 'jp-mlstudio-refresh',
      onClick: () => this.onRefresh()
    });
    top.addWidget(title);
    top.addWidget(this._refresh);

    const line = new Widget();
    line.addClass('jp-mlstudio-status-line');
    line.node.setAttribute('aria-live', 'polite');
    line.node.append(this._badge, this._s3);

    const message = new Widget({ node: this._message });
    this.addWidget(top);
    this.addWidget(line);
    this.addWidget(message);
    this.render({ kind: 'loading' });
  }

  /** Called when the refresh button is pressed. */
  onRefresh: () => void = () => undefined;

  /** Show a status state. */
  render(state: StatusState): void {
    const health = stateHealth(state);
    this.node.dataset.status = health;

    this._badge.textContent = healthLabel(health);
    this._badge.className = `jp-mlstudio-status-badge jp-mlstudio-badge-${health}`;
    this._badge.title =
      state.kind === 'loading'
        ? 'Checking the ML Studio server…'
        : `Checked at ${state.updated.toLocaleTimeString()}`;

    const reply: IStatusReply | null =
      state.kind === 'loaded'
        ? state.reply
        : state.kind === 'error'
          ? state.lastReply
          : null;
    this._version.textContent = reply?.version ? `v${reply.version}` : '';
    this._s3.textContent = reply
      ? s3Summary(reply.s3)
      : state.kind === 'loading'
        ? 'S3: …'
        : 'S3: unknown';
    this._s3.title = reply
      ? `${reply.s3.message ?? ''}${
          state.kind === 'error' ? ' (last known)' : ''
        }`
      : '';

    const text =
      state.kind === 'error'
        ? `Status request failed: ${state.message}`
        : '';
    this._message.textContent = text;
    this._message.hidden = text === '';
  }

  /** Mark a request in progress (the refresh icon spins). */
  setBusy(busy: boolean): void {
    this._refresh.toggleClass('jp-mlstudio-busy', busy);
  }

  private readonly _refresh: ToolbarButton;
  private readonly _version = el('span', 'jp-mlstudio-status-version');
  private readonly _badge = el('span', 'jp-mlstudio-status-badge');
  private readonly _s3 = el('span', 'jp-mlstudio-status-s3');
  private readonly _message = el('p', 'jp-mlstudio-status-message');
}
