/**
 * requestAPI and readJSONReply.
 *
 * @jupyterlab/services and @jupyterlab/coreutils are ES modules; they are
 * replaced by the stand-ins of labmocks.ts so only our own code runs.
 */
jest.mock('@jupyterlab/services', () => require('./labmocks').services);
jest.mock('@jupyterlab/coreutils', () => require('./labmocks').coreutils);

import { APIError, fetchAPI, requestAPI } from '../src/api';
import { readJSONReply } from '../src/reply';
import { makeRequest, serverSettings } from './labmocks';

function jsonResponse(body: unknown, status = 200, statusText = ''): Response {
  return new Response(JSON.stringify(body), {
    status,
    statusText,
    headers: { 'Content-Type': 'application/json' }
  });
}

beforeEach(() => {
  makeRequest.mockReset();
});

describe('requestAPI', () => {
  it('requests <baseUrl>/mlstudio/api/<path> and returns the parsed JSON', async () => {
    makeRequest.mockResolvedValue(jsonResponse({ version: '0.1.0' }));
    const init = { method: 'GET' };
    await expect(requestAPI<{ version: string }>('status', init)).resolves.toEqual({ version: '0.1.0' });
    expect(makeRequest).toHaveBeenCalledTimes(1);
    const [url, passedInit, settings] = makeRequest.mock.calls[0];
    expect(url).toBe('http://localhost:8888/base/mlstudio/api/status');
    expect(passedInit).toBe(init);
    expect(settings).toEqual(serverSettings);
  });

  it('throws an APIError with the server message for a non-2xx reply', async () => {
    makeRequest.mockResolvedValue(
      jsonResponse({ message: 'no such bucket: data', reason: 'NoSuchBucket' }, 404, 'Not Found')
    );
    const error = await requestAPI('s3/buckets/data').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(Error);
    expect((error as APIError).message).toBe('no such bucket: data');
    expect((error as APIError).status).toBe(404);
    expect((error as APIError).reason).toBe('NoSuchBucket');
  });

  it('gives a readable message, not the page, for a non-JSON error body', async () => {
    makeRequest.mockResolvedValue(
      new Response('<html><body>Traceback (most recent call last) ...</body></html>', {
        status: 502,
        statusText: 'Bad Gateway'
      })
    );
    const error = (await requestAPI('status').catch((e: unknown) => e)) as APIError;
    expect(error).toBeInstanceOf(APIError);
    expect(error.message).toBe('The server answered 502 Bad Gateway (not a JSON reply).');
    expect(error.message).not.toMatch(/Traceback|<html>/);
    expect(error.status).toBe(502);
  });

  it('reports an unreachable server as an APIError with status 0', async () => {
    makeRequest.mockRejectedValue(new TypeError('Failed to fetch'));
    const error = (await requestAPI('status').catch((e: unknown) => e)) as APIError;
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(0);
    expect(error.message).toBe('Cannot reach the Jupyter server: Failed to fetch');
  });
});

describe('readJSONReply', () => {
  it('falls back to the status line when the error body has no message', async () => {
    const error = (await readJSONReply(jsonResponse({ reason: 'Forbidden' }, 403, 'Forbidden')).catch(
      (e: unknown) => e
    )) as APIError;
    expect(error.message).toBe('The server answered 403 Forbidden.');
    expect(error.reason).toBe('Forbidden');
  });

  it('rejects a 2xx reply that is not JSON', async () => {
    await expect(readJSONReply(new Response('<html>login</html>', { status: 200 }))).rejects.toThrow(
      'The server answered 200 but the reply is not JSON.'
    );
  });

  it('returns null for an empty 2xx body', async () => {
    await expect(readJSONReply(new Response(null, { status: 204 }))).resolves.toBeNull();
  });
});

describe('fetchAPI', () => {
  it('returns the raw reply of a non-JSON route, errors included', async () => {
    makeRequest.mockResolvedValue(new Response('1,2', { status: 415, headers: { 'Content-Type': 'text/csv' } }));
    const init = { method: 'POST', body: '1,2', headers: { 'Content-Type': 'text/csv' } };
    const response = await fetchAPI('endpoints/e/invocations', init);
    expect(response.status).toBe(415);
    expect(await response.text()).toBe('1,2');
    expect(makeRequest.mock.calls[0][0]).toBe('http://localhost:8888/base/mlstudio/api/endpoints/e/invocations');
    expect(makeRequest.mock.calls[0][1]).toBe(init);
  });

  it('reports an unreachable server as an APIError with status 0', async () => {
    makeRequest.mockRejectedValue(new TypeError('Failed to fetch'));
    const error = (await fetchAPI('status').catch((e: unknown) => e)) as APIError;
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(0);
    expect(error.message).toBe('Cannot reach the Jupyter server: Failed to fetch');
  });
});
