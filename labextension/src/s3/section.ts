/**
 * The "S3 Browser" section of the ML Studio sidebar: connections, buckets,
 * folders and objects, uploads, and the actions of the context menu.
 */
import { Clipboard, Dialog, InputDialog, showDialog } from '@jupyterlab/apputils';
import {
  addIcon,
  deleteIcon,
  downloadIcon,
  fileUploadIcon,
  moveUpIcon,
  newFolderIcon,
  refreshIcon,
  searchIcon,
  Toolbar,
  ToolbarButton
} from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { Signal, type ISignal } from '@lumino/signaling';
import { Panel, Widget } from '@lumino/widgets';

import { el } from '../sidebar/dom';
import * as client from './client';
import { collapseCrumbs } from './crumbs';
import {
  bucketEntries,
  DEFAULT_SORT,
  entriesFromPage,
  mergeEntries,
  removeEntries,
  sortEntries,
  uploadedEntry,
  upsertEntry,
  type IEntry,
  type ISortState
} from './entries';
import { describeError } from './errors';
import { isOpenable, previewKind, pythonSnippet } from './filetypes';
import { plural } from './format';
import { EntryListView } from './listview';
import {
  asPrefix,
  baseName,
  breadcrumbs,
  bucketNameProblem,
  moveTarget,
  nameProblem,
  parentPrefix,
  s3Uri,
  uploadKey
} from './paths';
import { showPreview } from './preview';
import { UploadQueue, type IUploadItem } from './transfers';
import type { IS3Connection } from './types';
import { UploadsView } from './uploads';

/** Toolbar and context-menu command ids of the S3 browser. */
export namespace S3CommandIDs {
  export const up = 'mlstudio:s3-up';
  export const refresh = 'mlstudio:s3-refresh';
  export const newFolder = 'mlstudio:s3-new-folder';
  export const createBucket = 'mlstudio:s3-create-bucket';
  export const upload = 'mlstudio:s3-upload';
  export const search = 'mlstudio:s3-search';
  export const download = 'mlstudio:s3-download';
  export const deleteItems = 'mlstudio:s3-delete';
  export const open = 'mlstudio:s3-open';
  export const preview = 'mlstudio:s3-preview';
  export const copyUri = 'mlstudio:s3-copy-uri';
  export const copySnippet = 'mlstudio:s3-copy-snippet';
  export const presign = 'mlstudio:s3-presign';
  export const rename = 'mlstudio:s3-rename';
  export const uploadFromWorkspace = 'mlstudio:s3-upload-from-workspace';
}

/** Severity of an inline message. */
export type MessageLevel = 'error' | 'warning' | 'info' | 'success';

/** How long info and success messages stay, in ms. */
const MESSAGE_TIMEOUT = 8000;

/** Expiry choices of a presigned link, in seconds. */
const PRESIGN_CHOICES: [string, number][] = [
  ['15 minutes', 15 * 60],
  ['1 hour', 3600],
  ['12 hours', 12 * 3600],
  ['1 day', 86400],
  ['7 days', 7 * 86400]
];

/** Options of the section. */
export interface IS3SectionOptions {
  /** Open a workspace file (a path relative to the server root) in JupyterLab. */
  openDocument: (path: string) => void;
}

/** Where the section is. */
export interface IS3Location {
  connection: string;
  /** `null` while the bucket list is shown. */
  bucket: string | null;
  prefix: string;
}

