/**
 * The "Install kernel" view: a form built from the kind's options, then the
 * install's progress bar, live log and Cancel.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { APIError } from '../api';
import { el } from '../sidebar/dom';
import { errorText } from '../status';
import type { KernelsClient } from './client';
import {
  buildInstallRequest,
  checkInstallForm,
  fieldsFor,
  initialForm,
  type IFieldSpec,
  type IInstallForm
} from './form';
import { LogCursor } from './log';
import {
  formatDuration,
  isCancellable,
  isFinished,
  progressPercent,
  progressText,
  statusLabel
} from './status';
import type { IInstall, IKernelKind } from './types';

/** Seconds each log request may wait on the server. */
const LOG_WAIT = 10;

let fieldCount = 0;

/** The view. */
export class InstallView extends Widget {
  /**
   * @param kind - the kind to install (its options make the form)
   * @param client - the REST client
   * @param completed - called once an install completed
   * @param running - an install to follow at once instead of showing the form
   */
  constructor(
    readonly kind: IKernelKind,
    private readonly client: KernelsClient,
    private readonly completed: (install: IInstall) => void,
    running?: IInstall
  ) {
    super();
    this.addClass('jp-mlstudio-kernel-install');
    this.node.dataset.kind = kind.kind;
    this.node.tabIndex = -1;
    this._buildForm();
    this._buildStatus();
    if (running) {
      this._follow(running);
    }
  }

  /** The install being followed, if any. */
  get install(): IInstall | null {
    return this._install;
  }

  dispose(): void {
    this._stopped = true;
    super.dispose();
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    const first = this.node.querySelector<HTMLElement>('input[name="name"]');
    (first && !this._install ? first : this.node).focus();
  }

  // -- form -----------------------------------------------------------------

  private _buildForm(): void {
    const kind = this.kind;
    const form = el('form', 'jp-mlstudio-kernel-form');
    form.noValidate = true;
    const head = el('div', 'jp-mlstudio-kernel-form-head');
    head.append(el('h2', 'jp-mlstudio-kernel-form-title', `Install kernel: ${kind.label || kind.kind}`));
    if (kind.description) {
      head.append(el('p', 'jp-mlstudio-kernel-form-description', kind.description));
    }
    if (!kind.available && kind.message) {
      head.append(el('p', 'jp-mlstudio-kernel-form-error', kind.message));
    }
    form.append(head, this._notice);
    this._notice.setAttribute('role', 'alert');

    const initial = initialForm(kind);
    form.append(
      this._row(
        { name: 'name', label: 'Kernel name', control: 'input', value: initial.name, choices: [], help: '', hint: "a-z, 0-9, '.', '_', '-'; empty for the default" },
        kind.default_name
      ),
      this._row(
        { name: 'display_name', label: 'Display name', control: 'input', value: initial.display_name, choices: [], help: '', hint: 'Shown in the Launcher and the kernel picker.' },
        kind.default_display_name
      )
    );
    const options = fieldsFor(kind);
    if (options.length) {
      const fieldset = el('fieldset', 'jp-mlstudio-kernel-options');
      fieldset.append(el('legend', '', 'Options'));
      for (const field of options) {
        fieldset.append(this._row(field));
      }
      form.append(fieldset);
    }
    form.append(
      this._row({ name: 'replace', label: 'Replace a kernel with the same name', control: 'checkbox', value: false, choices: [], help: '', hint: '' })
    );

    const actions = el('div', 'jp-mlstudio-kernel-actions');
    this._submit.type = 'submit';
    this._submit.dataset.action = 'start-install';
    this._submit.disabled = !kind.available;
    actions.append(this._submit);
    form.append(actions);
    form.addEventListener('submit', event => {
      event.preventDefault();
      void this._start();
    });
    this._form = form;
    this.node.append(form);
  }

  private _row(field: IFieldSpec, placeholder = ''): HTMLElement {
    const id = `jp-mlstudio-kernel-field-${++fieldCount}`;
    const row = el('div', `jp-mlstudio-kernel-field jp-mod-${field.control}`);
    row.dataset.field = field.name;
    let control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
    switch (field.control) {
      case 'checkbox': {
        const input = el('input');
        input.type = 'checkbox';
        input.checked = field.value === true;
        control = input;
        break;
      }
      case 'textarea': {
        const area = el('textarea', 'jp-mod-styled jp-mlstudio-kernel-input');
        area.rows = 3;
        area.spellcheck = false;
        area.value = String(field.value);
        control = area;
        break;
      }
      case 'select': {
        const select = el('select', 'jp-mod-styled jp-mlstudio-kernel-input');
        for (const choice of field.choices) {
          const option = el('option', '', choice);
          option.value = choice;
          select.append(option);
        }
        select.value = String(field.value);
        control = select;
        break;
      }
      default: {
        const input = el('input', 'jp-mod-styled jp-mlstudio-kernel-input');
        input.type = 'text';
        input.spellcheck = false;
        input.value = String(field.value);
        input.placeholder = placeholder;
        control = input;
      }
    }
    control.id = id;
    control.name = field.name;
    const label = el('label', 'jp-mlstudio-kernel-label', field.label);
    label.htmlFor = id;
    if (field.control === 'checkbox') {
      const line = el('div', 'jp-mlstudio-kernel-check');
      line.append(control, label);
      row.append(line);
    } else {
      row.append(label, control);
    }
    const hint = [field.help, field.hint].filter(Boolean).join(' ');
    if (hint) {
      row.append(el('div', 'jp-mlstudio-kernel-hint', hint));
    }
    const error = el('div', 'jp-mlstudio-kernel-field-error');
    error.setAttribute('role', 'alert');
    row.append(error);
    return row;
  }

