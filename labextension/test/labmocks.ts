/**
 * Stand-ins for the JupyterLab packages the API clients import
 * (@jupyterlab/services and @jupyterlab/coreutils ship ES modules, which the
 * tests do not load). A spec installs them with
 *
 *   jest.mock('@jupyterlab/services', () => require('./labmocks').services);
 *   jest.mock('@jupyterlab/coreutils', () => require('./labmocks').coreutils);
 *
 * and answers requests through `makeRequest`.
 */

/** ServerConnection.makeRequest: set its replies in each test. */
export const makeRequest = jest.fn();

/** What ServerConnection.makeSettings returns. */
export const serverSettings = { baseUrl: 'http://localhost:8888/base/', token: 'tok' };

/** @jupyterlab/services: a server at http://localhost:8888/base/ with a token. */
export const services = {
  ServerConnection: {
    makeSettings: () => ({ ...serverSettings }),
    makeRequest: (...args: unknown[]) => makeRequest(...args)
  }
};

/** @jupyterlab/coreutils: URLExt.join, joining with single slashes. */
export const coreutils = {
  URLExt: {
    join: (...parts: string[]) =>
      parts.map((p, i) => (i === 0 ? p.replace(/\/+$/, '') : p.replace(/^\/+|\/+$/g, ''))).join('/')
  }
};
