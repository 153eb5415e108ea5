/**
 * The view of one endpoint (`.jp-mlstudio-endpoint-view[data-status]`):
 * header with status and Delete, the runtime URL with a boto3 snippet, the
 * failure reason, and the Overview, Test, Charts and Logs tabs. Polls the
 * description every 2 s while visible.
 */
import { ResourceView, type IResourceViewProps } from '../training/resourceview';
import { confirmDeleteEndpoint } from './actions';
import { ChartsTab } from './chartstab';
import type { EndpointsClient } from './client';
import { actionButton, el, showFailure, viewHeader } from './dom';
import { boto3Snippet } from './invoke';
import { LogsTab } from './logstab';
import { OverviewTab } from './overviewtab';
import { TestTab } from './testtab';
import type { IDescribeEndpointReply } from './types';

/** Milliseconds between description refreshes while the view shows. */
export const ENDPOINT_POLL_INTERVAL = 2000;

/** The tabs, in order. */
export const ENDPOINT_TABS = ['Overview', 'Test', 'Charts', 'Logs'] as const;
export type EndpointTab = (typeof ENDPOINT_TABS)[number];

/** The DOM id of an endpoint's view. */
export function endpointViewId(name: string): string {
  return `jp-mlstudio-endpoint-${name}`;
}

/** What the view needs from its plugin. */
export interface IEndpointViewOptions extends IResourceViewProps<EndpointsClient> {
  /** Copy text to the clipboard and say so. */
  copy: (text: string) => void;
}

let viewCount = 0;

/** An endpoint view. */
export class EndpointView extends ResourceView {
  constructor(options: IEndpointViewOptions) {
    super({
      name: options.name,
      kind: 'endpoint',
      noun: 'endpoint',
      interval: ENDPOINT_POLL_INTERVAL,
      className: 'jp-mlstudio-endpoint-view',
      deleted: options.deleted
    });
    this._options = options;
    const client = options.client;
    this._overview = new OverviewTab(client, this.name, () => void this.refresh());
    this._test = new TestTab(client, this.name);
    this._charts = new ChartsTab(client, this.name);
    this._logs = new LogsTab(client, this.name);

    this._delete.addEventListener('click', () => void this._deleteEndpoint());
    const header = viewHeader(this.name, [this.badgeNode, this._config], [this._delete]);

    this._runtime.hidden = true;

    const id = `jp-mlstudio-endpoint-view-${++viewCount}`;
    this._tabBar.setAttribute('role', 'tablist');
    this._tabBar.setAttribute('aria-label', 'Endpoint');
    const panels = { Overview: this._overview.node, Test: this._test.node, Charts: this._charts.node, Logs: this._logs.node };
    for (const tab of ENDPOINT_TABS) {
      const button = el('button', 'jp-mlstudio-endpoints-tab-button', tab);
      button.type = 'button';
      button.id = `${id}-tab-${tab}`;
      button.dataset.tab = tab;
      button.setAttribute('role', 'tab');
      const panel = panels[tab];
      panel.id = `${id}-panel-${tab}`;
      panel.setAttribute('role', 'tabpanel');
      panel.setAttribute('aria-labelledby', button.id);
      button.setAttribute('aria-controls', panel.id);
      button.addEventListener('click', () => this.select(tab));
      this._tabButtons.set(tab, button);
      this._tabBar.append(button);
    }
    this._tabBar.addEventListener('keydown', event => this._tabKey(event));

    const inner = el('div', 'jp-mlstudio-training-view-inner');
    inner.append(header, this.message, this.failure, this._runtime, this._tabBar, ...Object.values(panels));
    this.node.append(inner);
    this.select('Overview');
    client.changed.connect(this._onChanged, this);
  }

  /** The latest description, once loaded. */
  get endpoint(): IDescribeEndpointReply | null {
    return this._endpoint;
  }

  /** The tab shown. */
  get tab(): EndpointTab {
    return this._tab;
  }

  /** Show a tab. */
  select(tab: EndpointTab): void {
    this._tab = tab;
    for (const [name, button] of this._tabButtons) {
      const selected = name === tab;
      button.setAttribute('aria-selected', selected ? 'true' : 'false');
      button.tabIndex = selected ? 0 : -1;
      button.classList.toggle('jp-mod-current', selected);
      this._panelOf(name).hidden = !selected;
    }
    this._syncTabPolling();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._charts.dispose();
    this._logs.dispose();
    this._options.client.changed.disconnect(this._onChanged, this);
    super.dispose();
  }

  private _panelOf(tab: EndpointTab): HTMLElement {
    return { Overview: this._overview.node, Test: this._test.node, Charts: this._charts.node, Logs: this._logs.node }[tab];
  }

