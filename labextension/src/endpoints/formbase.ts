/**
 * What the "New endpoint" and "New batch transform" forms share: fields
 * with error slots shown once touched (all after a submit), a server error
 * placed on its field or the form, and a busy submit button. Styled with the
 * training form's classes.
 */
import { Widget } from '@lumino/widgets';

import type { FormErrors } from '../training/form';
import { actionButton, el, fieldset, focusFirstError, formField, showFieldError, wireForm } from '../training/dom';

type Input = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

let formCount = 0;

/** A form whose subclass says what is wrong (`errors`) and what submitting does (`run`). */
export abstract class CheckedForm extends Widget {
  constructor(className: string, title: string, intro: string, private readonly _submitLabel: string) {
    super({ node: el('form') });
    this.addClass('jp-mlstudio-training-form');
    this.addClass(className);
    this._id = `jp-mlstudio-${className}-${++formCount}`;
    wireForm(this.node as HTMLFormElement, () => void this.submit(), target => this._edited(target));
    this._submit = actionButton(_submitLabel, 'create', 'jp-mlstudio-training-button jp-mlstudio-training-create jp-mod-accept');
    this._submit.type = 'submit';
    this._formError.setAttribute('role', 'alert');
    this._formError.hidden = true;
    this.body.append(
      el('h2', 'jp-mlstudio-training-form-title', title),
      el('p', 'jp-mlstudio-training-muted', intro)
    );
    const footer = el('div', 'jp-mlstudio-training-form-footer');
    footer.append(this._formError, this._submit);
    const inner = el('div', 'jp-mlstudio-training-form-inner');
    inner.append(this.body, footer);
    this.node.append(inner);
  }

  /** Check everything, and run the submit if the form is valid. */
  async submit(): Promise<void> {
    if (this._busy) {
      return;
    }
    this._serverErrors = {};
    this._showAll = true;
    if (!this.validate()) {
      this._focusFirstError();
      return;
    }
    this._busy = true;
    this._submit.disabled = true;
    try {
      await this.run(text => (this._submit.textContent = text));
    } catch (error) {
      const [key, message] = this.placeError(error);
      this._serverErrors = { [key]: message };
      this.validate();
      this._focusFirstError();
    } finally {
      this._busy = false;
      this._submit.disabled = false;
      this._submit.textContent = this._submitLabel;
    }
  }

  /** Where the fieldsets go. */
  protected readonly body = el('div', 'jp-mlstudio-endpoints-form-body');

  /** The current errors by field key (`form` for form-wide ones). */
  protected abstract errors(): FormErrors;

  /** Submit a valid form; `progress` relabels the button. Throws to show an error. */
  protected abstract run(progress: (text: string) => void): Promise<void>;

  /** The field key and message of a submit error (`form` by default). */
  protected abstract placeError(error: unknown): [string, string];

  /** Called after the user changed `target` (before the checks run again). */
  protected edited(_target: Input): void {
    // Subclasses follow one field from another here.
  }

  /** Whether the user changed `input`. */
  protected touched(input: Input): boolean {
    return this._touched.has(input);
  }

  /** A fieldset with a legend. */
  protected fieldset(legend: string): HTMLFieldSetElement {
    return fieldset(legend);
  }

  /** A labelled field whose errors are those under `key`. */
  protected field(label: string, input: Input, key: string, hint: string, ...extra: HTMLElement[]): HTMLElement {
    this._fields.push([key, input]);
    return formField(this._id, label, input, key, hint, ...extra);
  }

  /** Show the errors of touched fields (all after a submit); true when there are none. */
  protected validate(): boolean {
    const check = this.errors();
    const errors: FormErrors = { ...check, ...this._serverErrors };
    for (const [key, input] of this._fields) {
      const message = errors[key] ?? '';
      const shown = !!message && (this._showAll || this._touched.has(input) || key in this._serverErrors);
      const slot = input.closest('.jp-mlstudio-training-field')?.querySelector(':scope > .jp-mlstudio-training-error') as HTMLElement | null;
      showFieldError(input, slot, shown ? message : '');
    }
    const formMessage = errors.form ?? '';
    this._formError.textContent = formMessage;
    this._formError.hidden = formMessage === '';
    return Object.keys(check).length === 0;
  }

  private _edited(target: EventTarget | null): void {
    if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) {
      this.edited(target);
      this._touched.add(target);
      this._serverErrors = {};
      this.validate();
    }
  }

  private _focusFirstError(): void {
    focusFirstError(this.node, this._formError, this._submit);
  }

  private readonly _id: string;
  private readonly _submit: HTMLButtonElement;
  private readonly _formError = el('div', 'jp-mlstudio-training-form-error');
  private readonly _fields: [string, Input][] = [];
  private readonly _touched = new WeakSet<Input>();
  private _serverErrors: FormErrors = {};
  private _showAll = false;
  private _busy = false;
}
