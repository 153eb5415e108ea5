/**
 * The example gallery plugin: the gallery view and its commands, launcher
 * and palette entries, the sidebar's "Examples" section and "Share as
 * example" on the notebook toolbar and in the file browser's context menu.
 */
import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  type MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { ToolbarButton, type Toolbar } from '@jupyterlab/ui-components';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import type { Widget } from '@lumino/widgets';

import { GALLERY_ID, GalleryActions } from '../gallery/actions';
import { GalleryClient } from '../gallery/client';
import { galleryIcon, shareIcon } from '../gallery/icons';
import { GalleryModel } from '../gallery/model';
import type { IGalleryQuery, ReviewFilter } from '../gallery/query';
import { ExamplesSection } from '../gallery/section';
import { GalleryView } from '../gallery/view';
import { IMLStudio } from '../tokens';
import { mainAreaWidget, notifyFailure } from './mainarea';

/** Command ids of the gallery. */
export namespace GalleryCommandIDs {
  /** Open the gallery; optional args `q`, `category`, `tag`, `reviewed`. */
  export const openGallery = 'mlstudio:open-gallery';
  /** Share a notebook; optional args `path`, or `source: "filebrowser"`. */
  export const shareExample = 'mlstudio:share-example';
}

/** Palette and launcher category. */
const CATEGORY = 'ML Studio';

/** Rank of the "Examples" section in the ML Studio sidebar. */
const SECTION_RANK = 20;

/** Notebooks in the file browser's listing. */
const NOTEBOOK_ITEM_SELECTOR = '.jp-DirListing-item[data-file-type="notebook"]';

/** What the command needs of an open document widget. */
interface IDocumentLike {
  context: {
    path: string;
    model: { dirty: boolean };
    save(): Promise<void>;
  };
}

/** The document context of a widget, if it is a document widget. */
function documentOf(
  widget: Widget | null | undefined
): IDocumentLike['context'] | null {
  const context = (widget as Partial<IDocumentLike> | null | undefined)
    ?.context;
  return context && typeof context.path === 'string' ? context : null;
}

/** Gallery filters from command arguments. */
function queryFromArgs(
  args: ReadonlyPartialJSONObject
): Partial<IGalleryQuery> {
  const patch: Partial<IGalleryQuery> = {};
  for (const key of ['q', 'category', 'tag'] as const) {
    if (typeof args[key] === 'string') {
      patch[key] = args[key] as string;
    }
  }
  const reviewed = args.reviewed;
  if (
    reviewed === 'all' ||
    reviewed === 'reviewed' ||
    reviewed === 'unreviewed'
  ) {
    patch.reviewed = reviewed as ReviewFilter;
  }
  return patch;
}

