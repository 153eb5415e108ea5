/**
 * The trials table of a tuning job view (`.jp-mlstudio-tuning-trials`): one
 * row per training job the tuner ran, with its status, tuned values,
 * objective and duration, sorted and paged by the server (`SortBy`,
 * `SortOrder`, `NextToken`, `MaxResults`).
 */
import { errorText } from '../status';
import { jobTime, formatTimestamp, formatCreated } from '../training/format';
import { decodeValue } from './chartdata';
import type { TuningClient } from './client';
import { badge, button, CSS, el } from './dom';
import { PageTokens } from './paging';
import type { SortOrder, TrialSortKey } from './routes';
import { formatObjective, formatTuned, objectiveValue } from './status';
import type { IObjective, ITrialSummary, ObjectiveType } from './types';

/** Rows per page. */
export const TRIALS_PAGE_SIZE = 20;

/** What the table needs. */
export interface ITrialsTableOptions {
  client: TuningClient;
  /** The tuning job. */
  name: string;
  /** Open a trial's training job view. */
  openTrial: (name: string) => void;
}

/** The trials table. */
export class TrialsTable {
  constructor(options: ITrialsTableOptions) {
    this._options = options;
    this.node.dataset.sortBy = this._sortBy;
    this.node.dataset.sortOrder = this._sortOrder;
    this._previous.addEventListener('click', () => this._page(() => this._pages.back()));
    this._next.addEventListener('click', () => this._page(() => this._pages.forward()));
    this._table.addEventListener('click', event => {
      const target = event.target as HTMLElement;
      const trial = target.closest?.(`[data-trial]`) as HTMLElement | null;
      if (trial?.dataset.trial) {
        options.openTrial(trial.dataset.trial);
        return;
      }
      const sort = target.closest?.('button[data-sort]') as HTMLElement | null;
      if (sort?.dataset.sort) {
        this._sort(sort.dataset.sort as TrialSortKey);
      }
    });
    this._message.hidden = true;
    this._message.setAttribute('role', 'alert');
    const pager = el('div', `${CSS}-pager`);
    this._note.hidden = true;
    pager.append(this._note, this._previous, this._pageLabel, this._next);
    const scroll = el('div', `${CSS}-table-scroll`);
    scroll.append(this._table);
    this.node.append(this._message, scroll, pager);
    this._renderHead();
  }

  /** The root element. */
  readonly node = el('div', `${CSS}-trials`);

  /** The tuned hyperparameters (one column each), the objective and the best trial. */
  setColumns(hyperparameters: string[], objective: IObjective, bestTrial: string | null): void {
    const metric = objective.MetricName;
    const changed = hyperparameters.join('\n') !== this._hps.join('\n') || metric !== this._metric;
    this._hps = hyperparameters;
    this._metric = metric;
    this._objectiveType = objective.Type;
    this._best = bestTrial;
    if (changed) {
      this._renderHead();
    }
  }

  /** Fetch the current page again. */
  async refresh(): Promise<void> {
    const seq = ++this._seq;
    try {
      const reply = await this._options.client.trials(this._options.name, {
        sortBy: this._sortBy,
        sortOrder: this._sortOrder,
        maxResults: TRIALS_PAGE_SIZE,
        nextToken: this._pages.current
      });
      if (seq !== this._seq) {
        return;
      }
      this._pages.received(reply.NextToken);
      this._rows = reply.TrainingJobSummaries;
      this._message.hidden = true;
      this._renderBody();
    } catch (error) {
      if (seq === this._seq) {
        this._message.textContent = `Could not list the trials: ${errorText(error)}`;
        this._message.hidden = false;
      }
    }
  }

  private _page(move: () => boolean): void {
    if (move()) {
      void this.refresh();
    }
  }

  /**
   * Sort by `key`: the objective best first, times newest first, text A to Z;
   * sorting by the same column again flips the order.
   */
  private _sort(key: TrialSortKey): void {
    if (this._sortBy === key) {
      this._sortOrder = this._sortOrder === 'Ascending' ? 'Descending' : 'Ascending';
    } else {
      this._sortBy = key;
      const bestFirst = this._objectiveType === 'Maximize' ? 'Descending' : 'Ascending';
      this._sortOrder = key === 'FinalObjectiveMetricValue' ? bestFirst : key === 'CreationTime' ? 'Descending' : 'Ascending';
    }
    this.node.dataset.sortBy = this._sortBy;
    this.node.dataset.sortOrder = this._sortOrder;
    this._pages.reset();
    this._renderHead();
    void this.refresh();
  }