  /** The form's current values. */
  private _values(): IInstallForm {
    const form = this._form!;
    const get = (name: string) =>
      form.querySelector<HTMLInputElement>(`[name="${CSS.escape(name)}"]`);
    const options: Record<string, string | boolean> = {};
    for (const option of this.kind.options ?? []) {
      const control = get(option.name);
      if (control) {
        options[option.name] = control.type === 'checkbox' ? control.checked : control.value;
      }
    }
    return {
      name: get('name')?.value ?? '',
      display_name: get('display_name')?.value ?? '',
      replace: get('replace')?.checked ?? false,
      options
    };
  }

  private _showErrors(errors: Record<string, string>): void {
    for (const row of this._form!.querySelectorAll<HTMLElement>('.jp-mlstudio-kernel-field')) {
      const message = errors[row.dataset.field ?? ''] ?? '';
      row.querySelector('.jp-mlstudio-kernel-field-error')!.textContent = message;
      row.querySelector('[name]')?.toggleAttribute('aria-invalid', !!message);
    }
  }

  private async _start(): Promise<void> {
    if (this._busy || (this._install && !isFinished(this._install.status))) {
      return;
    }
    const values = this._values();
    const errors = checkInstallForm(values);
    this._showErrors(errors);
    this._notice.textContent = '';
    if (Object.keys(errors).length) {
      return;
    }
    this._busy = true;
    this._submit.disabled = true;
    let replace = values.replace;
    try {
      for (;;) {
        try {
          const install = await this.client.startInstall(
            buildInstallRequest(this.kind, values, replace)
          );
          this._follow(install);
          return;
        } catch (error) {
          if (error instanceof APIError && error.reason === 'KernelExists' && !replace) {
            const result = await showDialog({
              title: 'Kernel exists',
              body: `${error.message}\n\nReplace it?`,
              buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Replace' })]
            });
            if (result.button.accept) {
              replace = true;
              continue;
            }
            return;
          }
          if (error instanceof APIError && error.reason === 'InvalidName') {
            this._showErrors({ name: error.message });
          }
          this._notice.textContent = errorText(error);
          return;
        }
      }
    } finally {
      this._busy = false;
      this._submit.disabled = !this.kind.available;
    }
  }

  // -- progress and log -----------------------------------------------------

  private _buildStatus(): void {
    const panel = this._statusPanel;
    panel.hidden = true;
    const bar = el('div', 'jp-mlstudio-kernel-progress');
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', '100');
    bar.append(this._fill);
    this._bar = bar;
    const line = el('div', 'jp-mlstudio-kernel-status-line');
    this._statusText.setAttribute('aria-live', 'polite');
    this._cancel.type = 'button';
    this._cancel.dataset.action = 'cancel-install';
    this._cancel.addEventListener('click', () => void this._doCancel());
    line.append(this._badge, this._statusText, this._cancel);
    this._log.setAttribute('aria-label', 'Install log');
    this._log.tabIndex = 0;
    panel.append(
      el('h3', 'jp-mlstudio-kernel-status-title', 'Install'),
      line,
      bar,
      this._result,
      this._log
    );
    this.node.append(panel);
  }

  private _follow(install: IInstall): void {
    this._install = install;
    this._cursor = new LogCursor(install.id);
    this._log.textContent = '';
    this._result.textContent = '';
    this._result.className = 'jp-mlstudio-kernel-result';
    this._statusPanel.hidden = false;
    this._form?.classList.add('jp-mod-running');
    for (const control of this._form?.querySelectorAll<HTMLInputElement>('[name], button') ?? []) {
      control.disabled = true;
    }
    this._renderInstall(install);
    void this._poll(install.id);
  }