/** Provides the example gallery. */
export const galleryPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlstudio:gallery',
  description:
    'The example gallery: browse, preview, use, share and review example notebooks.',
  autoStart: true,
  optional: [
    IMLStudio,
    ICommandPalette,
    ILauncher,
    IFileBrowserFactory,
    ILayoutRestorer
  ],
  activate: (
    app: JupyterFrontEnd,
    studio: IMLStudio | null,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    browsers: IFileBrowserFactory | null,
    restorer: ILayoutRestorer | null
  ): void => {
    const client = new GalleryClient();
    const actions = new GalleryActions(app, client);
    const tracker = new WidgetTracker<MainAreaWidget<GalleryView>>({
      namespace: 'mlstudio-gallery'
    });

    /** The open gallery, or a new one added to the main area. */
    const gallery = (): MainAreaWidget<GalleryView> => {
      const open = tracker.currentWidget;
      if (open && !open.isDisposed) {
        return open;
      }
      const widget = mainAreaWidget(new GalleryView(new GalleryModel(client), actions), {
        id: GALLERY_ID,
        label: 'Example Gallery',
        caption: 'Example notebooks: browse, preview, use and share',
        icon: galleryIcon
      });
      void tracker.add(widget);
      app.shell.add(widget, 'main');
      return widget;
    };

    app.commands.addCommand(GalleryCommandIDs.openGallery, {
      label: 'Example Gallery',
      caption: 'Browse, preview and use example notebooks',
      icon: galleryIcon,
      execute: async args => {
        const widget = gallery();
        app.shell.activateById(widget.id);
        const patch = queryFromArgs(args);
        if (Object.keys(patch).length) {
          await widget.content.setQuery(patch);
        }
      }
    });

    /** The notebook the share command is about, or null. */
    const sharePath = (args: ReadonlyPartialJSONObject): string | null => {
      if (typeof args.path === 'string' && args.path) {
        return args.path;
      }
      if (args.source === 'filebrowser') {
        const browser = browsers?.tracker.currentWidget;
        for (const item of browser?.selectedItems() ?? []) {
          if (item.type === 'notebook' || item.path.endsWith('.ipynb')) {
            return item.path;
          }
        }
        return null;
      }
      const path = documentOf(app.shell.currentWidget)?.path;
      return path && path.endsWith('.ipynb') ? path : null;
    };

    /** Save an open, modified copy of `path` so the shared file is what the user sees. */
    const saveIfOpen = async (path: string): Promise<void> => {
      for (const widget of app.shell.widgets('main')) {
        const context = documentOf(widget);
        if (context?.path === path && context.model.dirty) {
          await context.save();
        }
      }
    };

    app.commands.addCommand(GalleryCommandIDs.shareExample, {
      label: args =>
        args.source === 'filebrowser'
          ? 'Share as Example…'
          : 'Share Notebook as Example…',
      caption:
        'Submit a notebook to the example gallery; it is listed as unreviewed until approved',
      icon: shareIcon,
      execute: async args => {
        const path = sharePath(args);
        if (!path) {
          Notification.warning(
            'Open or select a notebook to share it as an example.',
            {
              autoClose: 5000
            }
          );
          return;
        }
        try {
          await saveIfOpen(path);
        } catch (error) {
          notifyFailure(`save ${path} before sharing`, error);
          return;
        }
        const categories = await client
          .list('examples?max_results=1')
          .then(reply => reply.categories ?? [])
          .catch(() => [] as string[]);
        const example = await actions.share(path, categories);
        if (example) {
          Notification.success(
            `Shared “${example.title}” as an example. It is listed as unreviewed until a reviewer approves it.`,
            {
              autoClose: 10000,
              actions: [
                {
                  label: 'Open gallery',
                  caption: 'Show the unreviewed examples',
                  callback: () =>
                    void app.commands.execute(GalleryCommandIDs.openGallery, {
                      q: '',
                      category: '',
                      tag: '',
                      reviewed: 'unreviewed'
                    })
                }
              ]
            }
          );
        }
      }
    });

    palette?.addItem({
      command: GalleryCommandIDs.openGallery,
      category: CATEGORY
    });
    palette?.addItem({
      command: GalleryCommandIDs.shareExample,
      category: CATEGORY
    });
    launcher?.add({
      command: GalleryCommandIDs.openGallery,
      category: CATEGORY,
      rank: 10
    });

    app.contextMenu.addItem({
      command: GalleryCommandIDs.shareExample,
      selector: NOTEBOOK_ITEM_SELECTOR,
      args: { source: 'filebrowser' },
      rank: 60
    });

    app.docRegistry.addWidgetExtension('Notebook', {
      createNew: (
        widget: Widget,
        context: DocumentRegistry.IContext<DocumentRegistry.IModel>
      ) => {
        const toolbar = (widget as Widget & { toolbar?: Toolbar }).toolbar;
        const button = new ToolbarButton({
          icon: shareIcon,
          tooltip: 'Share as example',
          className: 'jp-mlstudio-share-button',
          onClick: () =>
            void app.commands.execute(GalleryCommandIDs.shareExample, {
              path: context.path
            })
        });
        if (
          toolbar &&
          !toolbar.insertAfter('cellType', 'mlstudio-share-example', button)
        ) {
          toolbar.addItem('mlstudio-share-example', button);
        }
        return button;
      }
    });

    if (studio) {
      studio.addSection(
        new ExamplesSection(actions, () => {
          void app.commands.execute(GalleryCommandIDs.openGallery);
        }),
        { rank: SECTION_RANK }
      );
    }

    if (restorer) {
      void restorer.restore(tracker, {
        command: GalleryCommandIDs.openGallery,
        name: () => 'gallery'
      });
    }
  }
};
