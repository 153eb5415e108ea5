/** Small DOM helpers for the sidebar's widgets. */

/** Create an element with an optional class name and text content. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text = ''
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text) {
    node.textContent = text;
  }
  return node;
}

/** A text input styled by JupyterLab (`jp-mod-styled`) and `className`, named `name`, not spell-checked. */
export function styledTextInput(className: string, name: string, value = '', placeholder = ''): HTMLInputElement {
  const input = el('input', `jp-mod-styled ${className}`);
  input.type = 'text';
  input.name = name;
  input.value = value;
  input.placeholder = placeholder;
  input.spellcheck = false;
  return input;
}

/** A health dot: green, red, or neutral (`null`). */
export function healthDot(healthy: boolean | null): HTMLSpanElement {
  const dot = el(
    'span',
    `jp-mlstudio-dot ${
      healthy === null
        ? 'jp-mlstudio-dot-unknown'
        : healthy
          ? 'jp-mlstudio-dot-ok'
          : 'jp-mlstudio-dot-bad'
    }`
  );
  dot.setAttribute('role', 'img');
  dot.setAttribute(
    'aria-label',
    healthy === null ? 'no health check' : healthy ? 'healthy' : 'unhealthy'
  );
  return dot;
}

/**
 * Make `rows` the children of `parent`, in order, moving only those out of
 * place (re-inserting a focused row would blur it) and removing the rest.
 */
export function placeChildren(parent: Element, rows: readonly Element[]): void {
  rows.forEach((row, i) => {
    const current = parent.children[i] ?? null;
    if (current !== row) {
      parent.insertBefore(row, current);
    }
  });
  while (parent.children.length > rows.length) {
    parent.lastElementChild?.remove();
  }
}
