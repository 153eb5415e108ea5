/**
 * The gallery view: filters on top, a reflowing grid of cards, "Load more",
 * and a "Validate all" run with a progress bar.
 */
import { Notification } from '@jupyterlab/apputils';
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { el } from '../sidebar/dom';
import { errorText } from '../status';
import type { GalleryActions } from './actions';
import { renderCard, renderTag, type CardAction } from './cardview';
import { debounce } from './debounce';
import { confirmAction } from './dialogs';
import type { GalleryModel, IGalleryState } from './model';
import { isFiltered, type IGalleryQuery, type ReviewFilter } from './query';
import type { IExample } from './types';
import { isFinished, progressText } from './validation';

/** Milliseconds of quiet typing before the search runs. */
export const SEARCH_DEBOUNCE = 300;

const REVIEW_CHOICES: [ReviewFilter, string, string][] = [
  ['all', 'All', 'Reviewed and unreviewed examples'],
  ['reviewed', 'Reviewed', 'Only examples a reviewer approved'],
  ['unreviewed', 'Unreviewed', 'Only shared examples waiting for review']
];

/** `1 example`, `3 examples`. */
function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The content of the gallery's main area widget. */
export class GalleryView extends Widget {
  constructor(
    private readonly model: GalleryModel,
    private readonly actions: GalleryActions
  ) {
    super();
    this.addClass('jp-mlstudio-gallery');
    this.node.append(
      this._buildBar(),
      this._tags,
      this._progress,
      this._error,
      this._count,
      this._grid,
      this._more
    );
    this._tags.className = 'jp-mlstudio-gallery-tags';
    this._tags.setAttribute('aria-label', 'Filter by tag');
    this._error.className = 'jp-mlstudio-gallery-error';
    this._error.setAttribute('role', 'alert');
    this._count.className = 'jp-mlstudio-gallery-count';
    this._count.setAttribute('aria-live', 'polite');
    this._grid.className = 'jp-mlstudio-gallery-grid';
    this._more.className = 'jp-mlstudio-gallery-more';
    this._buildProgress();
    this._buildMore();

    this.node.addEventListener('click', this._onClick);
    this._unsubscribe = model.subscribe(state => this._render(state));
    actions.client.changed.connect(this._onExternalChange, this);
    this._render(model.state);
  }

  /** Set some filters (e.g. from the command's arguments) and list again. */
  setQuery(patch: Partial<IGalleryQuery>): Promise<void> {
    this._search.cancel();
    if (patch.q !== undefined) {
      this._searchInput.value = patch.q;
    }
    return this.model.setQuery(patch);
  }

  /** List again with the current filters. */
  refresh(): Promise<void> {
    return this.model.reload();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._search.cancel();
    this._unsubscribe();
    this.actions.client.changed.disconnect(this._onExternalChange, this);
    this.node.removeEventListener('click', this._onClick);
    this.model.dispose();
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (!this.model.state.loaded && this.model.state.loading === 'idle') {
      void this.model.reload();
    }
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    if (this.isAttached) {
      this._searchInput.focus();
    }
  }

  // -- building -------------------------------------------------------------

