/**
 * DOM helpers of the Training panel's widgets.
 */
import { el, placeChildren, styledTextInput } from '../sidebar/dom';
import { statusBadge } from './status';

export { el, placeChildren };

/** A button with a `data-action` hook. */
export function actionButton(
  label: string,
  action: string,
  className = 'jp-mlstudio-training-button'
): HTMLButtonElement {
  const button = el('button', `jp-mod-styled ${className}`, label);
  button.type = 'button';
  button.dataset.action = action;
  return button;
}

/** A styled text input with a `name` (no autocompletion). */
export function textInput(name: string, value = '', placeholder = ''): HTMLInputElement {
  const input = styledTextInput('jp-mlstudio-training-input', name, value, placeholder);
  input.autocomplete = 'off';
  return input;
}

/** A status badge element (colour by tone, text by status). */
export function badge(status: string, title = ''): HTMLSpanElement {
  const info = statusBadge(status);
  const span = el('span', info.className, info.label);
  span.dataset.status = status;
  if (title) {
    span.title = title;
  }
  return span;
}

/** `current` when it shows `status` already, else a new badge put in its place. */
export function replaceBadge(current: HTMLElement, status: string): HTMLElement {
  if (current.dataset.status === status) {
    return current;
  }
  const fresh = badge(status);
  current.replaceWith(fresh);
  return fresh;
}

/** A two-column table (`thead` from `headers`), or a muted note when empty. */
export function keyValueTable(
  headers: [string, string],
  rows: [string, string][],
  empty: string,
  className: string
): HTMLElement {
  if (!rows.length) {
    return el('p', 'jp-mlstudio-training-muted', empty);
  }
  const table = el('table', `jp-mlstudio-training-table ${className}`);
  const head = el('tr');
  head.append(el('th', '', headers[0]), el('th', '', headers[1]));
  table.createTHead().append(head);
  const body = table.createTBody();
  for (const [key, value] of rows) {
    const tr = el('tr');
    tr.append(el('td', 'jp-mlstudio-training-key', key), el('td', 'jp-mlstudio-training-value', value));
    body.append(tr);
  }
  return table;
}

/** A titled block of a view, holding `content`. */
export function block(title: string, className: string, ...content: HTMLElement[]): HTMLElement {
  const root = el('section', `jp-mlstudio-training-block ${className}`);
  const body = el('div', 'jp-mlstudio-training-block-body');
  body.append(...content);
  root.append(el('h3', 'jp-mlstudio-training-block-title', title), body);
  return root;
}

/** A view's two columns: the wide `main` one and the `side` one (one column when narrow). */
export function viewColumns(main: HTMLElement[], side: HTMLElement[]): HTMLElement {
  const mainColumn = el('div', 'jp-mlstudio-training-view-main');
  mainColumn.append(...main);
  const sideColumn = el('div', 'jp-mlstudio-training-view-side');
  sideColumn.append(...side);
  const columns = el('div', 'jp-mlstudio-training-view-columns');
  columns.append(mainColumn, sideColumn);
  return columns;
}

/** A form's fieldset with a legend. */
export function fieldset(legend: string): HTMLFieldSetElement {
  const set = el('fieldset', 'jp-mlstudio-training-fieldset');
  set.append(el('legend', 'jp-mlstudio-training-legend', legend));
  return set;
}

/**
 * A form's labelled input (`[data-field=key]`) with a hint, an error slot
 * (`.jp-mlstudio-training-error`) and optional extra controls; the input gets
 * the id `<idPrefix>-<key>`.
 */
export function formField(
  idPrefix: string,
  label: string,
  input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  key: string,
  hint: string,
  ...extra: HTMLElement[]
): HTMLElement {
  const id = `${idPrefix}-${key}`;
  input.id = id;
  const row = el('div', 'jp-mlstudio-training-field');
  row.dataset.field = key;
  const caption = el('label', 'jp-mlstudio-training-label', label);
  caption.htmlFor = id;
  const control = el('div', 'jp-mlstudio-training-control');
  control.append(input, ...extra);
  const error = el('div', 'jp-mlstudio-training-error');
  error.hidden = true;
  error.id = `${id}-error`;
  input.setAttribute('aria-describedby', `${id}-error`);
  row.append(caption, control, el('div', 'jp-mlstudio-training-hint', hint), error);
  return row;
}

/** A key/value summary (`dl.jp-mlstudio-training-summary-list`); long values show whole in a tooltip. */
export function summaryList(rows: [string, string][]): HTMLDListElement {
  const dl = el('dl', 'jp-mlstudio-training-summary-list');
  for (const [key, value] of rows) {
    const dd = el('dd', '', value);
    dd.title = value;
    dl.append(el('dt', '', key), dd);
  }
  return dl;
}

/** A view's header: the name as its title with `beside` next to it, and the action buttons. */
export function viewHeader(name: string, beside: HTMLElement[], actions: HTMLElement[]): HTMLElement {
  const title = el('div', 'jp-mlstudio-training-view-title');
  title.append(el('h2', 'jp-mlstudio-training-view-name', name), ...beside);
  const buttons = el('div', 'jp-mlstudio-training-view-actions');
  buttons.append(...actions);
  const header = el('header', 'jp-mlstudio-training-view-header');
  header.append(title, buttons);
  return header;
}

/** Show `reason` under `title` in a failure block (`.jp-mlstudio-training-failure`), hidden without one. */
export function showFailure(node: HTMLElement, title: string, reason: string | null | undefined): void {
  node.hidden = !reason;
  if (reason) {
    node.replaceChildren(
      el('div', 'jp-mlstudio-training-failure-title', title),
      el('pre', 'jp-mlstudio-training-failure-text', reason)
    );
  }
}

/**
 * Make `form` submit through `submit` (no browser validation: the form
 * checks its own fields) and report each edit's target to `edited`.
 */
export function wireForm(form: HTMLFormElement, submit: () => void, edited: (target: EventTarget | null) => void): void {
  form.noValidate = true;
  form.addEventListener('submit', event => {
    event.preventDefault();
    submit();
  });
  form.addEventListener('input', event => edited(event.target));
  form.addEventListener('change', event => edited(event.target));
}

/** Show `message` as the error of `input` ('' clears it): its class, `aria-invalid` and `slot`'s text. */
export function showFieldError(input: HTMLElement, slot: HTMLElement | null, message: string): void {
  input.classList.toggle('jp-mod-error', message !== '');
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
  if (slot) {
    slot.textContent = message;
    slot.hidden = message === '';
  }
}

/** Focus and scroll to a form's first invalid input, else to its form-wide error. */
export function focusFirstError(form: HTMLElement, formError: HTMLElement, submit: HTMLElement): void {
  const invalid = form.querySelector('[aria-invalid="true"]') as HTMLElement | null;
  (invalid ?? (formError.hidden ? null : submit))?.focus();
  (invalid ?? formError).scrollIntoView?.({ block: 'nearest' });
}
