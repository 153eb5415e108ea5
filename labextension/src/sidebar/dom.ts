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
