/**
 * The log tail of a job view (`.jp-mlstudio-training-log`): one element per
 * line, at most the buffer's line cap in the DOM, following the end unless
 * the user has scrolled up.
 */
import { el } from './dom';
import { LogBuffer, type ILogUpdate } from './logbuffer';

/** Pixels from the bottom that still count as "at the end". */
const STICK_SLACK = 8;

/** The log panel; feed it with `apply(buffer.accept(…))`. */
export class LogView {
  constructor(readonly buffer: LogBuffer = new LogBuffer()) {
    this.node = el('div', 'jp-mlstudio-training-logbox');
    this._log.tabIndex = 0;
    this._log.setAttribute('role', 'log');
    this._log.setAttribute('aria-label', 'Training log');
    this._log.addEventListener('scroll', () => this._onScroll());
    this._jump.type = 'button';
    this._jump.hidden = true;
    this._jump.addEventListener('click', () => this.scrollToEnd());
    this._note.hidden = true;
    this._placeholder.textContent = 'Waiting for log output…';
    this._log.append(this._placeholder);
    this.node.append(this._note, this._log, this._jump);
  }

  /** The root element. */
  readonly node: HTMLElement;

  /** Apply an update from the buffer (null, for a stale reply, is ignored). */
  apply(update: ILogUpdate | null): void {
    if (!update) {
      return;
    }
    const stick = this._stick;
    if (update.replaceLast !== null && this._log.lastElementChild && this._log.lastElementChild !== this._placeholder) {
      this._log.lastElementChild.textContent = update.replaceLast;
    }
    if (update.append.length) {
      this._placeholder.remove();
      const fragment = document.createDocumentFragment();
      for (const line of update.append) {
        fragment.append(el('div', 'jp-mlstudio-training-log-line', line || '\u200b'));
      }
      this._log.append(fragment);
    }
    for (let i = 0; i < update.dropFirst && this._log.firstElementChild; i++) {
      this._log.firstElementChild.remove();
    }
    this._log.dataset.lines = String(this.buffer.lines.length);
    if (this.buffer.dropped) {
      this._note.hidden = false;
      this._note.textContent = `Showing the last ${this.buffer.lines.length.toLocaleString()} lines (${this.buffer.dropped.toLocaleString()} earlier lines not shown).`;
    }
    if (stick) {
      this.scrollToEnd();
    }
  }

  /** Show why the log cannot be read right now ('' clears it). */
  setStatus(text: string): void {
    this._placeholder.textContent = text || 'Waiting for log output…';
    this.node.dataset.error = text ? 'true' : 'false';
  }

  /** Mark the log complete (the job ended and everything was read). */
  setComplete(): void {
    this.node.dataset.complete = 'true';
    if (!this.buffer.lines.length) {
      this._placeholder.textContent = 'The job wrote no log output.';
    }
  }

  /** Scroll to the newest line and follow from there. */
  scrollToEnd(): void {
    this._log.scrollTop = this._log.scrollHeight;
    this._stick = true;
    this._jump.hidden = true;
  }

  private _onScroll(): void {
    const log = this._log;
    this._stick = log.scrollHeight - log.scrollTop - log.clientHeight <= STICK_SLACK;
    this._jump.hidden = this._stick;
  }

  private readonly _log = el('div', 'jp-mlstudio-training-log');
  private readonly _note = el('div', 'jp-mlstudio-training-log-note');
  private readonly _placeholder = el('div', 'jp-mlstudio-training-log-placeholder');
  private readonly _jump = el('button', 'jp-mod-styled jp-mlstudio-training-log-jump', 'Jump to latest ↓');
  private _stick = true;
}
