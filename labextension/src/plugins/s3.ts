/**
 * The S3 browser plugin: the "S3 Browser" section of the ML Studio sidebar,
 * its commands and context menus, and "Upload to S3" in the file browser.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import {
  addIcon,
  copyIcon,
  deleteIcon,
  downloadIcon,
  editIcon,
  fileUploadIcon,
  type LabIcon,
  linkIcon,
  moveUpIcon,
  newFolderIcon,
  pythonIcon,
  refreshIcon,
  searchIcon
} from '@jupyterlab/ui-components';

import type { IEntry } from '../s3/entries';
import { isOpenable, previewKind } from '../s3/filetypes';
import { S3BrowserSection, S3CommandIDs } from '../s3/section';
import { uploadWorkspaceFiles } from '../s3/workspace';
import { IMLStudio } from '../tokens';

/** Rank of the section in the sidebar (the overview has 0). */
export const S3_SECTION_RANK = 10;

/** Context-menu selectors of the rows. */
const ROW = '.jp-mlstudio-s3-item';
const OBJECT_ROW = `${ROW}[data-kind="object"]`;
const FOLDER_ROW = `${ROW}[data-kind="folder"]`;
const BUCKET_ROW = `${ROW}[data-kind="bucket"]`;
/** Files (not folders) in JupyterLab's file browser. */
const FILE_BROWSER_FILE = '.jp-DirListing-item[data-isdir="false"]';

/** Adds the S3 browser to the ML Studio sidebar. */
export const s3Plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlstudio:s3',
  description: 'S3 browser: buckets, folders and objects in the ML Studio sidebar.',
  autoStart: true,
  requires: [IMLStudio, IDocumentManager],
  optional: [IFileBrowserFactory],
  activate: (
    app: JupyterFrontEnd,
    studio: IMLStudio,
    docManager: IDocumentManager,
    browserFactory: IFileBrowserFactory | null
  ): void => {
    const section = new S3BrowserSection({
      openDocument: path => {
        docManager.openOrReveal(path);
      }
    });
    studio.addSection(section, { rank: S3_SECTION_RANK });
    addCommands(app, section);
    addContextMenu(app);

    // When the store comes back (the status poll says healthy again), a
    // listing that failed meanwhile is retried.
    let s3Healthy: boolean | null = null;
    studio.statusChanged.connect((_, state) => {
      if (state.kind !== 'loaded') {
        return;
      }
      const healthy = state.reply.s3.healthy;
      if (healthy && s3Healthy === false) {
        section.retryIfFailed();
      }
      s3Healthy = healthy;
    });

    section.stateChanged.connect(() => {
      for (const id of Object.values(S3CommandIDs)) {
        if (app.commands.hasCommand(id)) {
          app.commands.notifyCommandChanged(id);
        }
      }
    });

    if (!browserFactory) {
      return;
    }
    app.commands.addCommand(S3CommandIDs.uploadFromWorkspace, {
      label: 'Upload to S3…',
      caption: 'Upload the selected files to an S3 bucket',
      icon: fileUploadIcon,
      isEnabled: () => !!browserFactory.tracker.currentWidget,
      execute: async () => {
        const browser = browserFactory.tracker.currentWidget;
        if (!browser) {
          return;
        }
        const contents = app.serviceManager.contents;
        const files = Array.from(browser.selectedItems())
          .filter(item => item.type !== 'directory')
          .map(item => ({ path: contents.localPath(item.path) }));
        await uploadWorkspaceFiles(files, section.location, (connection, bucket, key, size) =>
          section.notifyUploaded(connection, bucket, key, size)
        );
      }
    });
    app.contextMenu.addItem({
      command: S3CommandIDs.uploadFromWorkspace,
      selector: FILE_BROWSER_FILE,
      rank: 10
    });
  }
};

/** The single selected row, or `null`. */
function single(section: S3BrowserSection): IEntry | null {
  const selected = section.selectedEntries();
  return selected.length === 1 ? selected[0] : null;
}

