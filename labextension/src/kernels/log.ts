/**
 * The install log as the panel follows it: offsets for the long-poll and a
 * bounded text buffer (no JupyterLab imports).
 */
import type { ILogChunk } from './types';

/** Characters kept in the view; older text is dropped from the front. */
export const MAX_LOG_CHARS = 200_000;

/** Marker shown where text was dropped (by the server or by the buffer). */
export const TRUNCATED_MARK = '[… earlier output truncated …]\n';

/** Follows a log by offset: `path()` for the next request, `add()` each reply. */
export class LogCursor {
  constructor(
    readonly installId: string,
    readonly maxChars = MAX_LOG_CHARS
  ) {}

  /** Offset to ask for next. */
  get offset(): number {
    return this._offset;
  }

  /** The text so far (bounded). */
  get text(): string {
    return this._text;
  }

  /** Whether the server said the install has finished (no more text will come). */
  get finished(): boolean {
    return this._finished;
  }

  /** Route of the next long-poll below `mlstudio/api/`. */
  path(wait: number): string {
    const id = encodeURIComponent(this.installId);
    const seconds = Math.max(0, Math.min(30, Math.round(wait)));
    return `kernels/installs/${id}/log?offset=${this._offset}&wait=${seconds}`;
  }

  /**
   * Take one reply; returns the text to append to a view (with a mark when
   * the server dropped text), or `null` when the whole text must be redrawn
   * because the buffer dropped its beginning.
   */
  add(chunk: ILogChunk): string | null {
    this._finished = chunk.finished;
    const next = Number(chunk.next_offset);
    if (Number.isFinite(next) && next >= 0) {
      // A server restart or a reset log can go back: never ask for less than 0,
      // and never re-append text already seen when it does not move forward.
      if (next < this._offset && !chunk.text) {
        this._offset = next;
        return '';
      }
      this._offset = next;
    }
    let piece = chunk.text ?? '';
    if (chunk.truncated && (piece || this._text)) {
      piece = TRUNCATED_MARK + piece;
    }
    if (!piece) {
      return '';
    }
    this._text += piece;
    if (this._text.length > this.maxChars) {
      const cut = this._text.length - this.maxChars;
      const newline = this._text.indexOf('\n', cut);
      const start = newline >= 0 && newline - cut < 4096 ? newline + 1 : cut;
      this._text = TRUNCATED_MARK + this._text.slice(start);
      return null;
    }
    return piece;
  }

  private _offset = 0;
  private _text = '';
  private _finished = false;
}
