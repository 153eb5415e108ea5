/**
 * The "Endpoints" section of the ML Studio sidebar: endpoints (status,
 * variants, instances) and batch transform jobs (status, progress),
 * refreshed every few seconds while visible.
 */
import type { ISignal } from '@lumino/signaling';

import { plural } from '../s3/format';
import { PolledSection } from '../sidebar/section';
import { errorText } from '../status';
import { formatCreated, formatTimestamp } from '../training/format';
import { isTerminal } from '../training/status';
import type { EndpointsClient } from './client';
import { actionButton, badge, el, placeChildren, progressBar, replaceBadge } from './dom';
import { progressInfo } from './transform';
import type { IDescribeEndpointReply, IEndpointSummary, ITransformJobSummary } from './types';

/** Milliseconds between refreshes while the section is visible. */
export const SECTION_POLL_INTERVAL = 4000;

/** Endpoint rows (`data-name`, `data-status`). */
export const ENDPOINT_ROW_CLASS = 'jp-mlstudio-endpoint-row';

/** Transform job rows (`data-name`, `data-status`). */
export const TRANSFORM_ROW_CLASS = 'jp-mlstudio-transform-row';

/** What the section needs from its plugin. */
export interface IEndpointsSectionOptions {
  client: EndpointsClient;
  openEndpoint: (name: string) => void;
  openTransform: (name: string) => void;
  newEndpoint: () => void;
  newTransform: () => void;
  /** Ask, then delete an endpoint. */
  deleteEndpoint: (name: string) => void;
  /** Ask, then delete an ended transform job. */
  deleteTransform: (name: string) => void;
}

/** Instances of an endpoint: those running, else the desired count. */
export function instanceCount(endpoint: IDescribeEndpointReply): number {
  return endpoint.ProductionVariants.reduce(
    (n, v) => n + (v.Instances ? v.Instances.length : v.CurrentInstanceCount),
    0
  );
}

/** The Endpoints section (root class `jp-mlstudio-endpoints`). */
export class EndpointsSection extends PolledSection {
  constructor(options: IEndpointsSectionOptions) {
    super({
      className: 'jp-mlstudio-endpoints',
      label: 'Endpoints',
      caption: 'Real-time endpoints and batch transform jobs',
      refreshTooltip: 'Refresh endpoints and transform jobs',
      interval: SECTION_POLL_INTERVAL
    });
    this._options = options;

    const newEndpoint = actionButton(
      'New endpoint',
      'new-endpoint',
      'jp-mlstudio-training-button jp-mlstudio-endpoints-new jp-mod-accept'
    );
    newEndpoint.addEventListener('click', () => options.newEndpoint());
    const newTransform = actionButton('New batch transform', 'new-transform');
    newTransform.addEventListener('click', () => options.newTransform());
    const controls = el('div', 'jp-mlstudio-training-controls');
    controls.append(newEndpoint, newTransform);

    this._message.hidden = true;
    this._message.setAttribute('role', 'alert');
    for (const list of [this._endpoints, this._transforms]) {
      list.setAttribute('role', 'list');
      list.addEventListener('click', event => this._click(event));
      list.addEventListener('keydown', event => {
        if (event.key === 'Enter' && !(event.target as Element).closest('button')) {
          this._click(event);
        }
      });
      list.addEventListener('contextmenu', event => {
        this._context = this.rowAt(event.target);
      });
    }
    this._endpointsEmpty.hidden = true;
    this._transformsEmpty.hidden = true;
    this.node.append(
      controls,
      this._message,
      el('h4', 'jp-mlstudio-endpoints-heading', 'Endpoints'),
      this._endpoints,
      this._endpointsEmpty,
      el('h4', 'jp-mlstudio-endpoints-heading', 'Batch transform jobs'),
      this._transforms,
      this._transformsEmpty
    );
  }

  /** The row last right-clicked (for context-menu commands). */
  get contextRow(): { kind: 'endpoint' | 'transform'; name: string; status: string } | null {
    return this._context;
  }

  /** The row containing `target`, if any. */
  rowAt(target: EventTarget | null): { kind: 'endpoint' | 'transform'; name: string; status: string } | null {
    const row = (target as Element | null)?.closest?.(`.${ENDPOINT_ROW_CLASS}, .${TRANSFORM_ROW_CLASS}`) as HTMLElement | null;
    if (!row) {
      return null;
    }
    return {
      kind: row.classList.contains(ENDPOINT_ROW_CLASS) ? 'endpoint' : 'transform',
      name: row.dataset.name ?? '',
      status: row.dataset.status ?? ''
    };
  }

  /** An endpoint or transform job was created, changed or deleted: list again. */
  protected changeSignals(): ISignal<unknown, unknown>[] {
    return [this._options.client.changed];
  }

  protected async load(): Promise<void> {
    const client = this._options.client;
    const [endpoints, transforms] = await Promise.allSettled([client.listEndpoints(), client.listTransformJobs()]);
    if (this.isDisposed) {
      return;
    }
    const errors: string[] = [];
    if (endpoints.status === 'fulfilled') {
      const rows = endpoints.value.Endpoints;
      // Variants and instances are in each endpoint's description.
      const described = await Promise.allSettled(rows.map(e => client.describeEndpoint(e.EndpointName)));
      if (this.isDisposed) {
        return;
      }
      described.forEach(d => {
        if (d.status === 'fulfilled') {
          this._described.set(d.value.EndpointName, d.value);
        }
      });
      this._renderEndpoints(rows);
    } else {
      errors.push(`Could not list endpoints: ${errorText(endpoints.reason)}`);
    }
    if (transforms.status === 'fulfilled') {
      this._renderTransforms(transforms.value.TransformJobSummaries);
    } else {
      errors.push(`Could not list transform jobs: ${errorText(transforms.reason)}`);
    }
    this._message.textContent = errors.join('\n');
    this._message.hidden = errors.length === 0;
  }