/** The S3 browser section (root class `jp-mlstudio-s3`). */
export class S3BrowserSection extends Panel {
  constructor(options: IS3SectionOptions) {
    super();
    this._options = options;
    this.addClass('jp-mlstudio-s3');
    this.id = 'jp-mlstudio-s3';
    this.title.label = 'S3 Browser';
    this.title.caption = 'Browse, upload and download objects in S3';

    this._queue = new UploadQueue({
      start: (item, overwrite, onProgress) =>
        client.uploadFile(item.connection, item.bucket, item.key, item.file, overwrite, onProgress),
      confirmOverwrite: item => this._confirmOverwrite(item),
      describe: error => describeError(error, 'Upload'),
      onChange: item => this._uploadChanged(item)
    });

    this._toolbar = this._makeToolbar();
    this._list = new EntryListView({
      open: entry => void this.openEntry(entry),
      nearEnd: () => void this.loadMore(),
      loadMore: () => void this.loadMore(),
      sortChanged: sort => this._setSort(sort),
      selectionChanged: () => this._selectionChanged(),
      dropFiles: (files, target) => this.uploadFiles(files, target ? target.path : undefined),
      deleteSelected: () => void this.deleteEntries(this.selectedEntries()),
      goUp: () => this.goUp()
    });
    this._uploads = new UploadsView(() => this._queue);

    const top = new Widget();
    top.addClass('jp-mlstudio-s3-top');
    this._connectionSelect.setAttribute('aria-label', 'S3 connection');
    this._connectionSelect.addEventListener('change', () => {
      this._connection = this._connectionSelect.value;
      void this.showBuckets();
    });
    this._connectionRow.append(el('span', 'jp-mlstudio-s3-connection-label', 'Connection'), this._connectionSelect);
    this._connectionRow.hidden = true;
    this._crumbs.setAttribute('aria-label', 'Location');
    this._searchInput.type = 'search';
    this._searchInput.placeholder = 'Key prefix, e.g. data/2024-';
    this._searchInput.setAttribute('aria-label', 'Search by key prefix');
    this._searchInput.addEventListener('keydown', event => this._searchKey(event));
    this._searchInput.addEventListener('input', () => this._searchTyped());
    this._searchBar.append(searchIcon.element({ tag: 'span', className: 'jp-mlstudio-s3-search-icon' }), this._searchInput);
    this._searchBar.hidden = true;
    this._uploadInput.type = 'file';
    this._uploadInput.multiple = true;
    this._uploadInput.hidden = true;
    this._uploadInput.addEventListener('change', () => {
      const files = Array.from(this._uploadInput.files ?? []);
      this._uploadInput.value = '';
      this.uploadFiles(files);
    });
    top.node.append(this._connectionRow, this._crumbs, this._searchBar, this._messages, this._uploadInput);

    this.addWidget(this._toolbar);
    this.addWidget(top);
    this.addWidget(this._list);
    this.addWidget(this._uploads);
    this._render();
  }

  /** Emitted when the location or the selection changes (commands update). */
  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  /** The connection, bucket and prefix shown. */
  get location(): IS3Location {
    return { connection: this._connection, bucket: this._bucket, prefix: this._prefix };
  }

  /** The selected rows, in display order. */
  selectedEntries(): IEntry[] {
    return this._list.selectedEntries();
  }

  /** Load the connections and buckets (once; later calls do nothing). */
  async ensureLoaded(): Promise<void> {
    if (this._started) {
      return;
    }
    this._started = true;
    await this.loadConnections();
  }

  /** (Re)load the connections, then show the buckets of the chosen one. */
  async loadConnections(): Promise<void> {
    this._setLoading(true);
    try {
      const reply = await client.listConnections();
      this._connections = reply.connections;
    } catch (error) {
      this._setLoading(false);
      this._connections = [];
      this._started = false;
      this._showError(describeError(error, 'Loading the S3 connections'));
      this._render();
      return;
    }
    if (!this._connections.some(c => c.name === this._connection)) {
      this._connection = this._connections[0]?.name ?? '';
    }
    this._renderConnections();
    if (!this._connection) {
      this._setLoading(false);
      this._showMessage('warning', 'No S3 connection is configured on the server.');
      return;
    }
    await this.showBuckets();
  }

  /** Show the bucket list of the current connection. */
  async showBuckets(): Promise<void> {
    this._bucket = null;
    this._prefix = '';
    this._closeSearch();
    await this._reload(true);
  }

  /** Open a bucket at its top level. */
  async openBucket(bucket: string): Promise<void> {
    this._bucket = bucket;
    this._prefix = '';
    this._closeSearch();
    await this._reload(true);
  }

  /** Go to a prefix of the open bucket. */
  async openPrefix(prefix: string): Promise<void> {
    this._prefix = prefix;
    this._closeSearch();
    await this._reload(true);
  }

  /** Go to a connection, bucket and prefix (e.g. from another panel). */
  async goTo(location: Partial<IS3Location>): Promise<void> {
    await this.ensureLoaded();
    if (location.connection && location.connection !== this._connection) {
      this._connection = location.connection;
      this._renderConnections();
    }
    this._bucket = location.bucket ?? null;
    this._prefix = location.bucket ? (location.prefix ?? '') : '';
    this._closeSearch();
    await this._reload(true);
  }

  /** One level up: parent folder, bucket list. */
  goUp(): void {
    if (this._search) {
      this._closeSearch();
      void this._reload(true);
    } else if (this._bucket === null) {
      return;
    } else if (this._prefix) {
      void this.openPrefix(parentPrefix(this._prefix));
    } else {
      void this.showBuckets();
    }
  }

  /** Reload what is shown (the first page again). */
  async refresh(): Promise<void> {
    if (!this._started || this._connections.length === 0) {
      this._started = true;
      await this.loadConnections();
      return;
    }
    await this._reload(false);
  }

