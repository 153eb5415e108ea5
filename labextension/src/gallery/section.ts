/**
 * The "Examples" section of the ML Studio sidebar: counts, the most recent
 * examples and a button that opens the gallery.
 */
import { Toolbar, ToolbarButton, refreshIcon } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { el } from '../sidebar/dom';
import { errorText } from '../status';
import type { GalleryActions } from './actions';
import { formatDate, mostRecent } from './card';
import { countsText } from './counts';
import { galleryIcon } from './icons';
import { emptyQuery, listPath } from './query';
import type { IExample, IListReply } from './types';

/** How many recent examples the section lists. */
export const RECENT_COUNT = 3;

/** Examples fetched to count and pick the recent ones (the server's page limit). */
const SUMMARY_PAGE = 500;

/** The sidebar section. */
export class ExamplesSection extends Widget {
  /**
   * @param actions - the gallery's actions (a recent example opens its preview)
   * @param openGallery - opens the gallery view
   */
  constructor(
    private readonly actions: GalleryActions,
    private readonly openGallery: () => void
  ) {
    super();
    this.addClass('jp-mlstudio-examples');
    this.title.label = 'Examples';
    this.title.caption = 'Example notebooks: browse, preview, use and share';
    this.toolbar.addItem(
      'refresh',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: 'Refresh the examples',
        onClick: () => void this.refresh()
      })
    );

    const open = el(
      'button',
      'jp-mlstudio-gallery-button jp-mod-accept jp-mlstudio-examples-open'
    );
    open.type = 'button';
    open.append(
      galleryIcon.element({
        tag: 'span',
        className: 'jp-mlstudio-examples-open-icon'
      }),
      'Open example gallery'
    );
    open.addEventListener('click', () => this.openGallery());
    this._counts.setAttribute('aria-live', 'polite');
    this._recent.setAttribute('aria-label', 'Recent examples');
    this._recent.addEventListener('click', this._onRecentClick);
    this.node.append(open, this._counts, this._recent);
    actions.client.changed.connect(() => void this.refresh(), this);
  }

  /** Shown in the section's heading. */
  readonly toolbar = new Toolbar();

  /** Fetch the examples and show counts and the most recent ones. */
  async refresh(): Promise<void> {
    const seq = ++this._seq;
    this.node.dataset.state = 'loading';
    try {
      const reply = await this.actions.client.list(
        listPath(emptyQuery(), null, SUMMARY_PAGE)
      );
      if (seq !== this._seq || this.isDisposed) {
        return;
      }
      this._render(reply);
      this.node.dataset.state = 'loaded';
    } catch (error) {
      if (seq !== this._seq || this.isDisposed) {
        return;
      }
      this._counts.textContent = `Cannot list examples: ${errorText(error)}`;
      this._counts.className = 'jp-mlstudio-examples-counts jp-mod-error';
      this._recent.replaceChildren();
      this.node.dataset.state = 'error';
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    Signal.disconnectReceiver(this);
    this.toolbar.dispose();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this.refresh();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      void this.refresh();
    }
  }

  private _render(reply: IListReply): void {
    this._counts.textContent = countsText(reply);
    this._counts.className = 'jp-mlstudio-examples-counts';
    this._examples = mostRecent(reply.examples, RECENT_COUNT);
    this._recent.replaceChildren(
      ...this._examples.map(example => {
        const item = el('li', 'jp-mlstudio-examples-item');
        const link = el('button', 'jp-mlstudio-examples-link', example.title);
        link.type = 'button';
        link.dataset.exampleId = example.id;
        link.title = `Preview “${example.title}”${example.summary ? `: ${example.summary}` : ''}`;
        item.append(
          link,
          el('span', 'jp-mlstudio-examples-date', formatDate(example.modified))
        );
        return item;
      })
    );
  }

  private readonly _onRecentClick = (event: MouseEvent): void => {
    const button = (event.target as HTMLElement | null)?.closest<HTMLElement>(
      '[data-example-id]'
    );
    const example = this._examples.find(
      e => e.id === button?.dataset.exampleId
    );
    if (example) {
      this.actions.preview(example);
    }
  };

  private readonly _counts = el('p', 'jp-mlstudio-examples-counts');
  private readonly _recent = el('ul', 'jp-mlstudio-examples-recent');
  private _examples: IExample[] = [];
  private _seq = 0;
}
