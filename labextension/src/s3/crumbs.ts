/**
 * Shortening of a long breadcrumb trail for a narrow sidebar (pure).
 */
import type { ICrumb } from './paths';

/** A crumb, or the "…" that stands for the hidden middle ones. */
export type CrumbItem = ICrumb | { ellipsis: true; prefix: string; hidden: string[] };

/**
 * Keep the first crumb (the bucket) and the last `tail` ones; the crumbs in
 * between become one "…" that leads to the last hidden level.
 */
export function collapseCrumbs(crumbs: readonly ICrumb[], tail = 2): CrumbItem[] {
  if (crumbs.length <= tail + 2) {
    return crumbs.slice();
  }
  const hidden = crumbs.slice(1, crumbs.length - tail);
  return [
    crumbs[0],
    { ellipsis: true, prefix: hidden[hidden.length - 1].prefix, hidden: hidden.map(c => c.label) },
    ...crumbs.slice(crumbs.length - tail)
  ];
}