  /** Fetch the next page of a long listing. */
  async loadMore(): Promise<void> {
    if (this._bucket === null || !this._nextToken || this._loading) {
      return;
    }
    const generation = this._generation;
    const bucket = this._bucket;
    this._setLoading(true);
    try {
      const page = await client.listObjects(this._connection, bucket, {
        prefix: this._listPrefix(),
        continuationToken: this._nextToken,
        recursive: this._search !== ''
      });
      if (generation !== this._generation) {
        return;
      }
      this._entries = mergeEntries(this._entries, entriesFromPage(page, this._prefix), this._sort);
      this._nextToken = page.truncated ? page.next_token : null;
    } catch (error) {
      if (generation === this._generation) {
        this._showError(describeError(error, `Listing ${s3Uri(bucket, this._listPrefix())}`));
        this._nextToken = null;
      }
    } finally {
      if (generation === this._generation) {
        this._setLoading(false);
        this._renderList(false);
      }
    }
  }

  /** Show the search bar (search by key prefix below the current folder). */
  toggleSearch(): void {
    if (this._bucket === null) {
      return;
    }
    if (this._searchBar.hidden) {
      this._searchBar.hidden = false;
      this._searchButton.pressed = true;
      this._searchInput.focus();
    } else {
      const had = this._search !== '';
      this._closeSearch();
      if (had) {
        void this._reload(true);
      }
    }
  }

  /** List every key that starts with `<current prefix><text>` (all levels). */
  async search(text: string): Promise<void> {
    if (this._bucket === null) {
      return;
    }
    this._searchBar.hidden = false;
    this._searchButton.pressed = true;
    if (this._searchInput.value !== text) {
      this._searchInput.value = text;
    }
    this._search = text;
    await this._reload(true);
  }

  /** Open a row: a bucket or folder is entered, an object opened or previewed. */
  async openEntry(entry: IEntry): Promise<void> {
    if (entry.kind === 'bucket') {
      await this.openBucket(entry.path);
    } else if (entry.kind === 'folder') {
      await this.openPrefix(entry.path);
    } else if (isOpenable(entry.path)) {
      await this.openInLab(entry);
    } else if (previewKind(entry.path) !== null) {
      await this.preview(entry);
    } else {
      await this.download([entry]);
    }
  }

  /** Copy an object into the workspace and open it as a document. */
  async openInLab(entry: IEntry): Promise<void> {
    const bucket = this._bucket;
    if (bucket === null || entry.kind !== 'object') {
      return;
    }
    try {
      const reply = await client.openInWorkspace(this._connection, bucket, entry.path);
      this._options.openDocument(reply.path);
      this._showMessage(
        'info',
        `Opened a copy in your workspace: ${reply.path}. Changes stay there until you upload them (Upload to S3 in the file browser).`
      );
    } catch (error) {
      this._showError(describeError(error, `Opening ${s3Uri(bucket, entry.path)}`));
    }
  }

  /** Show the read-only preview of an object. */
  async preview(entry: IEntry): Promise<void> {
    if (this._bucket === null || entry.kind !== 'object') {
      return;
    }
    await showPreview({
      connection: this._connection,
      bucket: this._bucket,
      key: entry.path,
      size: entry.size,
      modified: entry.modified
    });
  }

  /**
   * Download objects. The browser fetches the download URL itself (the login
   * cookie authenticates it; nothing is held in page memory); the object is
   * checked first so a missing one gives a message, not a saved error page.
   */
  async download(entries: IEntry[]): Promise<void> {
    const bucket = this._bucket;
    if (bucket === null) {
      return;
    }
    for (const entry of entries.filter(e => e.kind === 'object')) {
      try {
        await client.headObject(this._connection, bucket, entry.path);
      } catch (error) {
        this._showError(describeError(error, `Downloading ${s3Uri(bucket, entry.path)}`));
        continue;
      }
      const a = document.createElement('a');
      a.href = client.downloadUrl(this._connection, bucket, entry.path);
      a.download = baseName(entry.path);
      a.hidden = true;
      document.body.append(a);
      a.click();
      a.remove();
    }
  }

  /** Copy the `s3://` URIs of rows to the clipboard. */
  copyUris(entries: IEntry[]): void {
    if (entries.length === 0) {
      return;
    }
    const uris = entries.map(e => (e.kind === 'bucket' ? s3Uri(e.path) : s3Uri(this._bucket ?? '', e.path)));
    Clipboard.copyToSystem(uris.join('\n'));
    this._showMessage(
      'success',
      uris.length === 1 ? `Copied ${uris[0]}` : `Copied ${plural(uris.length, 'S3 URI')}.`
    );
  }

