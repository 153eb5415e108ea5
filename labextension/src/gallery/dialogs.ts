/**
 * The "Use" and "Share as example" dialogs. Each asks again, with the
 * problems shown, until the values pass their checks or the user cancels.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { el, styledTextInput } from '../sidebar/dom';
import {
  checkShareForm,
  checkUseForm,
  type FormErrors,
  type IShareForm,
  type IUseForm,
  type ShareField
} from './forms';
import type { IShareRequest, IUseRequest } from './types';

/** A labelled field with a place for its error. */
function field(
  label: string,
  control: HTMLInputElement | HTMLTextAreaElement,
  error: string | undefined,
  hint = ''
): HTMLElement {
  const id = `jp-mlstudio-field-${++fieldCount}`;
  control.id = id;
  const row = el('div', 'jp-mlstudio-form-field');
  const caption = el('label', 'jp-mlstudio-form-label', label);
  caption.htmlFor = id;
  row.append(caption, control);
  if (hint) {
    row.append(el('div', 'jp-mlstudio-form-hint', hint));
  }
  if (error) {
    control.setAttribute('aria-invalid', 'true');
    const message = el('div', 'jp-mlstudio-form-error', error);
    message.setAttribute('role', 'alert');
    row.append(message);
  }
  return row;
}
let fieldCount = 0;

/** A styled text input. */
function textInput(
  name: string,
  value: string,
  placeholder = ''
): HTMLInputElement {
  return styledTextInput('jp-mlstudio-form-input', name, value, placeholder);
}

/** A message above the fields (e.g. the server's answer to the last try). */
function notice(text: string): HTMLElement {
  const p = el('p', 'jp-mlstudio-form-notice', text);
  p.setAttribute('role', 'alert');
  return p;
}

/** The body of the "Use" dialog. */
class UseBody extends Widget implements Dialog.IBodyWidget<IUseForm> {
  constructor(
    form: IUseForm,
    errors: FormErrors<'folder' | 'name'>,
    message: string
  ) {
    super();
    this.addClass('jp-mlstudio-form');
    this.addClass('jp-mlstudio-use-form');
    this._folder = textInput('folder', form.folder, 'examples');
    this._name = textInput('name', form.name);
    this._strip.type = 'checkbox';
    this._strip.name = 'strip_outputs';
    this._strip.checked = form.stripOutputs;
    const strip = el('label', 'jp-mlstudio-form-check');
    strip.append(this._strip, document.createTextNode(' Strip outputs'));
    strip.title = 'Copy the notebook without its cell outputs';
    if (message) {
      this.node.append(notice(message));
    }
    this.node.append(
      field(
        'Folder',
        this._folder,
        errors.folder,
        'Relative to the workspace; created if missing.'
      ),
      field(
        'File name',
        this._name,
        errors.name,
        'An existing file is never overwritten.'
      ),
      strip
    );
  }

  getValue(): IUseForm {
    return {
      folder: this._folder.value,
      name: this._name.value,
      stripOutputs: this._strip.checked
    };
  }

  private readonly _folder: HTMLInputElement;
  private readonly _name: HTMLInputElement;
  private readonly _strip = el('input');
}

/**
 * Ask where to copy an example. Resolves with the request, or `null` if the
 * user cancelled.
 *
 * @param message - shown above the fields (e.g. why the last try failed)
 */
export async function askUse(
  title: string,
  initial: IUseForm,
  message = ''
): Promise<{ form: IUseForm; request: IUseRequest } | null> {
  let form = initial;
  let errors: FormErrors<'folder' | 'name'> = {};
  for (;;) {
    const result = await showDialog<IUseForm>({
      title: `Use “${title}”`,
      body: new UseBody(form, errors, message),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Use' })],
      focusNodeSelector: 'input[name="name"]'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    form = result.value;
    const checked = checkUseForm(form);
    if (checked.ok) {
      return { form, request: checked.request };
    }
    errors = checked.errors;
    message = '';
  }
}

/** The body of the "Share as example" dialog. */
class ShareBody extends Widget implements Dialog.IBodyWidget<IShareForm> {
  constructor(
    path: string,
    form: IShareForm,
    errors: FormErrors<ShareField>,
    message: string,
    categories: readonly string[]
  ) {
    super();
    this.addClass('jp-mlstudio-form');
    this.addClass('jp-mlstudio-share-form');
    this._title = textInput('title', form.title);
    this._summary.name = 'summary';
    this._summary.className = 'jp-mod-styled jp-mlstudio-form-input';
    this._summary.rows = 3;
    this._summary.value = form.summary;
    this._summary.placeholder = 'What the notebook shows, in a sentence or two';
    this._tags = textInput('tags', form.tags, 's3, pandas, tutorial');
    this._category = textInput(
      'category',
      form.category,
      'e.g. data or training/xgboost'
    );
    if (categories.length) {
      const list = el('datalist');
      list.id = `jp-mlstudio-categories-${++fieldCount}`;
      for (const c of categories) {
        const option = el('option');
        option.value = c;
        list.append(option);
      }
      this._category.setAttribute('list', list.id);
      this.node.append(list);
    }
    const notebook = el('p', 'jp-mlstudio-form-path');
    notebook.append('Notebook: ', el('code', '', path));
    this.node.append(notebook);
    if (message || errors.path) {
      this.node.append(notice(message || errors.path || ''));
    }
    this.node.append(
      field('Title', this._title, errors.title),
      field('Summary', this._summary, errors.summary),
      field('Tags', this._tags, errors.tags, 'Comma separated.'),
      field(
        'Category',
        this._category,
        errors.category,
        'A folder of the gallery; empty for none.'
      ),
      el(
        'p',
        'jp-mlstudio-form-hint',
        'Shared examples are listed as unreviewed until a reviewer approves them.'
      )
    );
  }

  getValue(): IShareForm {
    return {
      title: this._title.value,
      summary: this._summary.value,
      tags: this._tags.value,
      category: this._category.value
    };
  }

  private readonly _title: HTMLInputElement;
  private readonly _summary = el('textarea');
  private readonly _tags: HTMLInputElement;
  private readonly _category: HTMLInputElement;
}

/**
 * Ask how to share the notebook at `path`. Resolves with the form and the
 * request, or `null` if the user cancelled.
 */
export async function askShare(
  path: string,
  initial: IShareForm,
  options: { message?: string; categories?: readonly string[] } = {}
): Promise<{ form: IShareForm; request: IShareRequest } | null> {
  let form = initial;
  let errors: FormErrors<ShareField> = {};
  let message = options.message ?? '';
  for (;;) {
    const result = await showDialog<IShareForm>({
      title: 'Share as example',
      body: new ShareBody(
        path,
        form,
        errors,
        message,
        options.categories ?? []
      ),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Share' })],
      focusNodeSelector: 'input[name="title"]'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    form = result.value;
    const checked = checkShareForm(form, path);
    if (checked.ok) {
      return { form, request: checked.request };
    }
    if (checked.errors.path) {
      throw new Error(checked.errors.path);
    }
    errors = checked.errors;
    message = '';
  }
}

/** Ask to confirm a destructive action. */
export async function confirmAction(
  title: string,
  text: string,
  label: string
): Promise<boolean> {
  const result = await showDialog({
    title,
    body: text,
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label })]
  });
  return result.button.accept;
}
