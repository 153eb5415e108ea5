/**
 * The "Kernels" section of the ML Studio sidebar: installed kernelspecs
 * (uninstall for managed ones) and the kinds that can be installed.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { el } from '../sidebar/dom';
import { FetchedSection } from '../sidebar/section';
import { errorText } from '../status';
import type { KernelsClient } from './client';
import { isFinished, statusLabel } from './status';
import type { IInstall, IKernelKind, IKernelSpec, IKernelsReply } from './types';

/** What the section asks of its plugin. */
export interface IKernelsSectionOptions {
  client: KernelsClient;
  /** Open the install form for a kind. */
  openInstall: (kind: IKernelKind) => void;
  /** Open the view of a running install. */
  openRunning: (install: IInstall, kind: IKernelKind | undefined) => void;
  /** Called after a kernel was uninstalled (e.g. to refresh the launcher). */
  uninstalled: () => void;
}

/** A "label: value" line of a kernelspec row (nothing when value is empty). */
function detail(label: string, value: string | null | undefined): HTMLElement[] {
  if (!value) {
    return [];
  }
  const line = el('div', 'jp-mlstudio-kernelspec-detail');
  line.append(
    el('span', 'jp-mlstudio-kernelspec-detail-label', label),
    // Left-to-right marks keep a path's slashes in place in the rtl (end-visible) box.
    el('span', 'jp-mlstudio-kernelspec-detail-value', `\u200e${value}\u200e`)
  );
  line.title = `${label}: ${value}`;
  return [line];
}

/** The sidebar section. */
export class KernelsSection extends FetchedSection<IKernelsReply> {
  constructor(private readonly options: IKernelsSectionOptions) {
    super({
      className: 'jp-mlstudio-kernels',
      label: 'Kernels',
      caption: 'Installed kernels; install R, Scala and Python environment kernels',
      refreshTooltip: 'Refresh the kernels',
      refreshClassName: 'jp-mlstudio-kernels-refresh'
    });
    this._message.setAttribute('aria-live', 'polite');
    this._specs.setAttribute('aria-label', 'Installed kernels');
    this._kinds.setAttribute('aria-label', 'Installable kernels');
    this.node.append(
      this._message,
      el('h3', 'jp-mlstudio-kernels-heading', 'Installed'),
      this._specs,
      el('h3', 'jp-mlstudio-kernels-heading', 'Install a kernel'),
      this._kinds,
      this._running
    );
    this.node.addEventListener('click', this._onClick);
    options.client.changed.connect(() => void this.refresh(), this);
  }

  /** The latest reply, if any. */
  get reply(): IKernelsReply | null {
    return this._reply;
  }

  /** Fetch the kernels. */
  protected fetch(): Promise<IKernelsReply> {
    return this.options.client.list();
  }

  protected renderError(message: string): void {
    this._message.textContent = `Cannot list kernels: ${message}`;
    this._message.className = 'jp-mlstudio-kernels-message jp-mod-error';
  }

  /** Redraw from a reply. */
  protected render(reply: IKernelsReply): void {
    this._reply = reply;
    this._renderKernels(reply);
    this._message.textContent = '';
    this._message.className = 'jp-mlstudio-kernels-message';
  }

  private _renderKernels(reply: IKernelsReply): void {
    const specs = [...(reply.kernelspecs ?? [])].sort((a, b) =>
      (a.display_name || a.name).localeCompare(b.display_name || b.name)
    );
    this._specs.replaceChildren(...specs.map(spec => this._specRow(spec)));
    if (!specs.length) {
      this._specs.append(el('li', 'jp-mlstudio-kernels-empty', 'No kernels found.'));
    }
    this._kinds.replaceChildren(...(reply.kinds ?? []).map(kind => this._kindRow(kind)));
    const running = (reply.installs ?? []).filter(i => !isFinished(i.status));
    this._running.replaceChildren();
    if (running.length) {
      this._running.append(el('h3', 'jp-mlstudio-kernels-heading', 'Installing'));
      const list = el('ul', 'jp-mlstudio-kernels-list');
      for (const install of running) {
        const item = el('li', 'jp-mlstudio-kernels-running');
        const link = el(
          'button',
          'jp-mlstudio-kernels-link',
          `${install.display_name || install.name} — ${statusLabel(install.status)} ${Math.round(install.progress)}%`
        );
        link.type = 'button';
        link.dataset.action = 'show-install';
        link.dataset.installId = install.id;
        link.dataset.installStatus = install.status;
        item.append(link);
        list.append(item);
      }
      this._running.append(list);
    }
  }

