/**
 * A small CSV reader for previews: the first rows of (maybe the first MiB of)
 * a file, quotes and all (pure).
 */

/** The rows of a preview. */
export interface ICsvPreview {
  rows: string[][];
  /** More rows follow (in the text or beyond the part that was read). */
  more: boolean;
}

/**
 * Read up to `maxRows` rows of `text` (RFC 4180: `"` quotes, `""` escapes,
 * CRLF or LF line ends). When `cut` is true the text is the beginning of a
 * longer file, so its last, maybe incomplete, row is dropped.
 */
export function parseCsv(text: string, maxRows: number, delimiter = ',', cut = false): ICsvPreview {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  let complete = false; // the last row ended with a line break
  const endRow = (): void => {
    row.push(field);
    rows.push(row);
    row = [];
    field = '';
  };
  while (i < n && rows.length <= maxRows) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += c;
      }
      i++;
      continue;
    }
    complete = false;
    if (c === '"' && field === '') {
      quoted = true;
    } else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      endRow();
      complete = true;
      if (c === '\r' && text[i + 1] === '\n') {
        i++;
      }
    } else {
      field += c;
    }
    i++;
  }
  const stoppedEarly = rows.length > maxRows;
  if (!stoppedEarly && (field !== '' || row.length > 0) && !complete) {
    if (cut) {
      // The text ends inside a row that continues in the rest of the file.
      return { rows: rows.slice(0, maxRows), more: true };
    }
    endRow();
  }
  return {
    rows: rows.slice(0, maxRows),
    more: stoppedEarly || rows.length > maxRows || cut || i < n
  };
}
