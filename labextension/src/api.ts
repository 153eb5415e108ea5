/**
 * Requests to the extension's REST API under `<base url>/mlstudio/api/`.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { APIError, readJSONReply } from './reply';

export { APIError } from './reply';

/** Path of the extension's API below the server's base URL. */
export const API_NAMESPACE = 'mlstudio/api';

/**
 * Call the extension's REST API and return the parsed JSON reply.
 *
 * @param path - route below `mlstudio/api/`, e.g. `"status"`
 * @param init - fetch options (method, body, ...)
 * @param settings - server connection settings; the page's by default
 * @throws APIError with the server's `message` for a non-2xx reply, or a
 *   readable message when the server cannot be reached or the reply is not JSON
 */
export async function requestAPI<T>(
  path = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, path);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    const detail =
      error instanceof Error && error.message ? `: ${error.message}` : '';
    throw new APIError(`Cannot reach the Jupyter server${detail}`, 0);
  }
  return readJSONReply<T>(response);
}
