/**
 * The preview of an example: its sanitised HTML in an iframe that may run
 * nothing (`sandbox=""`, no `allow-scripts`).
 */
import { Widget } from '@lumino/widgets';

import { el } from '../sidebar/dom';
import { errorText } from '../status';

/** Shows an HTML page fetched by `load`, or why it could not be fetched. */
export class PreviewView extends Widget {
  /**
   * @param load - resolves with the page's HTML
   * @param title - the example's title, for the iframe's accessible name
   */
  constructor(
    private readonly load: () => Promise<string>,
    title: string
  ) {
    super();
    this.addClass('jp-mlstudio-preview-view');
    this._frame.setAttribute('sandbox', '');
    this._frame.setAttribute('referrerpolicy', 'no-referrer');
    this._frame.title = `Preview of ${title}`;
    this._frame.className = 'jp-mlstudio-preview-frame';
    this._message.setAttribute('role', 'status');
    this.node.append(this._message, this._frame);
    void this.reload();
  }

  /** Fetch the page again and show it. */
  async reload(): Promise<void> {
    this.node.dataset.state = 'loading';
    this._message.className = 'jp-mlstudio-preview-message';
    this._message.textContent = 'Loading preview…';
    this._message.hidden = false;
    try {
      const html = await this.load();
      if (this.isDisposed) {
        return;
      }
      this._frame.srcdoc = html;
      this._frame.hidden = false;
      this._message.hidden = true;
      this.node.dataset.state = 'loaded';
    } catch (error) {
      if (this.isDisposed) {
        return;
      }
      this._frame.hidden = true;
      this._message.className = 'jp-mlstudio-preview-message jp-mod-error';
      this._message.textContent = `Cannot preview this example: ${errorText(error)}`;
      this.node.dataset.state = 'error';
    }
  }

  private readonly _frame = el('iframe');
  private readonly _message = el('p', 'jp-mlstudio-preview-message');
}
