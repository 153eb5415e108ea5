import {
  clickSelect,
  EMPTY_SELECTION,
  pruneSelection,
  selectAll,
  selectedInOrder
} from '../src/s3/selection';
import { nearEnd, scrollToRow, visibleRows } from '../src/s3/window';

const order = ['a', 'b', 'c', 'd', 'e'];
const plain = { toggle: false, range: false };

describe('clickSelect', () => {
  it('selects one row on a plain click', () => {
    const s = clickSelect(order, EMPTY_SELECTION, 'c', plain);
    expect([...s.selected]).toEqual(['c']);
    expect(s.anchor).toBe('c');
  });

  it('toggles rows with Ctrl/Cmd', () => {
    let s = clickSelect(order, EMPTY_SELECTION, 'b', plain);
    s = clickSelect(order, s, 'd', { toggle: true, range: false });
    expect(selectedInOrder(order, s)).toEqual(['b', 'd']);
    s = clickSelect(order, s, 'b', { toggle: true, range: false });
    expect(selectedInOrder(order, s)).toEqual(['d']);
  });

  it('selects a range from the anchor with Shift, either direction', () => {
    let s = clickSelect(order, EMPTY_SELECTION, 'b', plain);
    s = clickSelect(order, s, 'd', { toggle: false, range: true });
    expect(selectedInOrder(order, s)).toEqual(['b', 'c', 'd']);
    s = clickSelect(order, s, 'a', { toggle: false, range: true });
    expect(selectedInOrder(order, s)).toEqual(['a', 'b']);
    expect(s.anchor).toBe('b');
  });

  it('adds a range to the selection with Ctrl+Shift', () => {
    let s = clickSelect(order, EMPTY_SELECTION, 'a', plain);
    s = clickSelect(order, s, 'd', { toggle: true, range: false });
    s = clickSelect(order, s, 'e', { toggle: true, range: true });
    expect(selectedInOrder(order, s)).toEqual(['a', 'd', 'e']);
  });

  it('selects all, and forgets rows that went away', () => {
    const all = selectAll(order);
    expect(all.selected.size).toBe(5);
    const pruned = pruneSelection(all, new Set(['a', 'e']));
    expect(selectedInOrder(order, pruned)).toEqual(['a', 'e']);
    expect(pruned.anchor).toBe('a');
    expect(pruneSelection(pruned, new Set(['a', 'e']))).toBe(pruned);
  });
});

describe('windowing', () => {
  it('renders only the rows in view plus overscan', () => {
    expect(visibleRows(0, 260, 26, 100000, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleRows(26 * 50000, 260, 26, 100000, 5)).toEqual({ start: 49995, end: 50016 });
    expect(visibleRows(26 * 99999, 260, 26, 100000, 5)).toEqual({ start: 99994, end: 100000 });
    expect(visibleRows(0, 260, 26, 0)).toEqual({ start: 0, end: 0 });
  });

  it('never renders more than a screenful, however long the list', () => {
    for (const count of [10, 1000, 100000, 1000000]) {
      const r = visibleRows(26 * (count / 2), 520, 26, count, 10);
      expect(r.end - r.start).toBeLessThanOrEqual(520 / 26 + 1 + 20);
    }
  });

  it('says when the end is near', () => {
    expect(nearEnd(0, 260, 26, 1000, 50)).toBe(false);
    expect(nearEnd(26 * 945, 260, 26, 1000, 50)).toBe(true);
  });

  it('scrolls a row into view', () => {
    expect(scrollToRow(0, 100, 260, 26)).toBe(0);
    expect(scrollToRow(20, 0, 260, 26)).toBe(21 * 26 - 260);
    expect(scrollToRow(5, 0, 260, 26)).toBe(0);
  });
});