  private _tabKey(event: KeyboardEvent): void {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) {
      return;
    }
    event.preventDefault();
    const i = ENDPOINT_TABS.indexOf(this._tab);
    const next = ENDPOINT_TABS[(i + step + ENDPOINT_TABS.length) % ENDPOINT_TABS.length];
    this.select(next);
    this._tabButtons.get(next)?.focus();
  }

  /** The Charts and Logs tabs poll only while shown in a visible view. */
  private _syncTabPolling(): void {
    const active = this._active && !this.gone;
    if (active && this._tab === 'Charts') {
      this._charts.show();
    } else {
      this._charts.hide();
    }
    if (active && this._tab === 'Logs') {
      this._logs.show();
    } else {
      this._logs.hide();
    }
  }

  private _onChanged(_: EndpointsClient, change: { kind: string; name: string }): void {
    if (change.kind === 'endpoint' && change.name === this.name && this._active) {
      void this.refresh();
    }
  }

  protected resume(): void {
    if (this.gone) {
      return;
    }
    this._active = true;
    super.resume();
    this._syncTabPolling();
  }

  protected pause(): void {
    this._active = false;
    super.pause();
    this._syncTabPolling();
  }

  protected async load(): Promise<void> {
    const endpoint = await this.fetchDescription(() => this._options.client.describeEndpoint(this.name));
    if (!endpoint) {
      return;
    }
    const previous = this._endpoint?.EndpointStatus;
    this._endpoint = endpoint;
    this._render(endpoint);
    if (previous && previous !== endpoint.EndpointStatus) {
      this._options.client.report({ kind: 'endpoint', name: this.name });
    }
    if (this._polls++ % 3 === 0 || previous !== endpoint.EndpointStatus) {
      await this._overview.refreshActivities();
    }
  }

  /** A gone endpoint has nothing left to delete. */
  protected loadFailed(error: unknown): boolean {
    const gone = super.loadFailed(error);
    if (gone) {
      this._delete.hidden = true;
    }
    return gone;
  }

  private _render(endpoint: IDescribeEndpointReply): void {
    const status = endpoint.EndpointStatus;
    this.showStatus(status);
    this._config.textContent = `config ${endpoint.EndpointConfigName}`;
    this._delete.hidden = status === 'Deleting';
    showFailure(this.failure, status === 'Failed' ? 'Failure reason' : 'Last problem', endpoint.FailureReason);
    this._renderRuntime(endpoint.RuntimeUrl);
    this._overview.update(endpoint);
    this._test.update(endpoint);
  }

  private _renderRuntime(url: string | null): void {
    this._runtime.hidden = !url;
    if (!url || this._runtime.dataset.url === url) {
      return;
    }
    this._runtime.dataset.url = url;
    const snippet = boto3Snippet(url, this.name);
    const copyUrl = actionButton('Copy URL', 'copy-url');
    copyUrl.addEventListener('click', () => this._options.copy(url));
    const copySnippet = actionButton('Copy snippet', 'copy-snippet');
    copySnippet.addEventListener('click', () => this._options.copy(snippet));
    const line = el('div', 'jp-mlstudio-training-output');
    line.append(
      el('span', 'jp-mlstudio-training-output-label', 'Runtime URL'),
      el('code', 'jp-mlstudio-training-output-uri', url),
      copyUrl,
      copySnippet
    );
    const details = el('details', 'jp-mlstudio-endpoints-snippet');
    details.append(el('summary', '', 'Call it from Python (boto3)'), el('pre', 'jp-mlstudio-training-log jp-mlstudio-endpoints-snippet-code', snippet));
    this._runtime.replaceChildren(line, details);
  }

  private _deleteEndpoint(): Promise<void> {
    return this.deleteWith(() => confirmDeleteEndpoint(this._options.client, this.name), this._delete);
  }

  private readonly _options: IEndpointViewOptions;
  private readonly _overview: OverviewTab;
  private readonly _test: TestTab;
  private readonly _charts: ChartsTab;
  private readonly _logs: LogsTab;
  private readonly _delete = actionButton('Delete', 'delete', 'jp-mlstudio-training-button jp-mod-warn');
  private readonly _config = el('span', 'jp-mlstudio-training-view-secondary');
  private readonly _runtime = el('div', 'jp-mlstudio-endpoints-runtime');
  private readonly _tabBar = el('div', 'jp-mlstudio-endpoints-tabbar');
  private readonly _tabButtons = new Map<EndpointTab, HTMLButtonElement>();
  private _tab: EndpointTab = 'Overview';
  private _endpoint: IDescribeEndpointReply | null = null;
  private _active = false;
  private _polls = 0;
}
