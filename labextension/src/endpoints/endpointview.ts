/**
 * The view of one endpoint (`.jp-mlstudio-endpoint-view[data-status]`):
 * header with status and Delete, the runtime URL with a boto3 snippet, the
 * failure reason, and the Overview, Test, Charts and Logs tabs. Polls the
 * description every 2 s while visible.
 */
import { IntervalPoller } from '../poller';
import { APIError } from '../reply';
import { errorText } from '../status';
import { VisibleWidget } from '../visiblewidget';
import { confirmDeleteEndpoint } from './actions';
import { ChartsTab } from './chartstab';
import type { EndpointsClient } from './client';
import { actionButton, badge, el, showFailure, viewHeader } from './dom';
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
export interface IEndpointViewOptions {
  client: EndpointsClient;
  name: string;
  /** Copy text to the clipboard and say so. */
  copy: (text: string) => void;
  /** Called after the endpoint was deleted (the view should close). */
  deleted: () => void;
}

let viewCount = 0;

/** An endpoint view. */
export class EndpointView extends VisibleWidget {
  constructor(options: IEndpointViewOptions) {
    super();
    this._options = options;
    this.name = options.name;
    this.addClass('jp-mlstudio-training-view');
    this.addClass('jp-mlstudio-endpoint-view');
    this.node.dataset.status = 'loading';
    this.node.tabIndex = -1;
    const client = options.client;
    this._poller = new IntervalPoller(() => this._refresh(), ENDPOINT_POLL_INTERVAL);
    this._overview = new OverviewTab(client, this.name, () => void this.refresh());
    this._test = new TestTab(client, this.name);
    this._charts = new ChartsTab(client, this.name);
    this._logs = new LogsTab(client, this.name);

    this._delete.addEventListener('click', () => void this._deleteEndpoint());
    const header = viewHeader(this.name, [this._badge, this._config], [this._delete]);

    this._message.hidden = true;
    this._message.setAttribute('role', 'alert');
    this._failure.hidden = true;
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
    inner.append(header, this._message, this._failure, this._runtime, this._tabBar, ...Object.values(panels));
    this.node.append(inner);
    this.select('Overview');
    client.changed.connect(this._onChanged, this);
  }

  /** The endpoint's name. */
  readonly name: string;

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

  /** Fetch the description now. */
  refresh(): Promise<void> {
    return this._poller.trigger();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._pause();
    this._charts.dispose();
    this._logs.dispose();
    this._options.client.changed.disconnect(this._onChanged, this);
    super.dispose();
  }

  protected onShown(): void {
    this._resume();
  }

  protected onHidden(): void {
    this._pause();
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
    const active = this._active && !this._gone;
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

  private _resume(): void {
    if (this._gone) {
      return;
    }
    this._active = true;
    void this._poller.start();
    this._syncTabPolling();
  }

  private _pause(): void {
    this._active = false;
    this._poller.stop();
    this._syncTabPolling();
  }

  private async _refresh(): Promise<void> {
    let endpoint: IDescribeEndpointReply;
    try {
      endpoint = await this._options.client.describeEndpoint(this.name);
    } catch (error) {
      if (error instanceof APIError && error.status === 404) {
        this._gone = true;
        this._pause();
        this.node.dataset.status = 'missing';
        this._showMessage(`There is no endpoint named “${this.name}” (it may have been deleted).`);
        this._delete.hidden = true;
      } else {
        this._showMessage(`Could not load the endpoint: ${errorText(error)}`);
      }
      return;
    }
    if (this.isDisposed) {
      return;
    }
    const previous = this._endpoint?.EndpointStatus;
    this._endpoint = endpoint;
    this._showMessage('');
    this._render(endpoint);
    if (previous && previous !== endpoint.EndpointStatus) {
      this._options.client.report({ kind: 'endpoint', name: this.name });
    }
    if (this._polls++ % 3 === 0 || previous !== endpoint.EndpointStatus) {
      await this._overview.refreshActivities();
    }
  }

  private _render(endpoint: IDescribeEndpointReply): void {
    const status = endpoint.EndpointStatus;
    this.node.dataset.status = status;
    if (this._badge.dataset.status !== status) {
      this._badge.replaceWith((this._badge = badge(status)));
    }
    this._config.textContent = `config ${endpoint.EndpointConfigName}`;
    this._delete.hidden = status === 'Deleting';
    showFailure(this._failure, status === 'Failed' ? 'Failure reason' : 'Last problem', endpoint.FailureReason);
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

  private _showMessage(text: string): void {
    this._message.textContent = text;
    this._message.hidden = text === '';
  }

  private async _deleteEndpoint(): Promise<void> {
    this._delete.disabled = true;
    try {
      if (await confirmDeleteEndpoint(this._options.client, this.name)) {
        this._gone = true;
        this._pause();
        this._options.deleted();
      }
    } catch (error) {
      this._showMessage(`Could not delete the endpoint: ${errorText(error)}`);
    } finally {
      this._delete.disabled = false;
    }
  }

  private readonly _options: IEndpointViewOptions;
  private readonly _poller: IntervalPoller;
  private readonly _overview: OverviewTab;
  private readonly _test: TestTab;
  private readonly _charts: ChartsTab;
  private readonly _logs: LogsTab;
  private readonly _delete = actionButton('Delete', 'delete', 'jp-mlstudio-training-button jp-mod-warn');
  private _badge: HTMLElement = badge('Loading');
  private readonly _config = el('span', 'jp-mlstudio-training-view-secondary');
  private readonly _message = el('p', 'jp-mlstudio-training-view-message');
  private readonly _failure = el('div', 'jp-mlstudio-training-failure');
  private readonly _runtime = el('div', 'jp-mlstudio-endpoints-runtime');
  private readonly _tabBar = el('div', 'jp-mlstudio-endpoints-tabbar');
  private readonly _tabButtons = new Map<EndpointTab, HTMLButtonElement>();
  private _tab: EndpointTab = 'Overview';
  private _endpoint: IDescribeEndpointReply | null = null;
  private _active = false;
  private _gone = false;
  private _polls = 0;
}
