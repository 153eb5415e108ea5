/**
 * jupyter-mlstudio: the JupyterLab front end of jupyter_mlstudio.
 */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { commandsPlugin } from './plugins/commands';
import { endpointsPlugin } from './plugins/endpoints';
import { galleryPlugin } from './plugins/gallery';
import { kernelsPlugin } from './plugins/kernels';
import { s3Plugin } from './plugins/s3';
import { sidebarPlugin } from './plugins/sidebar';
import { trainingPlugin } from './plugins/training';
import { tuningPlugin } from './plugins/tuning';

export { APIError, requestAPI } from './api';
export { DEFAULT_SECTION_RANK, IMLStudio } from './tokens';
export type { IStatusReply, StatusState } from './status';

const plugins: JupyterFrontEndPlugin<any>[] = [
  sidebarPlugin,
  commandsPlugin,
  galleryPlugin,
  s3Plugin,
  trainingPlugin,
  tuningPlugin,
  endpointsPlugin,
  kernelsPlugin
];

export default plugins;
