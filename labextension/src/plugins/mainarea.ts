/**
 * What the plugins' commands share: main-area tabs for views and forms
 * (tracked and restored by name), clipboard copies and failure notices.
 */
import type { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { Clipboard, MainAreaWidget, Notification, type WidgetTracker } from '@jupyterlab/apputils';
import type { LabIcon } from '@jupyterlab/ui-components';
import type { Widget } from '@lumino/widgets';

import { mlstudioIcon } from '../icons';
import { errorText } from '../status';

/** The id and title of a main-area tab. */
export interface ITabOptions {
  id: string;
  label: string;
  caption: string;
  /** ML Studio's icon by default. */
  icon?: LabIcon;
}

/** `content` in a closable main-area tab, not yet added to the shell. */
export function mainAreaWidget<T extends Widget>(content: T, tab: ITabOptions): MainAreaWidget<T> {
  const widget = new MainAreaWidget({ content });
  widget.id = tab.id;
  widget.title.label = tab.label;
  widget.title.caption = tab.caption;
  widget.title.icon = tab.icon ?? mlstudioIcon;
  widget.title.closable = true;
  return widget;
}

/**
 * Open a new tab in the main area and show it; `create` makes its content and
 * gets a function that closes the tab (e.g. once a form has done its work).
 */
export function openInMainArea<T extends Widget>(
  shell: JupyterFrontEnd.IShell,
  tab: ITabOptions,
  create: (close: () => void) => T
): MainAreaWidget<T> {
  let widget: MainAreaWidget<T> | null = null;
  const content = create(() => widget?.dispose());
  widget = mainAreaWidget(content, tab);
  shell.add(widget, 'main');
  shell.activateById(tab.id);
  return widget;
}

/** Show the tab of `tracker` with the id `tab.id` if one is open, else open and track a new one. */
export function openTracked<T extends Widget>(
  shell: JupyterFrontEnd.IShell,
  tracker: WidgetTracker<MainAreaWidget<T>>,
  tab: ITabOptions,
  create: (close: () => void) => T
): MainAreaWidget<T> {
  const open = tracker.find(w => w.id === tab.id);
  if (open) {
    shell.activateById(tab.id);
    return open;
  }
  const widget = openInMainArea(shell, tab, create);
  void tracker.add(widget);
  return widget;
}

/**
 * Delete `name` through `confirm` (true once deleted, false when cancelled),
 * then close its tab (`id`) in `tracker`; a failure is notified.
 */
export async function deleteAndClose(
  confirm: () => Promise<boolean>,
  tracker: WidgetTracker<Widget>,
  id: string,
  name: string
): Promise<void> {
  try {
    if (await confirm()) {
      tracker.find(w => w.id === id)?.dispose();
    }
  } catch (error) {
    notifyFailure(`delete ${name}`, error);
  }
}

/** Reopen the tabs of `tracker` after a reload by running `command` with each view's `name`. */
export function restoreByName<T extends Widget & { readonly name: string }>(
  restorer: ILayoutRestorer,
  tracker: WidgetTracker<MainAreaWidget<T>>,
  command: string
): void {
  void restorer.restore(tracker, {
    command,
    args: widget => ({ name: widget.content.name }),
    name: widget => widget.content.name
  });
}

/** Copy `text` to the system clipboard and say `message` for `autoClose` ms. */
export function copyToClipboard(text: string, message = 'Copied to the clipboard', autoClose = 3000): void {
  Clipboard.copyToSystem(text);
  Notification.success(message, { autoClose });
}

/** Say "Could not <what>: <why>" in an error notification. */
export function notifyFailure(what: string, error: unknown): void {
  Notification.error(`Could not ${what}: ${errorText(error)}`, { autoClose: 8000 });
}