  /** Copy Python code that reads the object. */
  copySnippet(entry: IEntry): void {
    if (this._bucket === null || entry.kind !== 'object') {
      return;
    }
    Clipboard.copyToSystem(pythonSnippet(this._bucket, entry.path));
    this._showMessage('success', `Copied Python code that reads ${s3Uri(this._bucket, entry.path)}.`);
  }

  /** Ask for an expiry, make a presigned link and copy it. */
  async presign(entry: IEntry): Promise<void> {
    const bucket = this._bucket;
    if (bucket === null || entry.kind !== 'object') {
      return;
    }
    const choice = await InputDialog.getItem({
      title: 'Presigned link',
      label: `Anyone with the link can download ${baseName(entry.path)} for:`,
      items: PRESIGN_CHOICES.map(([label]) => label),
      current: 1,
      okLabel: 'Create link'
    });
    if (!choice.button.accept || choice.value === null) {
      return;
    }
    const seconds = PRESIGN_CHOICES.find(([label]) => label === choice.value)?.[1] ?? 3600;
    try {
      const reply = await client.presign(this._connection, bucket, entry.path, seconds);
      Clipboard.copyToSystem(reply.url);
      this._showMessage(
        'success',
        `Link copied; it expires ${new Date(reply.expires_at).toLocaleString()}.`,
        reply.url
      );
    } catch (error) {
      this._showError(describeError(error, 'Creating the link'));
    }
  }

  /** Rename or move an object or a folder. */
  async rename(entry: IEntry): Promise<void> {
    const bucket = this._bucket;
    if (bucket === null || entry.kind === 'bucket') {
      return;
    }
    const folder = entry.kind === 'folder';
    const answer = await InputDialog.getText({
      title: folder ? 'Rename or move folder' : 'Rename or move',
      label: 'New key in this bucket, or s3://bucket/key for another bucket',
      text: entry.path,
      okLabel: 'Move'
    });
    if (!answer.button.accept || answer.value === null) {
      return;
    }
    const target = moveTarget(bucket, entry.path, answer.value);
    if (!target) {
      return;
    }
    const problem = nameProblem(target.dest);
    if (problem) {
      this._showMessage('warning', problem);
      return;
    }
    this._setLoading(true);
    try {
      const reply = await client.copyEntry(this._connection, bucket, entry.path, target.dest, {
        destBucket: target.destBucket,
        move: true
      });
      this._showMessage(
        'success',
        `Moved ${entry.name} to ${s3Uri(target.destBucket, target.dest)}${
          folder ? ` (${plural(reply.copied, 'object')})` : ''
        }.`
      );
    } catch (error) {
      this._showError(describeError(error, `Moving ${s3Uri(bucket, entry.path)}`));
    } finally {
      this._setLoading(false);
    }
    await this._reload(false);
  }

  /** Ask, then delete objects and whole folders (or buckets: not supported). */
  async deleteEntries(entries: IEntry[]): Promise<void> {
    const bucket = this._bucket;
    const targets = entries.filter(e => e.kind !== 'bucket');
    if (bucket === null || targets.length === 0) {
      return;
    }
    const folders = targets.filter(e => e.kind === 'folder');
    const body = el('div', 'jp-mlstudio-s3-confirm');
    body.append(
      el(
        'p',
        '',
        targets.length === 1
          ? `Delete ${s3Uri(bucket, targets[0].path)}?`
          : `Delete these ${targets.length} items from s3://${bucket}/?`
      )
    );
    if (targets.length > 1) {
      const list = el('ul', 'jp-mlstudio-s3-confirm-list');
      for (const e of targets.slice(0, 8)) {
        list.append(el('li', '', e.kind === 'folder' ? `${e.name}/` : e.name));
      }
      if (targets.length > 8) {
        list.append(el('li', '', `… and ${targets.length - 8} more`));
      }
      body.append(list);
    }
    if (folders.length > 0) {
      body.append(
        el(
          'p',
          'jp-mlstudio-s3-confirm-warn',
          `Everything under ${folders.length === 1 ? 'the folder' : `${folders.length} folders`} is deleted too.`
        )
      );
    }
    body.append(el('p', '', 'This cannot be undone.'));
    const result = await showDialog({
      title: targets.length === 1 ? 'Delete object?' : `Delete ${targets.length} items?`,
      body: new Widget({ node: body }),
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
    });
    if (!result.button.accept) {
      return;
    }
    this._setLoading(true);
    try {
      const reply = await client.deleteEntries(
        this._connection,
        bucket,
        targets.filter(e => e.kind === 'object').map(e => e.path),
        folders.map(e => e.path)
      );
      this._entries = removeEntries(
        this._entries,
        new Set(targets.map(e => e.path).filter(p => !reply.errors.some(err => err.key === p)))
      );
      if (reply.errors.length > 0) {
        const first = reply.errors[0];
        this._showError(
          `Deleted ${plural(reply.deleted, 'object')}; ${plural(reply.errors.length, 'object')} could not be deleted (${
            first.key ?? ''
          }: ${first.message ?? first.code ?? 'error'}).`
        );
      } else {
        this._showMessage('success', `Deleted ${plural(reply.deleted, 'object')}.`);
      }
    } catch (error) {
      this._showError(describeError(error, 'Deleting'));
    } finally {
      this._setLoading(false);
      this._renderList(false);
    }
  }

