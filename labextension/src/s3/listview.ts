/**
 * The windowed list of buckets, folders and objects: sortable columns,
 * multi-selection, keyboard, drag-and-drop of desktop files, and only the
 * rows in view in the DOM (a listing may hold 100,000 rows).
 */
import { caretDownIcon, caretUpIcon } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { el } from '../sidebar/dom';
import { nextSort, type IEntry, type ISortState, type SortField } from './entries';
import { formatDate, formatDateTime, formatSize, plural } from './format';
import { entryIcon, iconElement } from './icons';
import {
  clickSelect,
  EMPTY_SELECTION,
  pruneSelection,
  selectAll,
  type ISelection
} from './selection';
import { nearEnd, scrollToRow, visibleRows } from './window';

/** Height of a row in px (rows are absolutely positioned by index). */
export const ROW_HEIGHT = 26;

/** What the list reports to its owner. */
export interface IListViewCallbacks {
  /** Double-click or Enter on a row. */
  open(entry: IEntry): void;
  /** The user scrolled near the end of the rows loaded so far. */
  nearEnd(): void;
  /** The "Load more" row was pressed. */
  loadMore(): void;
  /** A new sort order was chosen. */
  sortChanged(sort: ISortState): void;
  /** The selection changed. */
  selectionChanged(): void;
  /** Desktop files were dropped, on a folder row (`target`) or elsewhere. */
  dropFiles(files: File[], target: IEntry | null): void;
  /** Delete key. */
  deleteSelected(): void;
  /** Backspace: one level up. */
  goUp(): void;
}

/** The footer line under the rows. */
export interface IListFooter {
  /** More rows can be loaded. */
  more: boolean;
  /** A page is being fetched. */
  loading: boolean;
  /** Shown when there are no rows (and nothing is loading). */
  emptyText: string;
}

/** Whether a drag carries desktop files. */
function hasFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files');
}

/** The list widget (root class `jp-mlstudio-s3-listview`). */
export class EntryListView extends Widget {
  constructor(callbacks: IListViewCallbacks) {
    super();
    this._callbacks = callbacks;
    this.addClass('jp-mlstudio-s3-listview');

    this._header.setAttribute('role', 'row');
    for (const field of ['name', 'size', 'modified'] as SortField[]) {
      const cell = el('button', `jp-mlstudio-s3-col jp-mlstudio-s3-col-${field}`);
      cell.type = 'button';
      cell.dataset.sort = field;
      cell.setAttribute('role', 'columnheader');
      cell.addEventListener('click', () => {
        this._callbacks.sortChanged(nextSort(this._sort, field));
      });
      this._headerCells.set(field, cell);
      this._header.append(cell);
    }

    this._scroller.tabIndex = 0;
    this._scroller.setAttribute('role', 'listbox');
    this._scroller.setAttribute('aria-multiselectable', 'true');
    this._scroller.setAttribute('aria-label', 'S3 objects');
    this._scroller.append(this._rows, this._footer);
    this._more.type = 'button';
    this._more.addEventListener('click', () => this._callbacks.loadMore());
    this.node.append(this._header, this._scroller);
    this._renderHeader();
  }

  /** The rows in display order. */
  get entries(): readonly IEntry[] {
    return this._entries;
  }

  /** The current selection. */
  get selection(): ISelection {
    return this._selection;
  }

  /** The selected rows, in display order. */
  selectedEntries(): IEntry[] {
    return this._entries.filter(e => this._selection.selected.has(e.path));
  }

  /** Show the dates column as "Created" (buckets) or "Modified". */
  set dateLabel(value: string) {
    this._dateLabel = value;
    this._renderHeader();
  }

  /** The sort order shown in the header (the owner sorts the rows). */
  set sort(value: ISortState) {
    this._sort = value;
    this._renderHeader();
    this._renderFooter();
  }

