/**
 * The read-only preview of an object, shown in a dialog: the first MiB of a
 * text / JSON file, the first rows of a CSV as a table, small images.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { el } from '../sidebar/dom';
import * as client from './client';
import { parseCsv } from './csv';
import { describeError } from './errors';
import {
  IMAGE_PREVIEW_MAX_BYTES,
  imageType,
  previewKind,
  TEXT_PREVIEW_BYTES,
  type PreviewKind
} from './filetypes';
import { formatDateTime, formatSize } from './format';
import { baseName, extension, s3Uri } from './paths';

/** Rows of a CSV preview. */
export const CSV_PREVIEW_ROWS = 100;

/** What to preview. */
export interface IPreviewTarget {
  connection: string;
  bucket: string;
  key: string;
  size: number | null;
  modified: string | null;
}

/** The body of the preview dialog (root class `jp-mlstudio-s3-preview`). */
export class PreviewBody extends Widget {
  constructor(target: IPreviewTarget) {
    super();
    this.addClass('jp-mlstudio-s3-preview');
    this._target = target;
    this._kind = previewKind(target.key);
    this.node.dataset.kind = this._kind ?? 'none';
    const meta = el('div', 'jp-mlstudio-s3-preview-meta');
    meta.textContent = [
      s3Uri(target.bucket, target.key),
      formatSize(target.size),
      target.modified ? `modified ${formatDateTime(target.modified)}` : ''
    ]
      .filter(Boolean)
      .join(' · ');
    this._content.append(el('div', 'jp-mlstudio-s3-note', 'Loading preview…'));
    this.node.append(meta, this._content);
    void this._load();
  }

  dispose(): void {
    if (this._objectUrl) {
      URL.revokeObjectURL(this._objectUrl);
      this._objectUrl = null;
    }
    super.dispose();
  }

  private async _load(): Promise<void> {
    const t = this._target;
    try {
      if (this._kind === null) {
        this._show(el('div', 'jp-mlstudio-s3-note', 'No preview for this kind of file.'));
        return;
      }
      if (this._kind === 'image') {
        if (t.size !== null && t.size > IMAGE_PREVIEW_MAX_BYTES) {
          this._show(
            el(
              'div',
              'jp-mlstudio-s3-note',
              `The image is larger than ${formatSize(IMAGE_PREVIEW_MAX_BYTES)}: download it to view it.`
            )
          );
          return;
        }
        const blob = await client.fetchBlob(t.connection, t.bucket, t.key);
        // Typed by extension, so the browser shows it as an image and nothing else.
        const typed = new Blob([blob], { type: imageType(t.key) ?? 'application/octet-stream' });
        this._objectUrl = URL.createObjectURL(typed);
        const img = el('img', 'jp-mlstudio-s3-preview-image');
        img.alt = baseName(t.key);
        img.src = this._objectUrl;
        this._show(img);
        return;
      }
      const head = await client.fetchHead(t.connection, t.bucket, t.key, TEXT_PREVIEW_BYTES);
      const text = await head.blob.text();
      const note = head.partial
        ? `Showing the first ${formatSize(head.blob.size)} of ${formatSize(head.total)}.`
        : '';
      this._show(...this._render(this._kind, text, head.partial), ...(note ? [el('div', 'jp-mlstudio-s3-note', note)] : []));
    } catch (error) {
      const message = el('div', 'jp-mlstudio-s3-message', describeError(error, 'Preview'));
      message.dataset.level = 'error';
      this._show(message);
    }
  }

  private _render(kind: PreviewKind, text: string, partial: boolean): HTMLElement[] {
    if (kind === 'csv') {
      const delimiter = extension(this._target.key) === 'tsv' ? '\t' : ',';
      const { rows, more } = parseCsv(text, CSV_PREVIEW_ROWS + 1, delimiter, partial);
      if (rows.length === 0) {
        return [el('div', 'jp-mlstudio-s3-note', 'The file is empty.')];
      }
      const table = el('table', 'jp-mlstudio-s3-preview-table');
      const [header, ...body] = rows;
      const thead = el('thead');
      const tr = el('tr');
      for (const cell of header) {
        tr.append(el('th', '', cell));
      }
      thead.append(tr);
      const tbody = el('tbody');
      for (const row of body.slice(0, CSV_PREVIEW_ROWS)) {
        const r = el('tr');
        for (const cell of row) {
          r.append(el('td', '', cell));
        }
        tbody.append(r);
      }
      table.append(thead, tbody);
      const wrap = el('div', 'jp-mlstudio-s3-preview-tablewrap');
      wrap.append(table);
      const shown = Math.min(body.length, CSV_PREVIEW_ROWS);
      return [
        wrap,
        el(
          'div',
          'jp-mlstudio-s3-note',
          `${shown} row${shown === 1 ? '' : 's'} shown${more || body.length > CSV_PREVIEW_ROWS ? ' (more in the file)' : ''}.`
        )
      ];
    }
    let shown = text;
    if (kind === 'json' && !partial) {
      try {
        shown = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // JSON lines or invalid JSON: show the text as it is.
      }
    }
    const pre = el('pre', 'jp-mlstudio-s3-preview-text', shown);
    if (text === '') {
      return [el('div', 'jp-mlstudio-s3-note', 'The file is empty.')];
    }
    return [pre];
  }

  private _show(...nodes: HTMLElement[]): void {
    this._content.replaceChildren(...nodes);
  }

  private readonly _target: IPreviewTarget;
  private readonly _kind: PreviewKind | null;
  private readonly _content = el('div', 'jp-mlstudio-s3-preview-content');
  private _objectUrl: string | null = null;
}

/** Show the preview dialog of an object. */
export async function showPreview(target: IPreviewTarget): Promise<void> {
  await showDialog({
    title: baseName(target.key),
    body: new PreviewBody(target),
    buttons: [Dialog.okButton({ label: 'Close' })],
    hasClose: true
  });
}
