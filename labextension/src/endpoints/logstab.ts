/**
 * The Logs tab of an endpoint view: the end of each instance's model-server
 * log, refreshed while the tab shows.
 */
import { errorText } from '../status';
import type { EndpointsClient } from './client';
import { actionButton, el } from './dom';
import { PolledTab } from './polledtab';
import type { IEndpointLogsReply } from './types';

/** Milliseconds between refreshes while the tab shows. */
export const LOGS_POLL_INTERVAL = 5000;

/** Pixels from the bottom that still count as "at the end". */
const STICK_SLACK = 8;

/** The Logs tab. */
export class LogsTab extends PolledTab {
  constructor(private readonly _client: EndpointsClient, private readonly _name: string) {
    super(LOGS_POLL_INTERVAL);
    this.node.classList.add('jp-mlstudio-endpoints-logs');
    const refresh = actionButton('Refresh', 'refresh-logs');
    refresh.addEventListener('click', () => void this.poller.trigger());
    const actions = el('div', 'jp-mlstudio-endpoints-actions');
    actions.append(refresh, this._status);
    this._status.setAttribute('role', 'status');
    this.node.append(actions, this._list);
  }

  protected async fetch(): Promise<void> {
    try {
      this._render(await this._client.logs(this._name));
      this._status.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      this._status.classList.remove('jp-mod-error');
    } catch (error) {
      this._status.textContent = `Could not load the logs: ${errorText(error)}`;
      this._status.classList.add('jp-mod-error');
    }
  }

  /** One block per instance, updated in place so scroll positions stay. */
  private _render(reply: IEndpointLogsReply): void {
    const logs = reply.Logs ?? [];
    if (!logs.length) {
      this._list.replaceChildren(el('p', 'jp-mlstudio-training-muted', 'No instances are running, so there are no logs to show.'));
      this._blocks.clear();
      return;
    }
    const blocks = logs.map(log => {
      const key = `${log.VariantName}/${log.InstanceId}`;
      let block = this._blocks.get(key);
      if (!block) {
        const root = el('section', 'jp-mlstudio-endpoints-log');
        root.dataset.instance = key;
        const pre = el('pre', 'jp-mlstudio-training-log jp-mlstudio-endpoints-log-text');
        pre.tabIndex = 0;
        pre.setAttribute('aria-label', `Log of ${key}`);
        root.append(el('h4', 'jp-mlstudio-training-settings-title', `${log.VariantName} · ${log.InstanceId}`), pre);
        block = { root, pre };
        this._blocks.set(key, block);
      }
      const pre = block.pre;
      const atEnd = pre.scrollHeight - pre.scrollTop - pre.clientHeight <= STICK_SLACK;
      const text = log.Text || '(no output yet)';
      if (pre.textContent !== text) {
        pre.textContent = text;
        if (atEnd) {
          pre.scrollTop = pre.scrollHeight;
        }
      }
      return block.root;
    });
    const keys = new Set(logs.map(l => `${l.VariantName}/${l.InstanceId}`));
    for (const key of Array.from(this._blocks.keys())) {
      if (!keys.has(key)) {
        this._blocks.delete(key);
      }
    }
    const same = blocks.length === this._list.children.length && blocks.every((b, i) => this._list.children[i] === b);
    if (!same) {
      // Moving a block would reset its scroll position: only when the instances change.
      this._list.replaceChildren(...blocks);
    }
  }

  private readonly _status = el('span', 'jp-mlstudio-endpoints-message');
  private readonly _list = el('div', 'jp-mlstudio-endpoints-log-list');
  private readonly _blocks = new Map<string, { root: HTMLElement; pre: HTMLElement }>();
}
