/**
 * jupyter-mlstudio: the JupyterLab front end of jupyter_mlstudio.
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { commandsPlugin } from './plugins/commands';
import { sidebarPlugin } from './plugins/sidebar';

export { APIError, requestAPI } from './api';
export { DEFAULT_SECTION_RANK, IMLStudio } from './tokens';
export type { IStatusReply, StatusState } from './status';

const plugins: JupyterFrontEndPlugin<any>[] = [sidebarPlugin, commandsPlugin];

export default plugins;
