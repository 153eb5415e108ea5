/**
 * The sidebar plugin: adds the ML Studio panel to the left area and provides
 * `IMLStudio`.
 */
import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { MLStudioSidebar } from '../sidebar/panel';
import { OverviewSection } from '../sidebar/overview';
import { IMLStudio } from '../tokens';

/** Rank of the panel's tab among the left sidebar's tabs. */
const SIDEBAR_RANK = 600;

/** Provides the ML Studio sidebar with its status header and overview. */
export const sidebarPlugin: JupyterFrontEndPlugin<IMLStudio> = {
  id: 'jupyter-mlstudio:sidebar',
  description: 'The ML Studio sidebar: server status and feature sections.',
  autoStart: true,
  provides: IMLStudio,
  optional: [ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null
  ): IMLStudio => {
    const sidebar = new MLStudioSidebar();
    sidebar.addSection(new OverviewSection(sidebar), { rank: 0 });
    app.shell.add(sidebar, 'left', { rank: SIDEBAR_RANK });
    restorer?.add(sidebar, 'jupyter-mlstudio-sidebar');
    return sidebar;
  }
};
