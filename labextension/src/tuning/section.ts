/**
 * The "Tuning" section of the ML Studio sidebar: tuning jobs with status,
 * best objective and trials done of the limit; New and Refresh; polled while
 * visible. A row opens the job's view.
 */
import type { ISignal } from '@lumino/signaling';

import { PolledSection } from '../sidebar/section';
import { errorText } from '../status';
import { formatCreated, formatTimestamp } from '../training/format';
import type { TuningClient } from './client';
import { badge, button, CSS, el, outer, placeChildren, searchBox, select, swapBadge } from './dom';
import { formatObjective, isActive, objectiveValue, statusLabel, trialsText, TUNING_STATUSES } from './status';
import type { ITuningJobSummary } from './types';

/** Milliseconds between list refreshes while the section is visible. */
export const TUNING_LIST_INTERVAL = 5000;

/** Jobs per page. */
const PAGE_SIZE = 50;

/** How many jobs' best objective are looked up at once. */
const DESCRIBE_BATCH = 4;

/** What the section needs from its plugin. */
export interface ITuningSectionOptions {
  client: TuningClient;
  openJob: (name: string) => void;
  newJob: () => void;
}

/** The best objective of a job, as known at its `LastModifiedTime`. */
interface IBestEntry {
  stamp: string;
  best: number | null;
  metric: string;
}

/** The Tuning section (root class `jp-mlstudio-tuning`). */
export class TuningSection extends PolledSection {
  constructor(options: ITuningSectionOptions) {
    super({
      className: CSS,
      label: 'Tuning',
      caption: 'Hyperparameter tuning jobs: create, follow, stop and clone',
      refreshTooltip: 'Refresh tuning jobs',
      interval: TUNING_LIST_INTERVAL
    });
    this._options = options;
    const create = button('New tuning job', 'new-tuning-job', 'accept');
    create.addEventListener('click', () => options.newJob());
    this._status = select('status', [['', 'All statuses'], ...TUNING_STATUSES.map(s => [s, statusLabel(s)] as const)], '');
    this._status.setAttribute('aria-label', 'Filter by status');
    this._status.addEventListener('change', () => this._restart());
    this._search = searchBox('Search tuning jobs by name', 'Search by name', () => this._restart());
    const bar = el('div', `${CSS}-controls`);
    bar.append(create, outer(this._status), this._search.node);

    this._list.setAttribute('role', 'list');
    this._list.addEventListener('click', event => this._activate(event));
    this._list.addEventListener('keydown', event => event.key === 'Enter' && this._activate(event));
    this._more.addEventListener('click', () => void this._loadMore());
    this._more.hidden = true;
    this._error.setAttribute('role', 'alert');
    this._error.hidden = true;
    this._empty.hidden = true;
    this.node.append(bar, this._error, this._list, this._empty, this._more);
  }

  dispose(): void {
    this._search.cancel();
    super.dispose();
  }

  protected changeSignals(): ISignal<unknown, unknown>[] {
    return [this._options.client.changed];
  }

  /** Fetch the shown pages again (the first one; more when more were loaded). */
  protected async load(): Promise<void> {
    const generation = this._generation;
    try {
      const reply = await this._options.client.list({
        ...this._filter(),
        maxResults: Math.max(PAGE_SIZE, Math.min(100, this._jobs.length))
      });
      if (generation !== this._generation || this.isDisposed) {
        return;
      }
      this._jobs = reply.HyperParameterTuningJobSummaries;
      this._next = reply.NextToken ?? null;
      this._loaded = true;
      this._say('');
      this._render();
      void this._lookUpBest(generation);
    } catch (error) {
      if (generation === this._generation) {
        this._say(`Could not list tuning jobs: ${errorText(error)}`);
      }
    }
  }

  private _filter(): { nameContains: string; status: string } {
    return { nameContains: this._search.node.value, status: this._status.value };
  }

  /** New filters: start again from the first page. */
  private _restart(): void {
    this._generation++;
    this._jobs = [];
    this._next = null;
    this._loaded = false;
    void this.refresh();
  }

  private async _loadMore(): Promise<void> {
    if (!this._next) {
      return;
    }
    const generation = this._generation;
    this._more.disabled = true;
    try {
      const reply = await this._options.client.list({ ...this._filter(), maxResults: PAGE_SIZE, nextToken: this._next });
      if (generation === this._generation) {
        const known = new Set(this._jobs.map(j => j.HyperParameterTuningJobName));
        this._jobs.push(...reply.HyperParameterTuningJobSummaries.filter(j => !known.has(j.HyperParameterTuningJobName)));
        this._next = reply.NextToken ?? null;
        this._render();
        void this._lookUpBest(generation);
      }
    } catch (error) {
      this._say(`Could not load more tuning jobs: ${errorText(error)}`);
    } finally {
      this._more.disabled = false;
    }
  }