  /** Ask for a name and create a folder in the current one. */
  async newFolder(): Promise<void> {
    const bucket = this._bucket;
    if (bucket === null) {
      return;
    }
    const answer = await InputDialog.getText({
      title: 'New folder',
      label: `Folder name in ${s3Uri(bucket, this._prefix)}`,
      placeholder: 'e.g. data',
      okLabel: 'Create'
    });
    if (!answer.button.accept || !answer.value) {
      return;
    }
    const problem = nameProblem(answer.value);
    if (problem) {
      this._showMessage('warning', problem);
      return;
    }
    const prefix = this._prefix + asPrefix(answer.value);
    try {
      await client.createFolder(this._connection, bucket, prefix);
      if (bucket === this._bucket && !this._search) {
        const entry = uploadedEntry(this._prefix, prefix, 0, new Date().toISOString());
        if (entry) {
          this._entries = upsertEntry(this._entries, entry, this._sort);
          this._renderList(false);
          this._list.select([entry.path]);
        }
      }
    } catch (error) {
      this._showError(describeError(error, `Creating the folder ${prefix}`));
    }
  }

  /** Ask for a name and create a bucket. */
  async createBucket(): Promise<void> {
    const answer = await InputDialog.getText({
      title: 'Create bucket',
      label: 'Bucket name (3-63 lower-case letters, digits, dots, hyphens)',
      placeholder: 'e.g. my-datasets',
      okLabel: 'Create'
    });
    if (!answer.button.accept || !answer.value) {
      return;
    }
    const name = answer.value.trim();
    const problem = bucketNameProblem(name);
    if (problem) {
      this._showMessage('warning', `Invalid bucket name "${name}": ${problem}`);
      return;
    }
    try {
      await client.createBucket(this._connection, name);
      this._showMessage('success', `Created bucket ${name}.`);
      if (this._bucket === null) {
        await this._reload(false);
        this._list.select([name]);
      }
    } catch (error) {
      this._showError(describeError(error, `Creating the bucket ${name}`));
    }
  }

  /** Open the file picker of the upload button. */
  pickFiles(): void {
    if (this._bucket !== null) {
      this._uploadInput.click();
    }
  }

  /** Upload browser files into `prefix` (default: the folder shown). */
  uploadFiles(files: File[], prefix?: string): void {
    const bucket = this._bucket;
    if (bucket === null) {
      this._showMessage('warning', 'Open a bucket first, then upload into it.');
      return;
    }
    const into = prefix ?? this._prefix;
    for (const file of files) {
      this._queue.add(file, {
        connection: this._connection,
        bucket,
        key: uploadKey(into, file.name)
      });
    }
  }

  /** Show an object that was uploaded by other means (e.g. from the workspace). */
  notifyUploaded(connection: string, bucket: string, key: string, size: number): void {
    if (connection !== this._connection || bucket !== this._bucket || this._search) {
      return;
    }
    const entry = uploadedEntry(this._prefix, key, size, new Date().toISOString());
    if (entry) {
      this._entries = upsertEntry(this._entries, entry, this._sort);
      this._renderList(false);
    }
  }

  /**
   * Reload after a failure (e.g. the S3 store was down and is healthy again);
   * does nothing when the last load worked.
   */
  retryIfFailed(): void {
    if (this._started && this._errorShown && !this._loading) {
      void this.refresh();
    }
  }

  /** Whether a bucket is open (for command states). */
  get inBucket(): boolean {
    return this._bucket !== null;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this.ensureLoaded();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      void this.ensureLoaded();
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    for (const item of this._queue.items) {
      this._queue.cancel(item.id);
    }
    Signal.clearData(this);
    super.dispose();
  }

  // -- private ------------------------------------------------------------------