  private _renderInstall(install: IInstall): void {
    const percent = progressPercent(install);
    this.node.dataset.installStatus = install.status;
    this._statusPanel.dataset.installStatus = install.status;
    this._badge.dataset.installStatus = install.status;
    this._badge.textContent = statusLabel(install.status);
    const title = this._statusPanel.querySelector('.jp-mlstudio-kernel-status-title')!;
    const display = install.display_name || install.name;
    title.textContent =
      display === install.name ? `Kernel ${install.name}` : `${display} — kernel ${install.name}`;
    this._statusText.textContent = isFinished(install.status)
      ? ''
      : progressText({ ...install, message: '' });
    this._fill.style.width = `${percent}%`;
    this._bar!.setAttribute('aria-valuenow', String(percent));
    this._bar!.dataset.installStatus = install.status;
    this._cancel.hidden = !isCancellable(install.status);
    this._cancel.disabled = install.status === 'Stopping';
    if (isFinished(install.status)) {
      const duration = formatDuration(install.duration);
      let text = '';
      if (install.status === 'Completed') {
        text = `Installed “${install.display_name}” (${install.name})${duration ? ` in ${duration}` : ''}. It is in the Launcher now.`;
      } else {
        text = install.message || statusLabel(install.status);
      }
      this._result.textContent = text;
      this._result.className = `jp-mlstudio-kernel-result jp-mod-${install.status.toLowerCase()}`;
      // Allow another try with the same values.
      this._form?.classList.remove('jp-mod-running');
      for (const control of this._form?.querySelectorAll<HTMLInputElement>('[name], button') ?? []) {
        control.disabled = false;
      }
      this._submit.disabled = !this.kind.available;
    }
  }

  private _append(piece: string | null): void {
    const log = this._log;
    const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
    if (piece === null) {
      log.textContent = this._cursor!.text;
    } else if (piece) {
      log.append(document.createTextNode(piece));
    }
    if (atEnd) {
      log.scrollTop = log.scrollHeight;
    }
  }

  private async _poll(id: string): Promise<void> {
    const cursor = this._cursor!;
    let failures = 0;
    while (!this._stopped && this._cursor === cursor) {
      try {
        const chunk = await this.client.readLog(cursor, LOG_WAIT);
        if (this._stopped || this._cursor !== cursor) {
          return;
        }
        this._append(cursor.add(chunk));
        const install = await this.client.install(id);
        if (this._stopped || this._cursor !== cursor) {
          return;
        }
        failures = 0;
        this._install = install;
        this._renderInstall(install);
        if (isFinished(install.status)) {
          if (!chunk.finished) {
            // The last lines arrive with the final status.
            this._append(cursor.add(await this.client.readLog(cursor, 0)));
          }
          if (install.status === 'Completed') {
            this.client.notifyChanged();
            this.completed(install);
          }
          return;
        }
      } catch (error) {
        failures += 1;
        this._statusText.textContent = `Cannot follow the install: ${errorText(error)} (retrying)`;
        if (error instanceof APIError && error.status === 404) {
          this._result.textContent = 'The server no longer knows this install.';
          this._result.className = 'jp-mlstudio-kernel-result jp-mod-failed';
          return;
        }
        await new Promise(resolve => setTimeout(resolve, Math.min(30, 2 ** failures) * 1000));
      }
    }
  }

  private async _doCancel(): Promise<void> {
    const install = this._install;
    if (!install || !isCancellable(install.status)) {
      return;
    }
    this._cancel.disabled = true;
    try {
      const reply = await this.client.cancel(install.id);
      if (reply && typeof reply === 'object' && 'status' in reply) {
        this._renderInstall({ ...install, ...reply });
      }
    } catch (error) {
      this._cancel.disabled = false;
      this._result.textContent = `Cannot cancel: ${errorText(error)}`;
      this._result.className = 'jp-mlstudio-kernel-result jp-mod-failed';
    }
  }

  private _form: HTMLFormElement | null = null;
  private readonly _notice = el('p', 'jp-mlstudio-kernel-notice');
  private readonly _submit = el('button', 'jp-mlstudio-kernels-button jp-mod-accept jp-mlstudio-kernel-submit', 'Install');
  private readonly _statusPanel = el('section', 'jp-mlstudio-kernel-status');
  private _bar: HTMLElement | null = null;
  private readonly _fill = el('div', 'jp-mlstudio-kernel-progress-fill');
  private readonly _badge = el('span', 'jp-mlstudio-kernel-badge');
  private readonly _statusText = el('span', 'jp-mlstudio-kernel-status-text');
  private readonly _cancel = el('button', 'jp-mlstudio-kernels-button jp-mod-warn', 'Cancel');
  private readonly _result = el('p', 'jp-mlstudio-kernel-result');
  private readonly _log = el('pre', 'jp-mlstudio-kernel-log');
  private _install: IInstall | null = null;
  private _cursor: LogCursor | null = null;
  private _busy = false;
  private _stopped = false;
}
