/**
 * The "Overview" section: every part of the server status with a health dot.
 */
import { Widget } from '@lumino/widgets';

import type { IMLStudio } from '../tokens';
import { statusItems, type StatusState } from '../status';
import { el, healthDot } from './dom';

/** The overview section; follows the status of the `IMLStudio` it is given. */
export class OverviewSection extends Widget {
  constructor(studio: IMLStudio) {
    super();
    this.addClass('jp-mlstudio-overview');
    this.title.label = 'Overview';
    this.title.caption = 'ML Studio server status';
    studio.statusChanged.connect((_, state) => this.render(state), this);
    this.render(studio.status);
  }

  /** Show a status state. */
  render(state: StatusState): void {
    const children: HTMLElement[] = [];
    if (state.kind === 'loading') {
      children.push(el('p', 'jp-mlstudio-overview-note', 'Loading status…'));
    } else if (state.kind === 'error' && !state.lastReply) {
      // The header shows the error itself.
      children.push(el('p', 'jp-mlstudio-overview-note', 'No status to show.'));
    }
    const reply =
      state.kind === 'loaded'
        ? state.reply
        : state.kind === 'error'
          ? state.lastReply
          : null;
    if (reply) {
      if (state.kind === 'error') {
        children.push(el('p', 'jp-mlstudio-overview-note', 'Last known status:'));
      }
      const list = el('ul', 'jp-mlstudio-overview-list');
      for (const item of statusItems(reply)) {
        const row = el('li', 'jp-mlstudio-overview-item');
        const text = el('div', 'jp-mlstudio-overview-text');
        const head = el('div', 'jp-mlstudio-overview-head');
        head.append(
          el('span', 'jp-mlstudio-overview-label', item.label),
          el('span', 'jp-mlstudio-overview-value', item.value)
        );
        head.title = item.value;
        text.append(head);
        if (item.detail) {
          text.append(el('div', 'jp-mlstudio-overview-detail', item.detail));
        }
        row.append(healthDot(item.healthy), text);
        list.append(row);
      }
      children.push(list);
    }
    this.node.replaceChildren(...children);
  }
}
