/**
 * The tail of a job's log as the job view shows it: at most `maxLines`
 * lines, fed by `logs?offset=N` replies, turned into small DOM updates.
 */
import type { ILogsReply } from './types';

/** Lines the job view keeps by default. */
export const DEFAULT_MAX_LOG_LINES = 5000;

/** What to change in the shown log, applied in this order. */
export interface ILogUpdate {
  /** New text of the last shown line (it was unterminated and grew), or null. */
  replaceLast: string | null;
  /** Lines to add at the end (the last one may still be unterminated). */
  append: string[];
  /** Lines to remove from the start. */
  dropFirst: number;
}

/** How a raw line reads on a terminal: `\r` returns to the line start (progress bars). */
export function displayLine(raw: string): string {
  const line = raw.replace(/\r+$/, '');
  const cut = line.lastIndexOf('\r');
  return cut === -1 ? line : line.slice(cut + 1);
}

/** The capped line buffer and the byte offset to read from next. */
export class LogBuffer {
  constructor(readonly maxLines: number = DEFAULT_MAX_LOG_LINES) {}

  /** Offset to pass as `offset` in the next request. */
  get offset(): number {
    return this._offset;
  }

  /** The shown lines (display form). */
  get lines(): readonly string[] {
    return this._lines;
  }

  /** Lines removed from the start to stay within `maxLines`. */
  get dropped(): number {
    return this._dropped;
  }

  /** Whether the server said the log is complete. */
  get complete(): boolean {
    return this._complete;
  }

  /**
   * Take a reply to a request made with `requestedOffset`. Returns the DOM
   * update, or null for a stale reply (one not asked at the current offset).
   */
  accept(reply: ILogsReply, requestedOffset: number): ILogUpdate | null {
    if (requestedOffset !== this._offset) {
      return null;
    }
    this._offset = reply.next_offset;
    this._complete = reply.complete;
    return this.append(reply.text);
  }

  /** Add text at the end of the log. */
  append(text: string): ILogUpdate {
    const update: ILogUpdate = { replaceLast: null, append: [], dropFirst: 0 };
    if (text === '') {
      return update;
    }
    const pieces = text.split('\n');
    const endsOpen = pieces[pieces.length - 1] !== '';
    if (!endsOpen) {
      pieces.pop();
    }
    if (this._open !== null && pieces.length > 0) {
      this._open += pieces.shift() as string;
      const line = displayLine(this._open);
      this._lines[this._lines.length - 1] = line;
      update.replaceLast = line;
    }
    if (!endsOpen) {
      this._open = null;
    }
    if (pieces.length > 0) {
      const added = pieces.map(displayLine);
      if (endsOpen) {
        this._open = pieces[pieces.length - 1];
      }
      update.append = added;
    }
    this._cap(update);
    return update;
  }

  /** Forget everything (e.g. to read the log again from the start). */
  reset(): void {
    this._lines = [];
    this._open = null;
    this._offset = 0;
    this._dropped = 0;
    this._complete = false;
  }

  /** Keep at most `maxLines`, trimming the update's appended lines too. */
  private _cap(update: ILogUpdate): void {
    const shown = this._lines.length;
    const over = shown + update.append.length - this.maxLines;
    if (over > 0) {
      const fromShown = Math.min(over, shown);
      const fromAppend = over - fromShown;
      update.append = update.append.slice(fromAppend);
      update.dropFirst = fromShown;
      if (fromShown === shown) {
        update.replaceLast = null;
      }
      this._lines = this._lines.slice(fromShown).concat(update.append);
      this._dropped += over;
    } else {
      this._lines.push(...update.append);
    }
  }

  private _lines: string[] = [];
  /** Raw text of the unterminated last line, or null when the log ends with a newline. */
  private _open: string | null = null;
  private _offset = 0;
  private _dropped = 0;
  private _complete = false;
}