  private _click(event: Event): void {
    const row = this.rowAt(event.target);
    if (!row) {
      return;
    }
    const action = ((event.target as Element).closest('button') as HTMLElement | null)?.dataset.action;
    if (action === 'delete') {
      if (row.kind === 'endpoint') {
        this._options.deleteEndpoint(row.name);
      } else {
        this._options.deleteTransform(row.name);
      }
    } else if (row.kind === 'endpoint') {
      this._options.openEndpoint(row.name);
    } else {
      this._options.openTransform(row.name);
    }
  }

  /** The row of `name` in `list`, or a new one. */
  private _row(list: HTMLElement, className: string, name: string): HTMLElement {
    const existing = Array.from(list.children).find(c => (c as HTMLElement).dataset.name === name) as HTMLElement | undefined;
    if (existing) {
      return existing;
    }
    const row = el('li', `jp-mlstudio-endpoints-row ${className}`);
    row.dataset.name = name;
    row.tabIndex = 0;
    row.setAttribute('role', 'listitem');
    const top = el('div', 'jp-mlstudio-training-job-top');
    const remove = actionButton('✕', 'delete', 'jp-mlstudio-training-button jp-mlstudio-training-remove jp-mlstudio-endpoints-delete');
    top.append(el('span', 'jp-mlstudio-training-job-name', name), badge('Loading'), remove);
    row.append(top, el('div', 'jp-mlstudio-training-job-meta'));
    return row;
  }

  /** Set a row's status badge and delete button. */
  private _status(row: HTMLElement, status: string, deletable: boolean, what: string): void {
    row.dataset.status = status;
    replaceBadge(row.querySelector('.jp-mlstudio-training-badge') as HTMLElement, status);
    const remove = row.querySelector('.jp-mlstudio-endpoints-delete') as HTMLButtonElement;
    remove.hidden = !deletable;
    remove.title = `Delete ${what} ${row.dataset.name}`;
    remove.setAttribute('aria-label', remove.title);
  }

  private _renderEndpoints(endpoints: IEndpointSummary[]): void {
    const now = Date.now();
    const names = new Set(endpoints.map(e => e.EndpointName));
    for (const name of Array.from(this._described.keys())) {
      if (!names.has(name)) {
        this._described.delete(name);
      }
    }
    const rows = endpoints.map(e => {
      const row = this._row(this._endpoints, ENDPOINT_ROW_CLASS, e.EndpointName);
      this._status(row, e.EndpointStatus, e.EndpointStatus !== 'Deleting', 'endpoint');
      row.title = `${e.EndpointName}\nCreated ${formatTimestamp(e.CreationTime)}`;
      const described = this._described.get(e.EndpointName);
      const meta: HTMLElement[] = [];
      if (described) {
        const variants = described.ProductionVariants.length;
        meta.push(
          el('span', 'jp-mlstudio-endpoints-variants', plural(variants, 'variant')),
          el('span', 'jp-mlstudio-endpoints-instances', plural(instanceCount(described), 'instance'))
        );
      }
      meta.push(el('span', 'jp-mlstudio-training-job-created', formatCreated(e.CreationTime, now)));
      (row.lastElementChild as HTMLElement).replaceChildren(...meta);
      return row;
    });
    placeChildren(this._endpoints, rows);
    this._endpointsEmpty.textContent = 'No endpoints yet. Deploy a completed training job or a model.tar.gz in S3.';
    this._endpointsEmpty.hidden = rows.length > 0;
  }

  private _renderTransforms(jobs: ITransformJobSummary[]): void {
    const now = Date.now();
    const rows = jobs.map(job => {
      const status = job.TransformJobStatus;
      const row = this._row(this._transforms, TRANSFORM_ROW_CLASS, job.TransformJobName);
      this._status(row, status, isTerminal(status), 'transform job');
      row.title = `${job.TransformJobName}\nCreated ${formatTimestamp(job.CreationTime)}${
        job.FailureReason ? `\n${job.FailureReason}` : ''
      }`;
      const progress = progressInfo(job.Progress, status);
      const meta = row.lastElementChild as HTMLElement;
      meta.replaceChildren(
        progressBar(progress.percent, progress.text),
        el('span', 'jp-mlstudio-training-job-created', formatCreated(job.CreationTime, now))
      );
      return row;
    });
    placeChildren(this._transforms, rows);
    this._transformsEmpty.textContent = 'No batch transform jobs yet.';
    this._transformsEmpty.hidden = rows.length > 0;
  }

  private readonly _options: IEndpointsSectionOptions;
  private readonly _message = el('p', 'jp-mlstudio-training-message');
  private readonly _endpoints = el('ul', 'jp-mlstudio-training-list jp-mlstudio-endpoints-list');
  private readonly _transforms = el('ul', 'jp-mlstudio-training-list jp-mlstudio-transforms-list');
  private readonly _endpointsEmpty = el('p', 'jp-mlstudio-training-empty');
  private readonly _transformsEmpty = el('p', 'jp-mlstudio-training-empty');
  private readonly _described = new Map<string, IDescribeEndpointReply>();
  private _context: { kind: 'endpoint' | 'transform'; name: string; status: string } | null = null;
}
