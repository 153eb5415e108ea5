/**
 * Multi-selection with the usual mouse rules (pure): click selects one,
 * Ctrl/Cmd-click toggles one, Shift-click selects the range from the anchor.
 */

/** Selected paths and the anchor of Shift ranges. */
export interface ISelection {
  readonly selected: ReadonlySet<string>;
  readonly anchor: string | null;
}

/** Modifier keys of a click. */
export interface IClickModifiers {
  /** Ctrl (or Cmd on a Mac): add or remove one row. */
  toggle: boolean;
  /** Shift: select from the anchor to this row. */
  range: boolean;
}

/** Nothing selected. */
export const EMPTY_SELECTION: ISelection = { selected: new Set(), anchor: null };

/**
 * The selection after a click on `path`; `order` is the rows' paths as shown.
 */
export function clickSelect(
  order: readonly string[],
  state: ISelection,
  path: string,
  mods: IClickModifiers
): ISelection {
  if (mods.range) {
    const anchor = state.anchor !== null && order.includes(state.anchor) ? state.anchor : path;
    const from = order.indexOf(anchor);
    const to = order.indexOf(path);
    if (from === -1 || to === -1) {
      return { selected: new Set([path]), anchor: path };
    }
    const [lo, hi] = from <= to ? [from, to] : [to, from];
    const selected = new Set(mods.toggle ? state.selected : []);
    for (let i = lo; i <= hi; i++) {
      selected.add(order[i]);
    }
    return { selected, anchor };
  }
  if (mods.toggle) {
    const selected = new Set(state.selected);
    if (selected.has(path)) {
      selected.delete(path);
    } else {
      selected.add(path);
    }
    return { selected, anchor: path };
  }
  return { selected: new Set([path]), anchor: path };
}

/** Every row selected. */
export function selectAll(order: readonly string[]): ISelection {
  return { selected: new Set(order), anchor: order.length ? order[0] : null };
}

/** Only the paths still listed stay selected. */
export function pruneSelection(state: ISelection, present: ReadonlySet<string>): ISelection {
  const selected = new Set([...state.selected].filter(p => present.has(p)));
  const anchor = state.anchor !== null && present.has(state.anchor) ? state.anchor : null;
  return selected.size === state.selected.size && anchor === state.anchor
    ? state
    : { selected, anchor };
}

/** The selected paths in the order they are shown. */
export function selectedInOrder(order: readonly string[], state: ISelection): string[] {
  return order.filter(p => state.selected.has(p));
}
