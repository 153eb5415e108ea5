/**
 * What the gallery's buttons and commands do that involves the rest of
 * JupyterLab: open a preview tab, copy an example and open the copy, share a
 * notebook.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import {
  MainAreaWidget,
  Notification,
  ToolbarButton
} from '@jupyterlab/apputils';
import { refreshIcon } from '@jupyterlab/ui-components';

import { APIError } from '../reply';
import { errorText } from '../status';
import type { GalleryClient } from './client';
import { askShare, askUse } from './dialogs';
import { shareFormDefaults, useFormDefaults, type IUseForm } from './forms';
import { galleryIcon } from './icons';
import { PreviewView } from './preview';
import type { IExample } from './types';

/** DOM id of the gallery's main area widget. */
export const GALLERY_ID = 'jp-mlstudio-gallery';

/** Command that opens a document (`@jupyterlab/docmanager-extension`). */
const OPEN_DOCUMENT = 'docmanager:open';

/** Reasons of replies that mean "fix the form and try again". */
const FORM_REASONS = new Set([
  'InvalidName',
  'PathOutsideWorkspace',
  'InvalidArgument',
  'ExampleExists'
]);

/** Whether an error is a problem with what the user typed. */
function isFormError(error: unknown): error is APIError {
  return (
    error instanceof APIError &&
    (FORM_REASONS.has(error.reason ?? '') ||
      error.status === 400 ||
      error.status === 409)
  );
}

/** The gallery's actions, shared by the view, the sidebar section and the commands. */
export class GalleryActions {
  constructor(
    private readonly app: JupyterFrontEnd,
    readonly client: GalleryClient
  ) {}

  /** Open (or bring to front) the preview of an example. */
  preview(example: IExample): void {
    const open = this._previews.get(example.id);
    if (open && !open.isDisposed) {
      this.app.shell.activateById(open.id);
      return;
    }
    const content = new PreviewView(
      () => this.client.preview(example.id),
      example.title
    );
    const widget = new MainAreaWidget({ content });
    widget.id = `jp-mlstudio-preview-${example.id}`;
    widget.addClass('jp-mlstudio-gallery-preview');
    widget.title.label = `Preview: ${example.title}`;
    widget.title.caption = `${example.title} (${example.name}), read-only preview`;
    widget.title.icon = galleryIcon;
    widget.title.closable = true;
    widget.toolbar.addItem(
      'use',
      new ToolbarButton({
        label: 'Use',
        tooltip: 'Copy this example to your workspace and open it',
        className: 'jp-mlstudio-preview-use',
        onClick: () => void this.use(example)
      })
    );
    widget.toolbar.addItem(
      'reload',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: 'Reload the preview',
        onClick: () => void content.reload()
      })
    );
    this._previews.set(example.id, widget);
    widget.disposed.connect(() => {
      if (this._previews.get(example.id) === widget) {
        this._previews.delete(example.id);
      }
    });
    const gallery = this._galleryOpen() ? GALLERY_ID : undefined;
    this.app.shell.add(
      widget,
      'main',
      gallery ? { mode: 'tab-after', ref: gallery } : {}
    );
    this.app.shell.activateById(widget.id);
  }

  /**
   * Ask where to copy an example, copy it and open the copy. Resolves with
   * the new path, or `null` if the user cancelled or it failed (after saying why).
   */
  async use(example: IExample): Promise<string | null> {
    let form: IUseForm = this._lastUse
      ? {
          ...useFormDefaults(example, this._lastUse.folder),
          stripOutputs: this._lastUse.stripOutputs
        }
      : useFormDefaults(example);
    let message = '';
    for (;;) {
      const answer = await askUse(example.title, form, message);
      if (!answer) {
        return null;
      }
      form = answer.form;
      try {
        const { path } = await this.client.use(example.id, answer.request);
        this._lastUse = form;
        await this.app.commands.execute(OPEN_DOCUMENT, { path });
        Notification.success(`Copied “${example.title}” to ${path}.`, {
          autoClose: 4000
        });
        return path;
      } catch (error) {
        if (isFormError(error)) {
          message = error.message;
          continue;
        }
        Notification.error(
          `Could not use “${example.title}”: ${errorText(error)}`,
          {
            autoClose: 8000
          }
        );
        return null;
      }
    }
  }

  /**
   * Ask for the title, summary, tags and category of the notebook at `path`
   * and share it. Resolves with the new example, or `null` if the user
   * cancelled or it failed (after saying why).
   *
   * @param categories - existing categories, offered as suggestions
   */
  async share(
    path: string,
    categories: readonly string[] = []
  ): Promise<IExample | null> {
    if (!path.toLowerCase().endsWith('.ipynb')) {
      Notification.warning(
        'Only notebooks (.ipynb) can be shared as examples.',
        {
          autoClose: 5000
        }
      );
      return null;
    }
    let form = shareFormDefaults(path);
    let message = '';
    for (;;) {
      const answer = await askShare(path, form, { message, categories });
      if (!answer) {
        return null;
      }
      form = answer.form;
      try {
        return await this.client.share(answer.request);
      } catch (error) {
        if (isFormError(error)) {
          message = error.message;
          continue;
        }
        Notification.error(`Could not share ${path}: ${errorText(error)}`, {
          autoClose: 8000
        });
        return null;
      }
    }
  }

  private _galleryOpen(): boolean {
    for (const w of this.app.shell.widgets('main')) {
      if (w.id === GALLERY_ID) {
        return true;
      }
    }
    return false;
  }

  private readonly _previews = new Map<string, MainAreaWidget<PreviewView>>();
  private _lastUse: IUseForm | null = null;
}
