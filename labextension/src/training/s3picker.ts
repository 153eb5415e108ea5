/**
 * A small dialog to pick an S3 folder (for channels and the output path),
 * browsing the default connection's buckets and prefixes.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { fileIcon, folderIcon, type LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { errorText } from '../status';
import type { TrainingClient } from './client';
import { el } from './dom';
import { parseS3Uri, s3Uri } from './s3uri';

/** Folders and objects shown per level. */
const MAX_SHOWN = 200;

/** The picker's body: a crumb line and the entries of one level. */
class S3FolderBody extends Widget implements Dialog.IBodyWidget<string | null> {
  constructor(private readonly _client: TrainingClient, start: string) {
    super();
    this.addClass('jp-mlstudio-s3picker');
    this._list.setAttribute('role', 'listbox');
    this.node.append(this._crumbs, this._list, this._status);
    const parsed = parseS3Uri(start);
    if (parsed) {
      const prefix = parsed.key && !parsed.key.endsWith('/') ? parsed.key.replace(/[^/]*$/, '') : parsed.key;
      void this._show(parsed.bucket, prefix);
    } else {
      void this._show(null, '');
    }
  }

  /** The chosen folder as an S3 URI, or null at the bucket list. */
  getValue(): string | null {
    return this._bucket ? s3Uri(this._bucket, this._prefix) : null;
  }

  private async _show(bucket: string | null, prefix: string): Promise<void> {
    const generation = ++this._generation;
    this._bucket = bucket;
    this._prefix = prefix;
    this._renderCrumbs();
    this._status.textContent = 'Loading…';
    this._list.replaceChildren();
    try {
      const entries: HTMLElement[] = [];
      if (bucket === null) {
        const reply = await this._client.buckets();
        for (const b of reply.buckets) {
          entries.push(this._entry(`${b.name}`, 'bucket', () => void this._show(b.name, '')));
        }
      } else {
        const reply = await this._client.objects(bucket, prefix);
        for (const f of reply.folders.slice(0, MAX_SHOWN)) {
          entries.push(this._entry(f.name, 'folder', () => void this._show(bucket, f.prefix)));
        }
        for (const o of reply.objects.slice(0, Math.max(0, MAX_SHOWN - entries.length))) {
          entries.push(this._entry(o.name, 'object', null));
        }
      }
      if (generation !== this._generation) {
        return;
      }
      this._list.replaceChildren(...entries);
      this._status.textContent = entries.length
        ? ''
        : bucket === null
          ? 'No buckets.'
          : 'This folder is empty.';
    } catch (error) {
      if (generation === this._generation) {
        this._status.textContent = errorText(error);
      }
    }
  }

  private _entry(name: string, kind: 'bucket' | 'folder' | 'object', open: (() => void) | null): HTMLElement {
    const item = el('li', `jp-mlstudio-s3picker-item jp-mlstudio-s3picker-${kind}`);
    item.dataset.kind = kind;
    const icon: LabIcon = kind === 'object' ? fileIcon : folderIcon;
    item.append(icon.element({ tag: 'span', className: 'jp-mlstudio-s3picker-icon' }), el('span', '', name));
    if (open) {
      item.tabIndex = 0;
      item.setAttribute('role', 'option');
      item.addEventListener('click', open);
      item.addEventListener('keydown', event => {
        if (event.key === 'Enter') {
          event.preventDefault();
          event.stopPropagation();
          open();
        }
      });
    }
    return item;
  }

  private _renderCrumbs(): void {
    const crumbs: HTMLElement[] = [];
    const link = (text: string, go: () => void): HTMLElement => {
      const a = el('button', 'jp-mlstudio-s3picker-crumb', text);
      a.type = 'button';
      a.addEventListener('click', go);
      return a;
    };
    crumbs.push(link('Buckets', () => void this._show(null, '')));
    if (this._bucket !== null) {
      const bucket = this._bucket;
      crumbs.push(el('span', 'jp-mlstudio-s3picker-sep', '/'), link(bucket, () => void this._show(bucket, '')));
      let acc = '';
      for (const part of this._prefix.split('/').filter(Boolean)) {
        acc += `${part}/`;
        const target = acc;
        crumbs.push(el('span', 'jp-mlstudio-s3picker-sep', '/'), link(part, () => void this._show(bucket, target)));
      }
    }
    this._crumbs.replaceChildren(...crumbs);
  }

  private readonly _crumbs = el('div', 'jp-mlstudio-s3picker-crumbs');
  private readonly _list = el('ul', 'jp-mlstudio-s3picker-list');
  private readonly _status = el('p', 'jp-mlstudio-s3picker-status');
  private _bucket: string | null = null;
  private _prefix = '';
  private _generation = 0;
}

/**
 * Ask for an S3 folder, starting at `start` (an S3 URI) if given. Resolves
 * with `s3://bucket/prefix/`, or null when cancelled or no bucket was opened.
 */
export async function pickS3Folder(client: TrainingClient, start = ''): Promise<string | null> {
  const result = await showDialog<string | null>({
    title: 'Choose an S3 folder',
    body: new S3FolderBody(client, start),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Use this folder' })]
  });
  return result.button.accept ? result.value : null;
}