  private _buildBar(): HTMLElement {
    const bar = el('div', 'jp-mlstudio-gallery-bar');

    const search = this._searchInput;
    search.type = 'search';
    search.className = 'jp-mod-styled jp-mlstudio-gallery-search';
    search.placeholder = 'Search examples';
    search.setAttribute('aria-label', 'Search examples');
    search.addEventListener('input', () => this._search(search.value));
    search.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        this._search.flush();
      } else if (event.key === 'Escape' && search.value) {
        search.value = '';
        this._search('');
        this._search.flush();
      }
    });

    const category = this._category;
    category.className = 'jp-mlstudio-gallery-category';
    category.setAttribute('aria-label', 'Category');
    category.addEventListener('change', () => {
      void this.model.setQuery({ category: category.value });
    });

    const reviewed = el('div', 'jp-mlstudio-gallery-reviewed');
    reviewed.setAttribute('role', 'group');
    reviewed.setAttribute('aria-label', 'Review state');
    for (const [value, label, title] of REVIEW_CHOICES) {
      const button = el('button', 'jp-mlstudio-gallery-segment', label);
      button.type = 'button';
      button.dataset.reviewed = value;
      button.title = title;
      reviewed.append(button);
    }
    this._reviewed = reviewed;

    const spacer = el('div', 'jp-mlstudio-gallery-spacer');
    this._validate.className =
      'jp-mlstudio-gallery-button jp-mlstudio-gallery-validate';
    this._validate.type = 'button';
    this._validate.textContent = 'Validate all';
    this._validate.title =
      'Run every example that opts in to validation and update the badges';
    this._validate.addEventListener('click', () => void this._validateAll());

    const refresh = el(
      'button',
      'jp-mlstudio-gallery-button jp-mlstudio-gallery-refresh',
      'Refresh'
    );
    refresh.type = 'button';
    refresh.title = 'List the examples again';
    refresh.addEventListener('click', () => void this.model.reload());

    const select = el('span', 'jp-mlstudio-gallery-select');
    select.append(category);

    bar.append(search, select, reviewed, spacer, this._validate, refresh);
    return bar;
  }

  private _buildProgress(): void {
    this._progress.className = 'jp-mlstudio-gallery-progress';
    this._progress.hidden = true;
    this._progressBar.className = 'jp-mlstudio-gallery-progress-bar';
    this._progressText.className = 'jp-mlstudio-gallery-progress-text';
    this._progressText.setAttribute('aria-live', 'polite');
    const close = el('button', 'jp-mlstudio-gallery-progress-close', '×');
    close.type = 'button';
    close.title = 'Dismiss';
    close.setAttribute('aria-label', 'Dismiss');
    close.addEventListener('click', () => {
      this._progressDismissed = true;
      this._progress.hidden = true;
    });
    this._progressClose = close;
    this._progress.append(this._progressBar, this._progressText, close);
  }

  private _buildMore(): void {
    const button = el(
      'button',
      'jp-mlstudio-gallery-button jp-mlstudio-gallery-load-more',
      'Load more'
    );
    button.type = 'button';
    button.addEventListener('click', () => void this.model.loadMore());
    this._moreButton = button;
    this._more.append(button);
  }

  // -- rendering ------------------------------------------------------------

  private _render(state: IGalleryState): void {
    this.node.dataset.loading = state.loading;
    this._renderCategories(state);
    for (const button of this._reviewed.querySelectorAll<HTMLButtonElement>(
      'button'
    )) {
      button.setAttribute(
        'aria-pressed',
        String(button.dataset.reviewed === state.query.reviewed)
      );
    }
    this._renderTags(state);
    this._renderProgress(state);

    this._error.textContent = state.error
      ? `Could not list the examples: ${state.error}`
      : '';
    this._error.hidden = !state.error;

    this._count.textContent = this._countText(state);

    if (
      this._rendered.examples !== state.examples ||
      this._rendered.reviewer !== state.reviewer ||
      this._rendered.tag !== state.query.tag ||
      this._rendered.busy !== this._busyVersion
    ) {
      this._rendered = {
        examples: state.examples,
        reviewer: state.reviewer,
        tag: state.query.tag,
        busy: this._busyVersion
      };
      const cards = this.model
        .cards()
        .map(card =>
          renderCard(card, this._busy.has(card.id), state.query.tag)
        );
      this._grid.replaceChildren(...cards);
    }

    this._more.hidden = !state.nextToken;
    this._moreButton.disabled = state.loading !== 'idle';
    this._moreButton.textContent =
      state.loading === 'more' ? 'Loading…' : 'Load more';
  }

  private _countText(state: IGalleryState): string {
    if (state.loading === 'loading' && !state.loaded) {
      return 'Loading examples…';
    }
    if (!state.loaded) {
      return '';
    }
    if (state.total === 0) {
      return isFiltered(state.query)
        ? 'No examples match these filters.'
        : 'No examples yet. Share a notebook with “Share as example”.';
    }
    const shown = state.examples.length;
    return shown < state.total
      ? `Showing ${shown} of ${plural(state.total, 'example')}`
      : plural(state.total, 'example');
  }

  private _renderCategories(state: IGalleryState): void {
    const wanted = ['', ...state.categories];
    if (state.query.category && !wanted.includes(state.query.category)) {
      wanted.push(state.query.category);
    }
    const current = [...this._category.options].map(o => o.value);
    if (current.join('\n') !== wanted.join('\n')) {
      this._category.replaceChildren(
        ...wanted.map(value => {
          const option = el('option', '', value || 'All categories');
          option.value = value;
          return option;
        })
      );
    }
    this._category.value = state.query.category;
  }

  private _renderTags(state: IGalleryState): void {
    const tags = [...state.tags];
    if (state.query.tag && !tags.includes(state.query.tag)) {
      tags.push(state.query.tag);
    }
    const key = `${state.query.tag}\n${tags.join('\n')}`;
    if (key === this._tagsKey) {
      return;
    }
    this._tagsKey = key;
    this._tags.replaceChildren(
      ...tags.map(t => renderTag(t, t === state.query.tag))
    );
    this._tags.hidden = tags.length === 0;
  }

  private _renderProgress(state: IGalleryState): void {
    const run = state.validation;
    const running = this.model.validating;
    this._validate.disabled = running;
    this._validate.textContent = running ? 'Validating…' : 'Validate all';
    if (!run && !state.validationError) {
      this._progress.hidden = true;
      return;
    }
    this._progress.hidden = this._progressDismissed;
    this._progress.dataset.state = state.validationError
      ? 'error'
      : run && isFinished(run) && !running
        ? 'done'
        : 'running';
    if (run) {
      this._progressBar.max = Math.max(1, run.total);
      this._progressBar.value = isFinished(run)
        ? Math.max(1, run.total)
        : run.done;
    }
    this._progressText.textContent = state.validationError
      ? `Validation stopped: ${state.validationError}`
      : run
        ? progressText(run)
        : '';
    this._progressClose.hidden = running;
  }

  // -- events ---------------------------------------------------------------

  private readonly _onClick = (event: MouseEvent): void => {
    const target = event.target as HTMLElement | null;
    const button = target?.closest('button');
    if (!button || button.disabled || !this.node.contains(button)) {
      return;
    }
    if (button.dataset.tag !== undefined) {
      const tag = button.dataset.tag;
      void this.model.setQuery({
        tag: this.model.state.query.tag === tag ? '' : tag
      });
      return;
    }
    if (button.dataset.reviewed !== undefined) {
      void this.model.setQuery({
        reviewed: button.dataset.reviewed as ReviewFilter
      });
      return;
    }
    const action = button.dataset.action as CardAction | undefined;
    const card = button.closest<HTMLElement>('.jp-mlstudio-gallery-card');
    const id = card?.dataset.exampleId;
    const example = this.model.state.examples.find(e => e.id === id);
    if (action && example) {
      void this._act(action, example);
    }
  };

  private async _act(action: CardAction, example: IExample): Promise<void> {
    switch (action) {
      case 'preview':
        this.actions.preview(example);
        return;
      case 'use':
        await this.actions.use(example);
        return;
      case 'approve':
        await this._busyWhile(example, async () => {
          await this.model.review(example.id, 'approve');
          Notification.success(`Approved “${example.title}”.`, {
            autoClose: 4000
          });
        });
        return;
      case 'reject':
        if (
          await confirmAction(
            'Reject example',
            `Reject “${example.title}”? The submission is deleted.`,
            'Reject'
          )
        ) {
          await this._busyWhile(example, async () => {
            await this.model.review(example.id, 'reject');
            Notification.info(`Rejected “${example.title}”.`, {
              autoClose: 4000
            });
          });
        }
        return;
      case 'delete':
        if (
          await confirmAction(
            'Delete example',
            `Delete “${example.title}”? This cannot be undone.`,
            'Delete'
          )
        ) {
          await this._busyWhile(example, async () => {
            await this.model.remove(example.id);
            Notification.info(`Deleted “${example.title}”.`, {
              autoClose: 4000
            });
          });
        }
        return;
    }
  }

  /** Run an action with the card's buttons disabled; report a failure. */
  private async _busyWhile(
    example: IExample,
    work: () => Promise<void>
  ): Promise<void> {
    this._setBusy(example.id, true);
    this._ownChanges++;
    try {
      await work();
    } catch (error) {
      Notification.error(`“${example.title}”: ${errorText(error)}`, {
        autoClose: 8000
      });
    } finally {
      this._ownChanges--;
      this._setBusy(example.id, false);
    }
  }

  private _setBusy(id: string, busy: boolean): void {
    if (busy) {
      this._busy.add(id);
    } else {
      this._busy.delete(id);
    }
    this._busyVersion++;
    this._render(this.model.state);
  }

  private async _validateAll(): Promise<void> {
    this._progressDismissed = false;
    // The badges are updated already; other widgets (the sidebar) list again.
    this._ownChanges++;
    try {
      await this.model.validateAll();
      this.actions.client.notifyChanged();
    } finally {
      this._ownChanges--;
    }
  }

  /** Another widget shared, reviewed or deleted an example: list again. */
  private _onExternalChange(): void {
    if (this._ownChanges === 0 && this.model.state.loaded) {
      void this.model.reload();
    }
  }

  private readonly _search = debounce((q: string) => {
    void this.model.setQuery({ q });
  }, SEARCH_DEBOUNCE);
  private readonly _unsubscribe: () => void;
  private readonly _searchInput = el('input');
  private readonly _category = el('select');
  private _reviewed!: HTMLElement;
  private readonly _validate = el('button');
  private readonly _tags = el('div');
  private _tagsKey = '\0';
  private readonly _progress = el('div');
  private readonly _progressBar = el('progress');
  private readonly _progressText = el('span');
  private _progressClose!: HTMLButtonElement;
  private _progressDismissed = false;
  private readonly _error = el('p');
  private readonly _count = el('p');
  private readonly _grid = el('div');
  private readonly _more = el('div');
  private _moreButton!: HTMLButtonElement;
  private readonly _busy = new Set<string>();
  private _busyVersion = 0;
  private _ownChanges = 0;
  private _rendered: {
    examples: readonly IExample[] | null;
    reviewer: boolean | null;
    tag: string;
    busy: number;
  } = { examples: null, reviewer: null, tag: '', busy: -1 };
}