  private _renderHead(): void {
    const row = el('tr');
    const header = (label: string, key: TrialSortKey | null, title = label): HTMLTableCellElement => {
      const th = el('th');
      if (!key) {
        th.textContent = label;
        th.title = title;
        return th;
      }
      const sorted = this._sortBy === key;
      th.setAttribute('aria-sort', sorted ? (this._sortOrder === 'Ascending' ? 'ascending' : 'descending') : 'none');
      const sort = el('button', `${CSS}-sort`, label);
      sort.type = 'button';
      sort.dataset.sort = key;
      sort.title = `Sort by ${title.toLowerCase()}`;
      if (sorted) {
        sort.append(el('span', `${CSS}-sort-arrow`, this._sortOrder === 'Ascending' ? ' ▲' : ' ▼'));
      }
      th.append(sort);
      return th;
    };
    row.append(header('Trial', 'Name'), header('Status', 'Status'));
    for (const hp of this._hps) {
      const th = header(hp, null);
      th.classList.add(`${CSS}-hp-col`);
      row.append(th);
    }
    row.append(
      header('Objective', 'FinalObjectiveMetricValue', this._metric || 'Objective'),
      header('Duration', null),
      header('Created', 'CreationTime', 'Creation time')
    );
    this._table.tHead?.remove();
    this._table.createTHead().append(row);
  }

  private _renderBody(): void {
    const now = Date.now();
    const body = el('tbody');
    for (const trial of this._rows) {
      body.append(this._row(trial, now));
    }
    if (!this._rows.length) {
      const tr = el('tr');
      const td = el('td', `${CSS}-muted`, this._pages.index ? 'No more trials.' : 'No trials yet.');
      td.colSpan = this._hps.length + 5;
      tr.append(td);
      body.append(tr);
    }
    this._table.tBodies[0]?.remove();
    this._table.append(body);
    this.node.dataset.rows = String(this._rows.length);
    this._previous.disabled = !this._pages.hasPrevious;
    this._next.disabled = !this._pages.hasNext;
    this._pageLabel.textContent = `Page ${this._pages.index + 1}`;
    // As SageMaker does, the server lists only trials with an objective when sorting by it.
    this._note.hidden = this._sortBy !== 'FinalObjectiveMetricValue';
  }

  private _row(trial: ITrialSummary, now: number): HTMLTableRowElement {
    const tr = el('tr', `${CSS}-trial`);
    tr.dataset.name = trial.TrainingJobName;
    tr.dataset.status = trial.TrainingJobStatus;
    const best = trial.TrainingJobName === this._best;
    tr.classList.toggle(`${CSS}-trial-best`, best);
    const link = el('button', `${CSS}-link`, trial.TrainingJobName);
    link.type = 'button';
    link.dataset.trial = trial.TrainingJobName;
    link.title = `Open training job ${trial.TrainingJobName}`;
    const nameCell = el('td', `${CSS}-trial-name`);
    nameCell.append(link);
    if (best) {
      nameCell.append(el('span', `${CSS}-best-tag`, 'best'));
    }
    const statusCell = el('td');
    const status = badge(trial.TrainingJobStatus);
    if (trial.FailureReason) {
      status.title = trial.FailureReason;
    }
    statusCell.append(status);
    tr.append(nameCell, statusCell);
    for (const hp of this._hps) {
      const raw = trial.TunedHyperParameters?.[hp];
      const value = raw === undefined ? '—' : decodeValue(raw);
      const td = el('td', `${CSS}-num`, formatTuned(value));
      td.title = value;
      tr.append(td);
    }
    const value = objectiveValue(trial);
    const objective = el('td', `${CSS}-num ${CSS}-objective`, formatObjective(value));
    objective.title = value === null ? trial.ObjectiveStatus ?? 'No objective value' : String(value);
    const time = jobTime(trial, now);
    const duration = el('td', `${CSS}-num`, time.text);
    duration.title = time.running ? 'Running for' : 'Ran for';
    const created = el('td', `${CSS}-num`, formatCreated(trial.CreationTime, now));
    created.title = formatTimestamp(trial.CreationTime);
    tr.append(objective, duration, created);
    return tr;
  }

  private readonly _options: ITrialsTableOptions;
  private readonly _table = el('table', `${CSS}-table ${CSS}-trials-table`);
  private readonly _message = el('p', `${CSS}-error`);
  private readonly _previous = button('‹ Previous', 'previous-page');
  private readonly _next = button('Next ›', 'next-page');
  private readonly _pageLabel = el('span', `${CSS}-page`, 'Page 1');
  private readonly _note = el('span', `${CSS}-pager-note`, 'Sorted by objective: trials without one are not listed.');
  private readonly _pages = new PageTokens();
  private _sortBy: TrialSortKey = 'CreationTime';
  private _sortOrder: SortOrder = 'Descending';
  private _hps: string[] = [];
  private _metric = '';
  private _objectiveType: ObjectiveType = 'Minimize';
  private _best: string | null = null;
  private _rows: ITrialSummary[] = [];
  private _seq = 0;
}