  private _makeToolbar(): Toolbar {
    const toolbar = new Toolbar();
    toolbar.addClass('jp-mlstudio-s3-toolbar');
    const button = (
      id: string,
      icon: typeof refreshIcon,
      tooltip: string,
      onClick: () => void
    ): ToolbarButton => {
      const b = new ToolbarButton({
        icon,
        tooltip,
        onClick,
        dataset: { command: id },
        className: `jp-mlstudio-s3-button`
      });
      this._buttons.set(id, b);
      toolbar.addItem(id.replace('mlstudio:s3-', ''), b);
      return b;
    };
    button(S3CommandIDs.up, moveUpIcon, 'Up one level', () => this.goUp());
    this._refreshButton = button(S3CommandIDs.refresh, refreshIcon, 'Refresh', () => void this.refresh());
    button(S3CommandIDs.createBucket, addIcon, 'Create bucket…', () => void this.createBucket());
    button(S3CommandIDs.newFolder, newFolderIcon, 'New folder…', () => void this.newFolder());
    button(S3CommandIDs.upload, fileUploadIcon, 'Upload files…', () => this.pickFiles());
    this._searchButton = button(S3CommandIDs.search, searchIcon, 'Search by key prefix', () =>
      this.toggleSearch()
    );
    button(S3CommandIDs.download, downloadIcon, 'Download', () => void this.download(this.selectedEntries()));
    button(S3CommandIDs.deleteItems, deleteIcon, 'Delete…', () => void this.deleteEntries(this.selectedEntries()));
    return toolbar;
  }

  private _listPrefix(): string {
    return this._prefix + this._search;
  }

  /** Load the first page of what is shown; `reset` clears the rows first. */
  private async _reload(reset: boolean): Promise<void> {
    const generation = ++this._generation;
    const bucket = this._bucket;
    this._nextToken = null;
    if (reset) {
      this._entries = [];
    }
    this._setLoading(true);
    this._render(reset);
    try {
      if (bucket === null) {
        const reply = await client.listBuckets(this._connection);
        if (generation !== this._generation) {
          return;
        }
        this._entries = sortEntries(bucketEntries(reply.buckets), this._sort);
        if (reply.message) {
          this._showMessage('info', reply.message);
        }
      } else {
        const page = await client.listObjects(this._connection, bucket, {
          prefix: this._listPrefix(),
          recursive: this._search !== ''
        });
        if (generation !== this._generation) {
          return;
        }
        this._entries = sortEntries(entriesFromPage(page, this._prefix), this._sort);
        this._nextToken = page.truncated ? page.next_token : null;
      }
      this._clearErrors();
    } catch (error) {
      if (generation !== this._generation) {
        return;
      }
      this._entries = [];
      const what =
        bucket === null
          ? `Listing the buckets of "${this._connectionName()}"`
          : `Listing ${s3Uri(bucket, this._listPrefix())}`;
      this._showError(describeError(error, what));
    } finally {
      if (generation === this._generation) {
        this._setLoading(false);
        this._render(false);
      }
    }
  }

  private _connectionName(): string {
    const c = this._connections.find(c => c.name === this._connection);
    return c?.display_name || this._connection;
  }

  private _setSort(sort: ISortState): void {
    this._sort = sort;
    this._entries = sortEntries(this._entries, sort);
    this._renderList(false);
  }

  private _setLoading(loading: boolean): void {
    this._loading = loading;
    this.node.dataset.loading = loading ? 'true' : 'false';
    this._refreshButton?.toggleClass('jp-mlstudio-busy', loading);
  }

  private _render(resetScroll = false): void {
    this.node.dataset.view = this._bucket === null ? 'buckets' : 'objects';
    this._renderCrumbs();
    this._renderList(resetScroll);
    this._renderToolbar();
  }

  private _renderConnections(): void {
    const options = this._connections.map(c => {
      const option = el('option', '', c.display_name || c.name);
      option.value = c.name;
      option.title = c.endpoint_url ?? '';
      return option;
    });
    this._connectionSelect.replaceChildren(...options);
    this._connectionSelect.value = this._connection;
    this._connectionRow.hidden = this._connections.length <= 1;
  }

