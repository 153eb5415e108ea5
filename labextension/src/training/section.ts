/**
 * The "Training" section of the ML Studio sidebar: the job list with search,
 * status filter, "Load more", refreshed every few seconds while visible.
 */
import type { ISignal } from '@lumino/signaling';

import { PolledSection } from '../sidebar/section';
import { errorText } from '../status';
import type { TrainingClient } from './client';
import { actionButton, badge, el, placeChildren, replaceBadge } from './dom';
import { formatCreated, formatTimestamp, jobTime } from './format';
import { STATUSES, statusLabel } from './status';
import type { ITrainingJobSummary } from './types';

/** Milliseconds between list refreshes while the section is visible. */
export const LIST_POLL_INTERVAL = 4000;

/** Jobs per page. */
const PAGE_SIZE = 50;

/** Most rows one request returns (the server's limit). */
const MAX_PAGE = 100;

/** What the section needs from its plugin. */
export interface ITrainingSectionOptions {
  client: TrainingClient;
  /** Open a job's view. */
  openJob: (name: string) => void;
  /** Open the create form. */
  newJob: () => void;
}

/** The Training section (root class `jp-mlstudio-training`). */
export class TrainingSection extends PolledSection {
  constructor(options: ITrainingSectionOptions) {
    super({
      className: 'jp-mlstudio-training',
      label: 'Training',
      caption: 'Training jobs: create, follow, stop and clone',
      refreshTooltip: 'Refresh training jobs',
      interval: LIST_POLL_INTERVAL
    });
    this._options = options;

    const newButton = actionButton(
      'New training job',
      'new-training-job',
      'jp-mlstudio-training-button jp-mlstudio-training-new jp-mod-accept'
    );
    newButton.addEventListener('click', () => options.newJob());

    this._search.type = 'search';
    this._search.placeholder = 'Search by name';
    this._search.setAttribute('aria-label', 'Search training jobs by name');
    this._search.addEventListener('input', () => this._filterChanged(250));

    this._filter.setAttribute('aria-label', 'Filter by status');
    this._filter.append(new Option('All statuses', ''));
    for (const status of STATUSES) {
      this._filter.append(new Option(statusLabel(status), status));
    }
    this._filter.addEventListener('change', () => this._filterChanged(0));

    const controls = el('div', 'jp-mlstudio-training-controls');
    controls.append(newButton, this._filter, this._search);

    this._list.setAttribute('role', 'list');
    this._list.addEventListener('click', event => this._open(event));
    this._list.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        this._open(event);
      }
    });
    this._list.addEventListener('contextmenu', event => {
      this._contextName = this.jobNameAt(event.target);
    });
    this._more.type = 'button';
    this._more.dataset.action = 'load-more';
    this._more.addEventListener('click', () => void this.loadMore());
    this._more.hidden = true;
    this._message.hidden = true;
    this._message.setAttribute('role', 'alert');

    this.node.append(controls, this._message, this._list, this._empty, this._more);
  }

  /** The job of the row last right-clicked (for context-menu commands). */
  get contextName(): string | null {
    return this._contextName;
  }

  /** The job name of the row containing `target`, if any. */
  jobNameAt(target: EventTarget | null): string | null {
    const row = (target as Element | null)?.closest?.('.jp-mlstudio-training-job') as HTMLElement | null;
    return row?.dataset.name ?? null;
  }

  /** Append the next page. */
  async loadMore(): Promise<void> {
    const token = this._nextToken;
    if (!token) {
      return;
    }
    const generation = this._generation;
    this._more.disabled = true;
    try {
      const reply = await this._options.client.list({ ...this._filterValues(), nextToken: token, maxResults: PAGE_SIZE });
      if (generation !== this._generation) {
        return;
      }
      const known = new Set(this._rows.map(r => r.TrainingJobName));
      this._rows = this._rows.concat(reply.TrainingJobSummaries.filter(r => !known.has(r.TrainingJobName)));
      this._nextToken = reply.NextToken;
      this._showError('');
      this._render();
    } catch (error) {
      this._showError(`Could not load more jobs: ${errorText(error)}`);
    } finally {
      this._more.disabled = false;
    }
  }

  /** A job was created, stopped, deleted or seen changing status: list again. */
  protected changeSignals(): ISignal<unknown, unknown>[] {
    return [this._options.client.changed, this._options.client.statusSeen];
  }

  private _filterValues(): { nameContains: string; status: string } {
    return { nameContains: this._search.value.trim(), status: this._filter.value };
  }

  /** Start over with the new filters (after `delay` ms, for typing). */
  private _filterChanged(delay: number): void {
    if (this._debounce !== null) {
      clearTimeout(this._debounce);
    }
    this._debounce = setTimeout(() => {
      this._debounce = null;
      this._generation++;
      this._rows = [];
      this._nextToken = null;
      this._loaded = false;
      void this.refresh();
    }, delay);
  }

  /** Fetch the first pages again (as many rows as are shown, up to the limit). */
  protected async load(): Promise<void> {
    const generation = this._generation;
    const shown = this._rows.length;
    try {
      const reply = await this._options.client.list({
        ...this._filterValues(),
        maxResults: Math.min(MAX_PAGE, Math.max(PAGE_SIZE, shown))
      });
      if (generation !== this._generation || this.isDisposed) {
        return;
      }
      const fresh = reply.TrainingJobSummaries;
      if (shown <= MAX_PAGE) {
        this._rows = fresh;
        this._nextToken = reply.NextToken;
      } else {
        const names = new Set(fresh.map(r => r.TrainingJobName));
        this._rows = fresh.concat(this._rows.slice(MAX_PAGE).filter(r => !names.has(r.TrainingJobName)));
      }
      this._loaded = true;
      this._showError('');
      this._render();
    } catch (error) {
      if (generation === this._generation) {
        this._showError(`Could not list training jobs: ${errorText(error)}`);
      }
    }
  }

  private _showError(text: string): void {
    this._message.textContent = text;
    this._message.hidden = text === '';
  }

  private _open(event: Event): void {
    const name = this.jobNameAt(event.target);
    if (name) {
      this._options.openJob(name);
    }
  }

  /** Update the rows in place (keyed by job name) so focus and scroll stay. */
  private _render(): void {
    const now = Date.now();
    const old = new Map<string, HTMLElement>();
    for (const child of Array.from(this._list.children) as HTMLElement[]) {
      old.set(child.dataset.name ?? '', child);
    }
    const rows = this._rows.map(job => {
      const row = old.get(job.TrainingJobName) ?? this._newRow(job.TrainingJobName);
      this._fillRow(row, job, now);
      return row;
    });
    placeChildren(this._list, rows);
    const filtered = this._search.value.trim() !== '' || this._filter.value !== '';
    this._empty.textContent = filtered
      ? 'No training jobs match.'
      : 'No training jobs yet. Start one here, or right-click a .py file and choose “Train This Script”.';
    this._empty.hidden = !this._loaded || rows.length > 0;
    this._more.hidden = !this._nextToken;
  }

  private _newRow(name: string): HTMLElement {
    const row = el('li', 'jp-mlstudio-training-job');
    row.dataset.name = name;
    row.tabIndex = 0;
    row.setAttribute('role', 'listitem');
    const top = el('div', 'jp-mlstudio-training-job-top');
    top.append(el('span', 'jp-mlstudio-training-job-name', name), badge('Loading'));
    const meta = el('div', 'jp-mlstudio-training-job-meta');
    row.append(top, meta);
    return row;
  }

  private _fillRow(row: HTMLElement, job: ITrainingJobSummary, now: number): void {
    const status = job.TrainingJobStatus;
    const secondary = job.SecondaryStatus && job.SecondaryStatus !== status ? job.SecondaryStatus : '';
    const time = jobTime(job, now);
    row.dataset.status = status;
    row.title = `${job.TrainingJobName}\nCreated ${formatTimestamp(job.CreationTime)}`;
    replaceBadge(row.querySelector('.jp-mlstudio-training-badge') as HTMLElement, status);
    const meta = row.lastElementChild as HTMLElement;
    const parts: HTMLElement[] = [];
    if (secondary) {
      parts.push(el('span', 'jp-mlstudio-training-job-secondary', secondary));
    }
    const duration = el('span', 'jp-mlstudio-training-job-duration', time.text);
    duration.title = time.running ? 'Elapsed so far' : 'Duration';
    parts.push(duration);
    parts.push(el('span', 'jp-mlstudio-training-job-created', formatCreated(job.CreationTime, now)));
    meta.replaceChildren(...parts);
  }

  private readonly _options: ITrainingSectionOptions;
  private readonly _search = el('input', 'jp-mod-styled jp-mlstudio-training-search');
  private readonly _filter = el('select', 'jp-mod-styled jp-mlstudio-training-filter');
  private readonly _list = el('ul', 'jp-mlstudio-training-list');
  private readonly _empty = el('p', 'jp-mlstudio-training-empty');
  private readonly _more = el('button', 'jp-mod-styled jp-mlstudio-training-more', 'Load more');
  private readonly _message = el('p', 'jp-mlstudio-training-message');
  private _rows: ITrainingJobSummary[] = [];
  private _nextToken: string | null = null;
  private _generation = 0;
  private _loaded = false;
  private _debounce: ReturnType<typeof setTimeout> | null = null;
  private _contextName: string | null = null;
}
