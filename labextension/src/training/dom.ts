/**
 * DOM helpers of the Training panel's widgets.
 */
import { el } from '../sidebar/dom';
import { statusBadge } from './status';

export { el };

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

/** A styled text input with a `name`. */
export function textInput(name: string, value = '', placeholder = ''): HTMLInputElement {
  const input = el('input', 'jp-mod-styled jp-mlstudio-training-input');
  input.type = 'text';
  input.name = name;
  input.value = value;
  input.placeholder = placeholder;
  input.spellcheck = false;
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

/** A titled block of a view. */
export function block(title: string, className: string): { root: HTMLElement; body: HTMLElement } {
  const root = el('section', `jp-mlstudio-training-block ${className}`);
  const body = el('div', 'jp-mlstudio-training-block-body');
  root.append(el('h3', 'jp-mlstudio-training-block-title', title), body);
  return { root, body };
}
