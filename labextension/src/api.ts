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
 * Send a request to the extension's REST API and return the raw reply, for
 * routes whose bodies are not JSON (an endpoint invocation, say).
 *
 * @param path - route below `mlstudio/api/`, e.g. `"status"`
 * @param init - fetch options (method, body, headers, ...)
 * @param settings - server connection settings; the page's by default
 * @throws APIError (status 0) when the server cannot be reached
 */
export async function fetchAPI(
  path = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<Response> {
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, path);
  try {
    return await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    const detail =
      error instanceof Error && error.message ? `: ${error.message}` : '';
    throw new APIError(`Cannot reach the Jupyter server${detail}`, 0);
  }
}

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
  return readJSONReply<T>(await fetchAPI(path, init, settings));
}
