/**
 * The tuning job's own log in its view (`.jp-mlstudio-tuning-log`): which
 * trials it started and why it stopped them, read on each refresh from
 * where the last read ended.
 */
import type { TuningClient } from './client';
import { CSS, el } from './dom';

/** Pages read in one refresh at most (the rest comes with the next). */
const PAGES_PER_READ = 8;

/** Characters kept on screen (the oldest are dropped beyond it). */
const MAX_CHARS = 200_000;

/** The log box. */
export class TuningLog {
  constructor(private readonly _client: TuningClient, private readonly _name: string) {
    this._text.tabIndex = 0;
    this._text.setAttribute('aria-label', 'Tuning job log');
    this.node.append(this._text);
  }

  readonly node = el('div', `${CSS}-log-box`);

  /** Whether the job has ended and all of the log has been read. */
  get complete(): boolean {
    return this._complete;
  }

  /** Read what was written since the last read; errors wait for the next refresh. */
  async read(): Promise<void> {
    if (this._complete || this._reading) {
      return;
    }
    this._reading = true;
    try {
      for (let page = 0; page < PAGES_PER_READ; page++) {
        const reply = await this._client.log(this._name, this._offset);
        this._append(reply.text);
        this._offset = reply.next_offset;
        this._complete = reply.complete;
        if (!reply.text || reply.complete) {
          break;
        }
      }
    } catch {
      // The description's poll reports server trouble; the next refresh reads again.
    } finally {
      this._reading = false;
    }
  }

  private _append(text: string): void {
    if (!text) {
      return;
    }
    const box = this._text;
    const atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 8;
    const all = (box.textContent ?? '') + text;
    box.textContent = all.length > MAX_CHARS ? all.slice(all.indexOf('\n', all.length - MAX_CHARS) + 1) : all;
    if (atEnd) {
      box.scrollTop = box.scrollHeight;
    }
    this.node.dataset.lines = String((box.textContent ?? '').split('\n').filter(Boolean).length);
  }

  private readonly _text = el('pre', `${CSS}-log`);
  private _offset = 0;
  private _complete = false;
  private _reading = false;
}