  /**
   * The list reply has no best objective (SageMaker's summaries do not):
   * describe the jobs whose best is unknown or may have changed since.
   */
  private async _lookUpBest(generation: number): Promise<void> {
    const stale = this._jobs.filter(job => {
      if (job.BestTrainingJob !== undefined) {
        return false;
      }
      const known = this._best.get(job.HyperParameterTuningJobName);
      return !known || known.stamp !== stamp(job);
    });
    for (let i = 0; i < stale.length; i += DESCRIBE_BATCH) {
      const batch = stale.slice(i, i + DESCRIBE_BATCH);
      await Promise.all(
        batch.map(async job => {
          try {
            const reply = await this._options.client.describe(job.HyperParameterTuningJobName);
            this._best.set(job.HyperParameterTuningJobName, {
              stamp: stamp(job),
              best: objectiveValue(reply.BestTrainingJob),
              metric: reply.HyperParameterTuningJobConfig?.HyperParameterTuningJobObjective?.MetricName ?? ''
            });
          } catch {
            // Shown as unknown; the next refresh tries again.
          }
        })
      );
      if (generation !== this._generation || this.isDisposed) {
        return;
      }
      this._render();
    }
  }

  private _say(message: string): void {
    this._error.textContent = message;
    this._error.hidden = message === '';
  }

  private _activate(event: Event): void {
    const row = (event.target as Element | null)?.closest?.(`.${CSS}-job`) as HTMLElement | null;
    if (row?.dataset.name) {
      this._options.openJob(row.dataset.name);
    }
  }

  /** Update the rows in place, keyed by name, so focus and scroll stay. */
  private _render(): void {
    const now = Date.now();
    const rows = new Map<string, HTMLElement>();
    for (const child of Array.from(this._list.children) as HTMLElement[]) {
      rows.set(child.dataset.name ?? '', child);
    }
    placeChildren(
      this._list,
      this._jobs.map(job => {
        const row = rows.get(job.HyperParameterTuningJobName) ?? this._row(job.HyperParameterTuningJobName);
        this._fill(row, job, now);
        return row;
      })
    );
    const filtered = this._search.node.value.trim() !== '' || this._status.value !== '';
    this._empty.textContent = filtered
      ? 'No tuning jobs match.'
      : 'No tuning jobs yet. “New tuning job” searches hyperparameters of an existing training job.';
    this._empty.hidden = !this._loaded || this._jobs.length > 0;
    this._more.hidden = !this._next;
  }

  private _row(name: string): HTMLElement {
    const row = el('li', `${CSS}-job`);
    row.dataset.name = name;
    row.tabIndex = 0;
    row.setAttribute('role', 'listitem');
    const head = el('div', `${CSS}-job-head`);
    head.append(el('span', `${CSS}-job-name`, name), badge('Loading'));
    row.append(head, el('div', `${CSS}-job-meta`));
    return row;
  }

  private _fill(row: HTMLElement, job: ITuningJobSummary, now: number): void {
    const name = job.HyperParameterTuningJobName;
    const status = job.HyperParameterTuningJobStatus;
    row.dataset.status = status;
    row.title = `${name}\n${job.Strategy} search, created ${formatTimestamp(job.CreationTime)}`;
    (row.querySelector(`.${CSS}-job-name`) as HTMLElement).title = name;
    swapBadge(row.querySelector(`.${CSS}-badge`) as HTMLElement, status);
    const known = this._best.get(name);
    const best = job.BestTrainingJob !== undefined ? objectiveValue(job.BestTrainingJob) : known?.best ?? null;
    const bestText = el('span', `${CSS}-job-best`, `best ${formatObjective(best)}`);
    bestText.title = known?.metric ? `Best ${known.metric} so far` : 'Best objective value so far';
    const trials = el(
      'span',
      `${CSS}-job-trials`,
      trialsText(job.TrainingJobStatusCounters, job.ResourceLimits?.MaxNumberOfTrainingJobs)
    );
    trials.title = isActive(status) ? 'Trials ended, of the most this job runs' : 'Trials run';
    const meta = row.lastElementChild as HTMLElement;
    meta.replaceChildren(
      el('span', `${CSS}-job-strategy`, job.Strategy),
      trials,
      bestText,
      el('span', `${CSS}-job-created`, formatCreated(job.CreationTime, now))
    );
  }

  private readonly _options: ITuningSectionOptions;
  private readonly _status: HTMLSelectElement;
  private readonly _search: ReturnType<typeof searchBox>;
  private readonly _list = el('ul', `${CSS}-list`);
  private readonly _empty = el('p', `${CSS}-muted ${CSS}-empty`);
  private readonly _error = el('p', `${CSS}-error`);
  private readonly _more = button('Load more', 'load-more');
  private readonly _best = new Map<string, IBestEntry>();
  private _jobs: ITuningJobSummary[] = [];
  private _next: string | null = null;
  private _loaded = false;
  private _generation = 0;
}

/** What changes when a job's best objective may have changed. */
function stamp(job: ITuningJobSummary): string {
  const c = job.ObjectiveStatusCounters ?? {};
  return `${job.HyperParameterTuningJobStatus}|${job.LastModifiedTime ?? ''}|${c.Succeeded ?? 0}`;
}