  /**
   * Show new rows. The selection keeps the paths still present; `resetScroll`
   * scrolls back to the top (a new folder rather than another page).
   */
  setEntries(entries: readonly IEntry[], footer: IListFooter, resetScroll = false): void {
    this._entries = entries;
    this._index = new Map(entries.map((e, i) => [e.path, i]));
    this._footerState = footer;
    const selection = pruneSelection(this._selection, new Set(this._index.keys()));
    const selectionChanged = selection !== this._selection;
    this._selection = selection;
    if (this._focus !== null && !this._index.has(this._focus)) {
      this._focus = null;
    }
    if (resetScroll) {
      this._scroller.scrollTop = 0;
      this._selection = EMPTY_SELECTION;
      this._focus = null;
    }
    this._rows.style.height = `${entries.length * ROW_HEIGHT}px`;
    this._renderFooter();
    this._renderRows(true);
    if (selectionChanged || resetScroll) {
      this._callbacks.selectionChanged();
    }
  }

  /** Select exactly these paths. */
  select(paths: string[]): void {
    this._selection = { selected: new Set(paths), anchor: paths[0] ?? null };
    this._focus = paths[0] ?? null;
    this._renderRows(true);
    this._callbacks.selectionChanged();
  }

  /** Give the keyboard focus to the list. */
  focusList(): void {
    this._scroller.focus();
  }

  /** The row element of a path, when it is rendered. */
  rowOf(path: string): HTMLElement | undefined {
    return this._rendered.get(path);
  }

  /** The entry a DOM event happened on. */
  entryAt(target: EventTarget | null): IEntry | null {
    const row = (target as HTMLElement | null)?.closest?.('.jp-mlstudio-s3-item') as
      | HTMLElement
      | null
      | undefined;
    if (!row || !this._scroller.contains(row)) {
      return null;
    }
    const index = this._index.get(row.dataset.path ?? '');
    return index === undefined ? null : this._entries[index];
  }

