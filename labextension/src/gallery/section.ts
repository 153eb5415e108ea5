/**
 * The "Examples" section of the ML Studio sidebar: counts, the most recent
 * examples and a button that opens the gallery.
 */
import { el } from '../sidebar/dom';
import { FetchedSection } from '../sidebar/section';
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
export class ExamplesSection extends FetchedSection<IListReply> {
  /**
   * @param actions - the gallery's actions (a recent example opens its preview)
   * @param openGallery - opens the gallery view
   */
  constructor(
    private readonly actions: GalleryActions,
    private readonly openGallery: () => void
  ) {
    super({
      className: 'jp-mlstudio-examples',
      label: 'Examples',
      caption: 'Example notebooks: browse, preview, use and share',
      refreshTooltip: 'Refresh the examples'
    });

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

  /** Fetch the examples (to count them and pick the most recent). */
  protected fetch(): Promise<IListReply> {
    return this.actions.client.list(listPath(emptyQuery(), null, SUMMARY_PAGE));
  }

  protected renderError(message: string): void {
    this._counts.textContent = `Cannot list examples: ${message}`;
    this._counts.className = 'jp-mlstudio-examples-counts jp-mod-error';
    this._recent.replaceChildren();
  }

  /** Show the counts and the most recent examples. */
  protected render(reply: IListReply): void {
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
}
