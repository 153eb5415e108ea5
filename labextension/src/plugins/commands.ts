/**
 * ML Studio's commands and their command palette entries.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';

import { mlstudioIcon } from '../icons';
import { SIDEBAR_ID } from '../sidebar/panel';
import { IMLStudio } from '../tokens';

/** Command ids. */
export namespace CommandIDs {
  export const openSidebar = 'mlstudio:open-sidebar';
}

/** Palette category of ML Studio's commands. */
const PALETTE_CATEGORY = 'ML Studio';

/** Registers `mlstudio:open-sidebar` and puts it in the command palette. */
export const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlstudio:commands',
  description: 'ML Studio commands.',
  autoStart: true,
  requires: [IMLStudio],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    _studio: IMLStudio,
    palette: ICommandPalette | null
  ): void => {
    app.commands.addCommand(CommandIDs.openSidebar, {
      label: 'Open ML Studio',
      caption: 'Show the ML Studio sidebar',
      icon: mlstudioIcon,
      execute: () => {
        app.shell.activateById(SIDEBAR_ID);
      }
    });
    palette?.addItem({
      command: CommandIDs.openSidebar,
      category: PALETTE_CATEGORY
    });
  }
};
