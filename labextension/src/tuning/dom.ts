/**
 * DOM helpers of the Tuning panel's widgets (classes `jp-mlstudio-tuning-*`).
 */
import { Styling } from '@jupyterlab/ui-components';

import { el, placeChildren } from '../sidebar/dom';
import { statusLabel, statusTone } from './status';

export { el, placeChildren };

/** Prefix of every class of the panel. */
export const CSS = 'jp-mlstudio-tuning';

/** A JupyterLab-styled button with a `data-action` hook. */
export function button(label: string, action: string, variant: '' | 'accept' | 'warn' | 'link' = ''): HTMLButtonElement {
  const classes = variant === 'link' ? `${CSS}-link` : `jp-mod-styled ${CSS}-button${variant ? ` jp-mod-${variant}` : ''}`;
  const node = el('button', classes, label);
  node.type = 'button';
  node.dataset.action = action;
  return node;
}

/** A status badge: a pill with a dot coloured by the status's tone. */
export function badge(status: string): HTMLSpanElement {
  const node = el('span', `${CSS}-badge ${CSS}-badge-${statusTone(status)}`, statusLabel(status));
  node.dataset.status = status;
  return node;
}

/** Put a badge of `status` in place of `current` unless it already shows it. */
export function swapBadge(current: HTMLElement, status: string): HTMLElement {
  if (current.dataset.status === status) {
    return current;
  }
  const fresh = badge(status);
  current.replaceWith(fresh);
  return fresh;
}

/**
 * A `select` of `options` ([value, label] pairs) with `value` chosen, in
 * JupyterLab's select wrapper (its caret and focus ring): put `outer(select)`
 * in the page.
 */
export function select(name: string, options: readonly (readonly [string, string])[], value: string): HTMLSelectElement {
  const node = el('select', `jp-mod-styled ${CSS}-select`);
  node.name = name;
  node.append(...options.map(([v, label]) => new Option(label, v, false, v === value)));
  node.value = value;
  Styling.wrapSelect(node).classList.add(`${CSS}-select-wrapper`);
  return node;
}

/** What goes in the page for `control`: its select wrapper, or itself. */
export function outer(control: HTMLElement): HTMLElement {
  const parent = control.parentElement;
  return parent?.classList.contains('jp-select-wrapper') ? parent : control;
}

/** A text input (`type` text unless told) named `name`. */
export function input(name: string, value: string, placeholder = '', type = 'text'): HTMLInputElement {
  const node = el('input', `jp-mod-styled ${CSS}-input`);
  node.type = type;
  node.name = name;
  node.value = value;
  node.placeholder = placeholder;
  node.spellcheck = false;
  node.autocomplete = 'off';
  return node;
}

/** A titled part of a view. */
export function panel(title: string, name: string, ...content: HTMLElement[]): HTMLElement {
  const root = el('section', `${CSS}-panel`);
  root.dataset.panel = name;
  root.append(el('h3', `${CSS}-panel-title`, title), ...content);
  return root;
}

/** A table of `rows` under `headers`, or `empty` as a muted line when there are none. */
export function simpleTable(headers: string[], rows: string[][], empty: string, name: string): HTMLElement {
  if (!rows.length) {
    return el('p', `${CSS}-muted`, empty);
  }
  const table = el('table', `${CSS}-table`);
  table.dataset.table = name;
  const head = table.createTHead().insertRow();
  for (const h of headers) {
    head.append(el('th', '', h));
  }
  const body = table.createTBody();
  for (const cells of rows) {
    const tr = body.insertRow();
    for (const cell of cells) {
      const td = tr.insertCell();
      td.textContent = cell;
      td.title = cell;
    }
  }
  return table;
}

/** Label/value pairs (`dl`); each value's tooltip is its third item, else the value itself. */
export function facts(pairs: ([string, string] | [string, string, string])[], name: string): HTMLDListElement {
  const dl = el('dl', `${CSS}-facts`);
  dl.dataset.facts = name;
  for (const [key, value, tooltip] of pairs) {
    const dd = el('dd', '', value);
    dd.title = tooltip ?? value;
    dl.append(el('dt', '', key), dd);
  }
  return dl;
}

/**
 * A search box that calls `search` 250 ms after the typing stops; its
 * `cancel` drops a pending call (when the widget goes).
 */
export function searchBox(label: string, placeholder: string, search: () => void): { node: HTMLInputElement; cancel: () => void } {
  const node = el('input', `jp-mod-styled ${CSS}-search`);
  node.type = 'search';
  node.placeholder = placeholder;
  node.setAttribute('aria-label', label);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const cancel = (): void => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
  };
  node.addEventListener('input', () => {
    cancel();
    timer = setTimeout(() => {
      timer = null;
      search();
    }, 250);
  });
  return { node, cancel };
}