  private _specRow(spec: IKernelSpec): HTMLElement {
    const row = el('li', 'jp-mlstudio-kernelspec');
    row.dataset.name = spec.name;
    row.dataset.language = spec.language ?? '';
    row.dataset.managed = String(!!spec.managed);
    const head = el('div', 'jp-mlstudio-kernelspec-head');
    const title = el('span', 'jp-mlstudio-kernelspec-title', spec.display_name || spec.name);
    title.title = spec.display_name || spec.name;
    head.append(title);
    if (spec.language) {
      head.append(el('span', 'jp-mlstudio-kernelspec-language', spec.language));
    }
    if (spec.managed) {
      const badge = el('span', 'jp-mlstudio-kernelspec-badge', 'managed');
      badge.title = 'Installed by ML Studio';
      head.append(badge);
    }
    const rows: HTMLElement[] = [];
    if (spec.managed) {
      const actions = el('div', 'jp-mlstudio-kernelspec-actions');
      const remove = el('button', 'jp-mlstudio-kernels-button jp-mod-warn', 'Uninstall');
      remove.type = 'button';
      remove.dataset.action = 'uninstall';
      remove.dataset.name = spec.name;
      remove.title = `Uninstall ${spec.display_name || spec.name}`;
      actions.append(remove);
      rows.push(actions);
    }
    row.append(
      head,
      ...detail('Name', spec.name),
      ...detail('Location', spec.location),
      ...detail('Interpreter', spec.interpreter),
      ...detail('Environment', spec.environment),
      ...rows
    );
    return row;
  }

  private _kindRow(kind: IKernelKind): HTMLElement {
    const row = el('li', 'jp-mlstudio-kernel-kind');
    row.dataset.kind = kind.kind;
    row.dataset.available = String(!!kind.available);
    const head = el('div', 'jp-mlstudio-kernel-kind-head');
    head.append(el('span', 'jp-mlstudio-kernel-kind-label', kind.label || kind.kind));
    const text: HTMLElement[] = [];
    if (kind.description) {
      text.push(el('div', 'jp-mlstudio-kernel-kind-description', kind.description));
    }
    if (!kind.available && kind.message) {
      text.push(el('div', 'jp-mlstudio-kernel-kind-message', kind.message));
    }
    const button = el('button', 'jp-mlstudio-kernels-button jp-mod-accept', 'Install…');
    button.type = 'button';
    button.dataset.action = 'install';
    button.dataset.kind = kind.kind;
    button.disabled = !kind.available;
    button.title = kind.available
      ? `Install a ${kind.label || kind.kind} kernel${kind.busy ? ' (another install of this kind is running)' : ''}`
      : kind.message || 'Not available on this machine';
    head.append(button);
    row.append(head, ...text);
    return row;
  }

  private readonly _onClick = (event: MouseEvent): void => {
    const target = (event.target as HTMLElement | null)?.closest<HTMLElement>(
      'button[data-action]'
    );
    if (!target || (target as HTMLButtonElement).disabled) {
      return;
    }
    const reply = this._reply;
    switch (target.dataset.action) {
      case 'install': {
        const kind = reply?.kinds.find(k => k.kind === target.dataset.kind);
        if (kind) {
          this.options.openInstall(kind);
        }
        break;
      }
      case 'show-install': {
        const install = reply?.installs.find(i => i.id === target.dataset.installId);
        if (install) {
          this.options.openRunning(
            install,
            reply?.kinds.find(k => k.kind === install.kind)
          );
        }
        break;
      }
      case 'uninstall': {
        const spec = reply?.kernelspecs.find(s => s.name === target.dataset.name);
        if (spec) {
          void this._uninstall(spec);
        }
        break;
      }
    }
  };

  private async _uninstall(spec: IKernelSpec): Promise<void> {
    const body = el('div', 'jp-mlstudio-kernels-confirm');
    body.append(
      el('p', '', `Uninstall the kernel “${spec.display_name || spec.name}” (${spec.name})?`),
      el(
        'p',
        '',
        spec.environment
          ? `Its kernelspec and its environment ${spec.environment} are deleted.`
          : `Its kernelspec in ${spec.location} is deleted.`
      )
    );
    const result = await showDialog({
      title: 'Uninstall kernel',
      body: new Widget({ node: body }),
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Uninstall' })]
    });
    if (!result.button.accept) {
      return;
    }
    try {
      await this.options.client.uninstall(spec.name);
      this.options.uninstalled();
    } catch (error) {
      await showDialog({
        title: 'Cannot uninstall kernel',
        body: errorText(error),
        buttons: [Dialog.okButton()]
      });
      void this.refresh();
    }
  }

  private readonly _message = el('p', 'jp-mlstudio-kernels-message');
  private readonly _specs = el('ul', 'jp-mlstudio-kernels-list jp-mlstudio-kernelspecs');
  private readonly _kinds = el('ul', 'jp-mlstudio-kernels-list jp-mlstudio-kernel-kinds');
  private readonly _running = el('div', 'jp-mlstudio-kernels-installs');
  private _reply: IKernelsReply | null = null;
}