  handleEvent(event: Event): void {
    switch (event.type) {
      case 'scroll':
        this._scheduleRender();
        break;
      case 'mousedown':
        this._evtMouseDown(event as MouseEvent);
        break;
      case 'dblclick':
        this._evtDblClick(event as MouseEvent);
        break;
      case 'contextmenu':
        this._evtContextMenu(event as MouseEvent);
        break;
      case 'keydown':
        this._evtKeyDown(event as KeyboardEvent);
        break;
      case 'dragenter':
      case 'dragover':
        this._evtDragOver(event as DragEvent);
        break;
      case 'dragleave':
        this._evtDragLeave(event as DragEvent);
        break;
      case 'drop':
        this._evtDrop(event as DragEvent);
        break;
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    const s = this._scroller;
    s.addEventListener('scroll', this);
    s.addEventListener('mousedown', this);
    s.addEventListener('dblclick', this);
    s.addEventListener('contextmenu', this);
    s.addEventListener('keydown', this);
    s.addEventListener('dragenter', this);
    s.addEventListener('dragover', this);
    s.addEventListener('dragleave', this);
    s.addEventListener('drop', this);
    this._renderRows(true);
  }

  protected onBeforeDetach(msg: Message): void {
    const s = this._scroller;
    s.removeEventListener('scroll', this);
    s.removeEventListener('mousedown', this);
    s.removeEventListener('dblclick', this);
    s.removeEventListener('contextmenu', this);
    s.removeEventListener('keydown', this);
    s.removeEventListener('dragenter', this);
    s.removeEventListener('dragover', this);
    s.removeEventListener('dragleave', this);
    s.removeEventListener('drop', this);
    if (this._frame) {
      cancelAnimationFrame(this._frame);
      this._frame = 0;
    }
    super.onBeforeDetach(msg);
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._scheduleRender();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._renderRows(true);
  }

  private _scheduleRender(): void {
    if (!this._frame) {
      this._frame = requestAnimationFrame(() => {
        this._frame = 0;
        this._renderRows(false);
      });
    }
  }

  /** Render the rows in view; reuse the elements of rows still in view. */
  private _renderRows(refresh: boolean): void {
    const s = this._scroller;
    const height = s.clientHeight || 400;
    const range = visibleRows(s.scrollTop, height, ROW_HEIGHT, this._entries.length);
    if (!refresh && range.start === this._range.start && range.end === this._range.end) {
      this._checkNearEnd();
      return;
    }
    this._range = range;
    const keep = new Map<string, HTMLElement>();
    for (let i = range.start; i < range.end; i++) {
      const entry = this._entries[i];
      let row = this._rendered.get(entry.path);
      if (!row) {
        row = this._makeRow(entry);
        this._rows.append(row);
      } else if (this._shown.get(row) !== entry) {
        // Only new data replaces the row's content: a click's target must
        // survive a selection change (or the double-click never arrives).
        this._fillRow(row, entry);
      }
      this._rendered.delete(entry.path);
      keep.set(entry.path, row);
      row.style.transform = `translateY(${i * ROW_HEIGHT}px)`;
      const selected = this._selection.selected.has(entry.path);
      row.classList.toggle('jp-mod-selected', selected);
      row.setAttribute('aria-selected', selected ? 'true' : 'false');
      row.classList.toggle('jp-mod-focused', this._focus === entry.path);
    }
    for (const row of this._rendered.values()) {
      row.remove();
    }
    this._rendered = keep;
    this._checkNearEnd();
  }

  private _checkNearEnd(): void {
    const s = this._scroller;
    if (
      this._footerState.more &&
      !this._footerState.loading &&
      this._entries.length > 0 &&
      nearEnd(s.scrollTop, s.clientHeight, ROW_HEIGHT, this._entries.length)
    ) {
      this._callbacks.nearEnd();
    }
  }

  private _makeRow(entry: IEntry): HTMLElement {
    const row = el('div', 'jp-mlstudio-s3-item');
    row.setAttribute('role', 'option');
    row.draggable = false;
    this._fillRow(row, entry);
    return row;
  }

  private _fillRow(row: HTMLElement, entry: IEntry): void {
    this._shown.set(row, entry);
    row.dataset.kind = entry.kind;
    row.dataset.path = entry.path;
    delete row.dataset.key;
    delete row.dataset.prefix;
    delete row.dataset.bucket;
    if (entry.kind === 'object') {
      row.dataset.key = entry.path;
    } else if (entry.kind === 'folder') {
      row.dataset.prefix = entry.path;
    } else {
      row.dataset.bucket = entry.path;
    }
    const name = el('span', 'jp-mlstudio-s3-name');
    name.append(
      iconElement(entryIcon(entry), 'jp-mlstudio-s3-icon'),
      el('span', 'jp-mlstudio-s3-label', entry.name)
    );
    const size = el('span', 'jp-mlstudio-s3-size', formatSize(entry.size));
    const date = el('span', 'jp-mlstudio-s3-date', formatDate(entry.modified));
    row.title =
      entry.kind === 'object'
        ? `${entry.path}\n${formatSize(entry.size)}${
            entry.modified ? ` · modified ${formatDateTime(entry.modified)}` : ''
          }`
        : entry.path;
    row.replaceChildren(name, size, date);
  }

  private _renderHeader(): void {
    const labels: Record<SortField, string> = {
      name: 'Name',
      size: 'Size',
      modified: this._dateLabel
    };
    for (const [field, cell] of this._headerCells) {
      const active = this._sort.field === field;
      cell.replaceChildren(el('span', 'jp-mlstudio-s3-col-label', labels[field]));
      if (active) {
        cell.append(
          (this._sort.direction === 'asc' ? caretUpIcon : caretDownIcon).element({
            tag: 'span',
            className: 'jp-mlstudio-s3-sort-caret'
          })
        );
      }
      cell.classList.toggle('jp-mod-active', active);
      cell.setAttribute(
        'aria-sort',
        active ? (this._sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'
      );
      cell.title = `Sort by ${labels[field].toLowerCase()}`;
    }
  }

  private _renderFooter(): void {
    const f = this._footerState;
    const children: HTMLElement[] = [];
    if (this._entries.length === 0) {
      if (f.loading) {
        children.push(el('div', 'jp-mlstudio-s3-note', 'Loading…'));
      } else if (f.emptyText) {
        children.push(el('div', 'jp-mlstudio-s3-empty', f.emptyText));
      }
    } else if (f.more) {
      if (this._sort.field !== 'name') {
        children.push(
          el('div', 'jp-mlstudio-s3-note jp-mlstudio-s3-sortnote', 'Sorted among the items loaded so far.')
        );
      }
      this._more.disabled = f.loading;
      this._more.textContent = f.loading
        ? 'Loading more…'
        : `Load more (${plural(this._entries.length, 'item')} shown)`;
      children.push(this._more);
    }
    this._footer.replaceChildren(...children);
    this._footer.hidden = children.length === 0;
  }

  private _evtMouseDown(event: MouseEvent): void {
    const entry = this.entryAt(event.target);
    if (!entry) {
      const onRows = event.target === this._scroller || event.target === this._rows;
      if (onRows && event.button === 0 && this._selection.selected.size > 0) {
        this._selection = EMPTY_SELECTION;
        this._renderRows(true);
        this._callbacks.selectionChanged();
      }
      return;
    }
    // Right-click keeps a selection that includes the row (for the menu).
    if (event.button === 2) {
      if (!this._selection.selected.has(entry.path)) {
        this._selection = clickSelect(this._order(), this._selection, entry.path, {
          toggle: false,
          range: false
        });
      }
    } else if (event.button === 0) {
      this._selection = clickSelect(this._order(), this._selection, entry.path, {
        toggle: event.ctrlKey || event.metaKey,
        range: event.shiftKey
      });
      if (event.shiftKey) {
        event.preventDefault(); // no text selection
      }
    } else {
      return;
    }
    this._focus = entry.path;
    this._renderRows(true);
    this._callbacks.selectionChanged();
  }

  private _evtDblClick(event: MouseEvent): void {
    const entry = this.entryAt(event.target);
    if (entry && event.button === 0) {
      event.preventDefault();
      this._callbacks.open(entry);
    }
  }

  private _evtContextMenu(event: MouseEvent): void {
    // The row was selected on mousedown; JupyterLab's context menu opens on
    // the same event at the document and finds the row by its data- selector.
    const entry = this.entryAt(event.target);
    if (entry && !this._selection.selected.has(entry.path)) {
      this._selection = { selected: new Set([entry.path]), anchor: entry.path };
      this._focus = entry.path;
      this._renderRows(true);
      this._callbacks.selectionChanged();
    }
  }

  private _evtKeyDown(event: KeyboardEvent): void {
    const count = this._entries.length;
    const current = this._focus !== null ? this._index.get(this._focus) ?? -1 : -1;
    let next: number | null = null;
    switch (event.key) {
      case 'ArrowDown':
        next = Math.min(count - 1, current + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, current === -1 ? 0 : current - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = count - 1;
        break;
      case 'PageDown':
      case 'PageUp': {
        const page = Math.max(1, Math.floor(this._scroller.clientHeight / ROW_HEIGHT) - 1);
        next =
          event.key === 'PageDown'
            ? Math.min(count - 1, current + page)
            : Math.max(0, current - page);
        break;
      }
      case 'Enter':
        if (current !== -1) {
          event.preventDefault();
          this._callbacks.open(this._entries[current]);
        }
        return;
      case 'Delete':
        if (this._selection.selected.size > 0) {
          event.preventDefault();
          this._callbacks.deleteSelected();
        }
        return;
      case 'Backspace':
        event.preventDefault();
        this._callbacks.goUp();
        return;
      case 'a':
      case 'A':
        if (event.ctrlKey || event.metaKey) {
          event.preventDefault();
          this._selection = selectAll(this._order());
          this._renderRows(true);
          this._callbacks.selectionChanged();
        }
        return;
      case 'Escape':
        if (this._selection.selected.size > 0) {
          this._selection = EMPTY_SELECTION;
          this._renderRows(true);
          this._callbacks.selectionChanged();
        }
        return;
      default:
        return;
    }
    if (next === null || count === 0 || next < 0) {
      return;
    }
    event.preventDefault();
    const path = this._entries[next].path;
    this._selection = clickSelect(this._order(), this._selection, path, {
      toggle: false,
      range: event.shiftKey
    });
    this._focus = path;
    const s = this._scroller;
    s.scrollTop = scrollToRow(next, s.scrollTop, s.clientHeight, ROW_HEIGHT);
    this._renderRows(true);
    this._callbacks.selectionChanged();
  }

  private _evtDragOver(event: DragEvent): void {
    if (!hasFiles(event)) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    if (event.dataTransfer) {
      event.dataTransfer.dropEffect = 'copy';
    }
    this.addClass('jp-mod-dropTarget');
    const entry = this.entryAt(event.target);
    const folder = entry && entry.kind === 'folder' ? entry.path : null;
    if (folder !== this._dropFolder) {
      if (this._dropFolder) {
        this._rendered.get(this._dropFolder)?.classList.remove('jp-mod-dropTarget');
      }
      if (folder) {
        this._rendered.get(folder)?.classList.add('jp-mod-dropTarget');
      }
      this._dropFolder = folder;
    }
  }

  private _evtDragLeave(event: DragEvent): void {
    const related = event.relatedTarget as Node | null;
    if (related && this._scroller.contains(related)) {
      return;
    }
    this._clearDrop();
  }

  private _evtDrop(event: DragEvent): void {
    if (!hasFiles(event)) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    const entry = this.entryAt(event.target);
    this._clearDrop();
    const transfer = event.dataTransfer;
    if (!transfer) {
      return;
    }
    // Folders dropped from the desktop show up as empty "files": skip them.
    const files: File[] = [];
    const items = Array.from(transfer.items ?? []);
    if (items.length > 0) {
      for (const item of items) {
        const entryInfo = (
          item as DataTransferItem & { webkitGetAsEntry?: () => { isDirectory: boolean } | null }
        ).webkitGetAsEntry?.();
        const file = item.kind === 'file' ? item.getAsFile() : null;
        if (file && !entryInfo?.isDirectory) {
          files.push(file);
        }
      }
    } else {
      files.push(...Array.from(transfer.files));
    }
    if (files.length > 0) {
      this._callbacks.dropFiles(files, entry && entry.kind === 'folder' ? entry : null);
    }
  }

  private _clearDrop(): void {
    this.removeClass('jp-mod-dropTarget');
    if (this._dropFolder) {
      this._rendered.get(this._dropFolder)?.classList.remove('jp-mod-dropTarget');
      this._dropFolder = null;
    }
  }

  private _order(): string[] {
    return this._entries.map(e => e.path);
  }

  private readonly _callbacks: IListViewCallbacks;
  private readonly _header = el('div', 'jp-mlstudio-s3-header');
  private readonly _headerCells = new Map<SortField, HTMLButtonElement>();
  private readonly _scroller = el('div', 'jp-mlstudio-s3-list');
  private readonly _rows = el('div', 'jp-mlstudio-s3-rows');
  private readonly _footer = el('div', 'jp-mlstudio-s3-footer');
  private readonly _more = el('button', 'jp-mlstudio-s3-more jp-mod-styled');
  private _entries: readonly IEntry[] = [];
  private _index = new Map<string, number>();
  private _rendered = new Map<string, HTMLElement>();
  private readonly _shown = new WeakMap<HTMLElement, IEntry>();
  private _range = { start: 0, end: 0 };
  private _selection: ISelection = EMPTY_SELECTION;
  private _focus: string | null = null;
  private _sort: ISortState = { field: 'name', direction: 'asc' };
  private _dateLabel = 'Modified';
  private _footerState: IListFooter = { more: false, loading: false, emptyText: '' };
  private _frame = 0;
  private _dropFolder: string | null = null;
}