  private _renderCrumbs(): void {
    const nodes: HTMLElement[] = [];
    const link = (label: string, title: string, go: () => void, current: boolean): HTMLElement => {
      const node = el('span', 'jp-mlstudio-s3-crumb', label);
      node.title = title;
      if (current) {
        node.classList.add('jp-mod-current');
        node.setAttribute('aria-current', 'location');
      } else {
        node.setAttribute('role', 'link');
        node.tabIndex = 0;
        node.addEventListener('click', go);
        node.addEventListener('keydown', e => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            go();
          }
        });
      }
      return node;
    };
    const sep = (): HTMLElement => el('span', 'jp-mlstudio-s3-crumb-sep', '/');
    const atRoot = this._bucket === null;
    const root = link('Buckets', `Buckets of ${this._connectionName()}`, () => void this.showBuckets(), atRoot);
    root.dataset.prefix = '';
    root.classList.add('jp-mlstudio-s3-crumb-root');
    nodes.push(root);
    if (this._bucket !== null) {
      const crumbs = breadcrumbs(this._bucket, this._prefix);
      const items = collapseCrumbs(crumbs, 2);
      items.forEach((item, i) => {
        nodes.push(sep());
        const last = i === items.length - 1 && !this._search;
        if ('ellipsis' in item) {
          const node = link('…', item.hidden.join('/'), () => void this.openPrefix(item.prefix), false);
          node.dataset.prefix = item.prefix;
          nodes.push(node);
        } else {
          const node = link(
            item.label,
            s3Uri(this._bucket as string, item.prefix),
            () => void this.openPrefix(item.prefix),
            last
          );
          node.dataset.prefix = item.prefix;
          if (i === 0) {
            node.classList.add('jp-mlstudio-s3-crumb-bucket');
          }
          nodes.push(node);
        }
      });
      if (this._search) {
        nodes.push(sep(), el('span', 'jp-mlstudio-s3-crumb jp-mlstudio-s3-crumb-search jp-mod-current', `${this._search}…`));
      }
    }
    this._crumbs.replaceChildren(...nodes);
  }

  private _renderList(resetScroll: boolean): void {
    this._list.dateLabel = this._bucket === null ? 'Created' : 'Modified';
    this._list.sort = this._sort;
    let emptyText = '';
    if (this._errorShown) {
      emptyText = '';
    } else if (this._bucket === null) {
      emptyText = this._connection ? 'No buckets yet. Create one with the + button.' : '';
    } else if (this._search) {
      emptyText = `No keys start with "${this._listPrefix()}".`;
    } else {
      emptyText = 'This folder is empty. Drop files here or use the upload button.';
    }
    this._list.setEntries(
      this._entries,
      { more: this._nextToken !== null, loading: this._loading, emptyText },
      resetScroll
    );
    this._renderToolbar();
  }

  private _renderToolbar(): void {
    const inBucket = this._bucket !== null;
    const selected = this._list.selectedEntries();
    const objects = selected.filter(e => e.kind === 'object');
    const deletable = selected.filter(e => e.kind !== 'bucket');
    const set = (id: string, enabled: boolean, visible = true): void => {
      const b = this._buttons.get(id);
      if (b) {
        b.enabled = enabled;
        b.setHidden(!visible);
      }
    };
    set(S3CommandIDs.up, inBucket);
    set(S3CommandIDs.createBucket, !!this._connection, !inBucket);
    set(S3CommandIDs.newFolder, inBucket, inBucket);
    set(S3CommandIDs.upload, inBucket, inBucket);
    set(S3CommandIDs.search, inBucket, inBucket);
    set(S3CommandIDs.download, objects.length > 0, inBucket);
    set(S3CommandIDs.deleteItems, deletable.length > 0, inBucket);
  }

  private _selectionChanged(): void {
    this._renderToolbar();
    this._stateChanged.emit();
  }

  private _closeSearch(): void {
    this._search = '';
    this._searchInput.value = '';
    this._searchBar.hidden = true;
    if (this._searchButton) {
      this._searchButton.pressed = false;
    }
    if (this._searchTimer) {
      window.clearTimeout(this._searchTimer);
      this._searchTimer = 0;
    }
  }

  private _searchKey(event: KeyboardEvent): void {
    if (event.key === 'Enter') {
      event.preventDefault();
      window.clearTimeout(this._searchTimer);
      this._searchTimer = 0;
      const text = this._searchInput.value;
      if (text === '') {
        this.toggleSearch();
      } else {
        void this.search(text);
      }
    } else if (event.key === 'Escape') {
      event.preventDefault();
      const had = this._search !== '';
      this._closeSearch();
      if (had) {
        void this._reload(true);
      }
      this._list.focusList();
    }
  }

  private _searchTyped(): void {
    window.clearTimeout(this._searchTimer);
    this._searchTimer = window.setTimeout(() => {
      this._searchTimer = 0;
      const text = this._searchInput.value;
      if (text !== this._search) {
        if (text === '') {
          this._search = '';
          void this._reload(true);
        } else {
          void this.search(text);
        }
      }
    }, 400);
  }

  private _confirmOverwrite(item: IUploadItem): Promise<boolean> {
    // One question at a time, in the order the conflicts happened.
    const ask = async (): Promise<boolean> => {
      const result = await showDialog({
        title: 'Replace object?',
        body: `${s3Uri(item.bucket, item.key)} already exists. Replace it with the file you are uploading?`,
        buttons: [Dialog.cancelButton({ label: 'Keep existing' }), Dialog.warnButton({ label: 'Replace' })]
      });
      return result.button.accept;
    };
    const answer = this._confirmChain.then(ask, ask);
    this._confirmChain = answer.then(
      () => undefined,
      () => undefined
    );
    return answer;
  }

  private _uploadChanged(item: IUploadItem): void {
    this._uploads.showItem(item);
    if (item.status === 'done' && item.connection === this._connection && item.bucket === this._bucket) {
      this.notifyUploaded(item.connection, item.bucket, item.key, item.reply?.size ?? item.total);
    }
  }

  private _showError(text: string): void {
    this._errorShown = true;
    this._showMessage('error', text);
  }

  private _clearErrors(): void {
    this._errorShown = false;
    for (const node of Array.from(this._messages.children) as HTMLElement[]) {
      if (node.dataset.level === 'error') {
        node.remove();
      }
    }
  }

  /** Show an inline message; info and success go away by themselves. */
  private _showMessage(level: MessageLevel, text: string, detail = ''): void {
    // The same text again replaces the old one rather than stacking up.
    for (const node of Array.from(this._messages.children) as HTMLElement[]) {
      if (node.dataset.text === text) {
        node.remove();
      }
    }
    while (this._messages.children.length >= 3) {
      this._messages.firstElementChild?.remove();
    }
    const message = el('div', 'jp-mlstudio-s3-message');
    message.dataset.level = level;
    message.dataset.text = text;
    message.setAttribute('role', level === 'error' ? 'alert' : 'status');
    const body = el('div', 'jp-mlstudio-s3-message-body');
    body.append(el('span', 'jp-mlstudio-s3-message-text', text));
    if (detail) {
      const code = el('input', 'jp-mlstudio-s3-message-detail');
      code.readOnly = true;
      code.value = detail;
      code.addEventListener('focus', () => code.select());
      body.append(code);
    }
    const close = el('button', 'jp-mlstudio-s3-message-close jp-Button jp-mod-minimal', '×');
    close.type = 'button';
    close.title = 'Dismiss';
    close.setAttribute('aria-label', 'Dismiss');
    close.addEventListener('click', () => {
      message.remove();
      if (level === 'error') {
        this._errorShown = Array.from(this._messages.children).some(
          n => (n as HTMLElement).dataset.level === 'error'
        );
      }
    });
    message.append(body, close);
    this._messages.append(message);
    if (level === 'info' || level === 'success') {
      window.setTimeout(() => message.remove(), detail ? MESSAGE_TIMEOUT * 4 : MESSAGE_TIMEOUT);
    }
  }

  private readonly _options: IS3SectionOptions;
  private readonly _stateChanged = new Signal<this, void>(this);
  private readonly _queue: UploadQueue;
  private readonly _toolbar: Toolbar;
  private readonly _buttons = new Map<string, ToolbarButton>();
  private _refreshButton: ToolbarButton | null = null;
  private _searchButton!: ToolbarButton;
  private readonly _list: EntryListView;
  private readonly _uploads: UploadsView;
  private readonly _connectionRow = el('label', 'jp-mlstudio-s3-connection');
  private readonly _connectionSelect = el('select', 'jp-mlstudio-s3-connection-select jp-mod-styled');
  private readonly _crumbs = el('nav', 'jp-mlstudio-s3-breadcrumbs');
  private readonly _searchBar = el('div', 'jp-mlstudio-s3-searchbar');
  private readonly _searchInput = el('input', 'jp-mlstudio-s3-search jp-mod-styled');
  private readonly _messages = el('div', 'jp-mlstudio-s3-messages');
  private readonly _uploadInput = el('input', 'jp-mlstudio-s3-upload-input');
  private _connections: IS3Connection[] = [];
  private _connection = '';
  private _bucket: string | null = null;
  private _prefix = '';
  private _search = '';
  private _entries: IEntry[] = [];
  private _nextToken: string | null = null;
  private _loading = false;
  private _generation = 0;
  private _sort: ISortState = DEFAULT_SORT;
  private _started = false;
  private _errorShown = false;
  private _searchTimer = 0;
  private _confirmChain: Promise<void> = Promise.resolve();
}