function addCommands(app: JupyterFrontEnd, section: S3BrowserSection): void {
  const { commands } = app;
  const inBucket = (): boolean => section.inBucket;
  const objects = (): IEntry[] => section.selectedEntries().filter(e => e.kind === 'object');

  /** Run `action` on the single selected row, if there is one. */
  const onSingle =
    (action: (entry: IEntry) => unknown) =>
    (): unknown => {
      const entry = single(section);
      return entry ? action(entry) : undefined;
    };

  // The toolbar's commands; those that act inside a bucket are off at the bucket list.
  const toolbar: { id: string; label: string; icon: LabIcon; execute: () => unknown; needsBucket?: boolean }[] = [
    { id: S3CommandIDs.up, label: 'Up One Level', icon: moveUpIcon, execute: () => section.goUp(), needsBucket: true },
    { id: S3CommandIDs.refresh, label: 'Refresh S3 Browser', icon: refreshIcon, execute: () => section.refresh() },
    { id: S3CommandIDs.newFolder, label: 'New Folder…', icon: newFolderIcon, execute: () => section.newFolder(), needsBucket: true },
    { id: S3CommandIDs.createBucket, label: 'Create Bucket…', icon: addIcon, execute: () => section.createBucket() },
    { id: S3CommandIDs.upload, label: 'Upload Files…', icon: fileUploadIcon, execute: () => section.pickFiles(), needsBucket: true },
    { id: S3CommandIDs.search, label: 'Search by Key Prefix', icon: searchIcon, execute: () => section.toggleSearch(), needsBucket: true }
  ];
  for (const { id, label, icon, execute, needsBucket } of toolbar) {
    commands.addCommand(id, { label, icon, isEnabled: needsBucket ? inBucket : undefined, execute });
  }
  /** A bucket or folder opens in the browser, an object in JupyterLab. */
  const openSelected = onSingle(entry => (entry.kind === 'object' ? section.openInLab(entry) : section.openEntry(entry)));
  commands.addCommand(S3CommandIDs.open, {
    label: () => {
      const entry = single(section);
      return entry?.kind === 'bucket'
        ? 'Open Bucket'
        : entry?.kind === 'folder'
          ? 'Open Folder'
          : 'Open in JupyterLab';
    },
    isVisible: () => {
      const entry = single(section);
      return entry !== null && (entry.kind !== 'object' || isOpenable(entry.path));
    },
    describedBy: {
      args: {
        type: 'object',
        properties: {
          uri: {
            type: 'string',
            description: 'An s3:// URI to show: its bucket and folder open in the browser'
          }
        }
      }
    },
    execute: args => {
      const uri = typeof args?.uri === 'string' ? args.uri : '';
      if (uri.startsWith('s3://')) {
        // Show the folder holding the object (or the folder itself).
        const [bucket, ...rest] = uri.slice(5).split('/');
        const key = rest.join('/');
        const prefix = key.endsWith('/') || !key ? key : key.slice(0, key.lastIndexOf('/') + 1);
        return section.goTo({ bucket, prefix });
      }
      return openSelected();
    }
  });
  commands.addCommand(S3CommandIDs.preview, {
    label: 'Preview',
    isVisible: () => {
      const entry = single(section);
      return entry?.kind === 'object' && previewKind(entry.path) !== null;
    },
    execute: onSingle(entry => section.preview(entry))
  });
  commands.addCommand(S3CommandIDs.download, {
    label: () => (objects().length > 1 ? `Download ${objects().length} Objects` : 'Download'),
    icon: downloadIcon,
    isEnabled: () => objects().length > 0,
    execute: () => section.download(objects())
  });
  commands.addCommand(S3CommandIDs.copyUri, {
    label: () => (section.selectedEntries().length > 1 ? 'Copy S3 URIs' : 'Copy S3 URI'),
    icon: copyIcon,
    isEnabled: () => section.selectedEntries().length > 0,
    execute: () => section.copyUris(section.selectedEntries())
  });
  commands.addCommand(S3CommandIDs.copySnippet, {
    label: 'Copy Python Snippet',
    icon: pythonIcon,
    isEnabled: () => single(section)?.kind === 'object',
    execute: onSingle(entry => section.copySnippet(entry))
  });
  commands.addCommand(S3CommandIDs.presign, {
    label: 'Copy Presigned Link…',
    icon: linkIcon,
    isEnabled: () => single(section)?.kind === 'object',
    execute: onSingle(entry => section.presign(entry))
  });
  commands.addCommand(S3CommandIDs.rename, {
    label: 'Rename / Move…',
    icon: editIcon,
    isEnabled: () => {
      const entry = single(section);
      return entry !== null && entry.kind !== 'bucket';
    },
    execute: onSingle(entry => section.rename(entry))
  });
  commands.addCommand(S3CommandIDs.deleteItems, {
    label: () => {
      const n = section.selectedEntries().filter(e => e.kind !== 'bucket').length;
      return n > 1 ? `Delete ${n} Items…` : 'Delete…';
    },
    icon: deleteIcon,
    isEnabled: () => section.selectedEntries().some(e => e.kind !== 'bucket'),
    execute: () => section.deleteEntries(section.selectedEntries())
  });
}

function addContextMenu(app: JupyterFrontEnd): void {
  const add = (command: string, selector: string, rank: number): void => {
    app.contextMenu.addItem({ command, selector, rank });
  };
  add(S3CommandIDs.open, OBJECT_ROW, 1);
  add(S3CommandIDs.preview, OBJECT_ROW, 2);
  add(S3CommandIDs.download, OBJECT_ROW, 3);
  add(S3CommandIDs.copyUri, OBJECT_ROW, 10);
  add(S3CommandIDs.copySnippet, OBJECT_ROW, 11);
  add(S3CommandIDs.presign, OBJECT_ROW, 12);
  add(S3CommandIDs.rename, OBJECT_ROW, 20);
  add(S3CommandIDs.deleteItems, OBJECT_ROW, 21);

  add(S3CommandIDs.open, FOLDER_ROW, 1);
  add(S3CommandIDs.copyUri, FOLDER_ROW, 10);
  add(S3CommandIDs.rename, FOLDER_ROW, 20);
  add(S3CommandIDs.deleteItems, FOLDER_ROW, 21);

  add(S3CommandIDs.open, BUCKET_ROW, 1);
  add(S3CommandIDs.copyUri, BUCKET_ROW, 10);
}
