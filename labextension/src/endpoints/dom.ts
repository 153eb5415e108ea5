/**
 * DOM helpers of the Endpoints panel (on top of the Training panel's).
 */
import { el } from '../training/dom';

export {
  actionButton,
  badge,
  block,
  el,
  keyValueTable,
  placeChildren,
  replaceBadge,
  showFailure,
  showFieldError,
  summaryList,
  textInput,
  viewColumns,
  viewHeader
} from '../training/dom';

/** A progress bar (`percent` null: indeterminate) with a caption. */
export function progressBar(percent: number | null, caption: string): HTMLElement {
  const root = el('div', 'jp-mlstudio-endpoints-progress');
  const track = el('div', 'jp-mlstudio-endpoints-progress-track');
  track.setAttribute('role', 'progressbar');
  track.setAttribute('aria-valuemin', '0');
  track.setAttribute('aria-valuemax', '100');
  const fill = el('div', 'jp-mlstudio-endpoints-progress-fill');
  if (percent === null) {
    track.classList.add('jp-mod-indeterminate');
  } else {
    const value = Math.max(0, Math.min(100, percent));
    track.setAttribute('aria-valuenow', String(Math.round(value)));
    fill.style.width = `${value}%`;
  }
  track.append(fill);
  root.dataset.percent = percent === null ? '' : String(Math.round(percent));
  root.append(track);
  if (caption) {
    root.append(el('span', 'jp-mlstudio-endpoints-progress-text', caption));
  }
  return root;
}

/** A table with a header row; each row a list of cells (text or elements). */
export function table(headers: string[], rows: (string | Node)[][], className: string): HTMLTableElement {
  const node = el('table', `jp-mlstudio-training-table jp-mlstudio-endpoints-table ${className}`);
  const head = el('tr');
  head.append(...headers.map(h => el('th', '', h)));
  node.createTHead().append(head);
  const body = node.createTBody();
  for (const cells of rows) {
    const tr = el('tr');
    for (const cell of cells) {
      const td = el('td');
      td.append(cell);
      tr.append(td);
    }
    body.append(tr);
  }
  return node;
}

/** A labelled control of a small inline form (label above the input, error below). */
export function labelled(label: string, control: HTMLElement, hint = ''): HTMLElement {
  const root = el('label', 'jp-mlstudio-endpoints-labelled');
  root.append(el('span', 'jp-mlstudio-endpoints-labelled-text', label), control);
  if (hint) {
    root.title = hint;
  }
  return root;
}

/** A styled select of `options` ([value, label] pairs, or values shown as is). */
export function select(name: string, options: (string | [string, string])[], value = ''): HTMLSelectElement {
  const node = el('select', 'jp-mod-styled jp-mlstudio-training-select');
  node.name = name;
  for (const option of options) {
    const [v, label] = typeof option === 'string' ? [option, option] : option;
    node.append(new Option(label, v, false, v === value));
  }
  return node;
}
