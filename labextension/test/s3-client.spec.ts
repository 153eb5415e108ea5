/**
 * The S3 REST client: the URLs and bodies it sends. @jupyterlab/services and
 * @jupyterlab/coreutils are replaced by the stand-ins of labmocks.ts (ES modules).
 */
jest.mock('@jupyterlab/services', () => require('./labmocks').services);
jest.mock('@jupyterlab/coreutils', () => require('./labmocks').coreutils);

import { APIError } from '../src/reply';
import * as client from '../src/s3/client';
import { makeRequest } from './labmocks';

const API = 'http://localhost:8888/base/mlstudio/api';

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function lastCall(): { url: string; init: RequestInit } {
  const [url, init] = makeRequest.mock.calls[makeRequest.mock.calls.length - 1];
  return { url, init };
}

beforeEach(() => {
  makeRequest.mockReset();
  makeRequest.mockImplementation(async () => json({}));
});

afterEach(() => {
  delete (globalThis as { document?: unknown }).document;
});

describe('query', () => {
  it('keeps only set parameters, encoded', () => {
    expect(client.query({ a: 'x/y z', b: null, c: undefined, d: '', e: false, f: true, g: 5 })).toBe(
      '?a=x%2Fy%20z&f=1&g=5'
    );
    expect(client.query({})).toBe('');
  });
});

describe('listing', () => {
  it('lists one page with continuation_token (not token, which Jupyter reserves)', async () => {
    await client.listObjects('default', 'my bucket', { prefix: 'd/', continuationToken: 'a+b/c=' });
    expect(lastCall().url).toBe(
      `${API}/s3/default/buckets/my%20bucket/objects?prefix=d%2F&continuation_token=a%2Bb%2Fc%3D&page_size=1000`
    );
  });

  it('lists recursively for a key-prefix search', async () => {
    await client.listObjects('default', 'b', { prefix: 'd/x', recursive: true, pageSize: 10 });
    expect(lastCall().url).toBe(`${API}/s3/default/buckets/b/objects?prefix=d%2Fx&page_size=10&recursive=1`);
  });

  it('lists connections and buckets', async () => {
    await client.listConnections();
    expect(lastCall().url).toBe(`${API}/s3/connections`);
    await client.listBuckets('other');
    expect(lastCall().url).toBe(`${API}/s3/other/buckets`);
  });

  it('raises the server error with its reason', async () => {
    makeRequest.mockResolvedValue(json({ message: 'list s3://nope/: no such bucket', reason: 'NoSuchBucket' }, 404));
    const error = (await client.listObjects('default', 'nope').catch((e: unknown) => e)) as APIError;
    expect(error).toBeInstanceOf(APIError);
    expect(error.reason).toBe('NoSuchBucket');
  });
});

describe('changes', () => {
  it('posts JSON bodies to the routes', async () => {
    const cases: [() => Promise<unknown>, string, unknown][] = [
      [() => client.createBucket('default', 'nb'), 's3/default/buckets', { name: 'nb' }],
      [() => client.createFolder('default', 'b', 'x/'), 's3/default/buckets/b/folders', { prefix: 'x/' }],
      [() => client.deleteEntries('default', 'b', ['k'], ['p/']), 's3/default/buckets/b/delete', { keys: ['k'], prefixes: ['p/'] }],
      [
        () => client.copyEntry('default', 'b', 'a', 'c', { move: true }),
        's3/default/buckets/b/copy',
        { source: 'a', dest: 'c', dest_bucket: 'b', move: true }
      ],
      [() => client.presign('default', 'b', 'k', 900), 's3/default/buckets/b/presign', { key: 'k', expires_in: 900 }],
      [() => client.openInWorkspace('default', 'b', 'n.ipynb'), 's3/default/buckets/b/open', { key: 'n.ipynb' }],
      [
        () => client.uploadFromWorkspace('default', 'b', 'work/f.csv', 'd/f.csv'),
        's3/default/buckets/b/upload-from-workspace',
        { path: 'work/f.csv', key: 'd/f.csv', overwrite: false }
      ]
    ];
    for (const [call, route, body] of cases) {
      await call();
      const { url, init } = lastCall();
      expect(url).toBe(`${API}/${route}`);
      expect(init.method).toBe('POST');
      expect(JSON.parse(init.body as string)).toEqual(body);
    }
  });

  it('asks for metadata with the key as a parameter', async () => {
    await client.headObject('default', 'b', 'a b/c.txt');
    expect(lastCall().url).toBe(`${API}/s3/default/buckets/b/object?key=a%20b%2Fc.txt`);
  });
});

describe('downloads', () => {
  it('builds the download URL with the _xsrf cookie, as JupyterLab does', () => {
    (globalThis as { document?: unknown }).document = { cookie: 'x=1; _xsrf=2|ab|cd' };
    expect(client.downloadUrl('default', 'b', 'd/f.csv')).toBe(
      `${API}/s3/default/buckets/b/download?key=d%2Ff.csv&_xsrf=2%7Cab%7Ccd`
    );
    expect(client.downloadUrl('default', 'b', 'f', { inline: true, xsrf: false })).toBe(
      `${API}/s3/default/buckets/b/download?key=f&inline=1`
    );
  });

  it('fetches the first bytes with a Range header for previews', async () => {
    makeRequest.mockResolvedValue(
      new Response('abc', { status: 206, headers: { 'Content-Range': 'bytes 0-2/10' } })
    );
    const reply = await client.fetchHead('default', 'b', 'k.txt', 3);
    const { url, init } = lastCall();
    expect(url).toBe(`${API}/s3/default/buckets/b/download?key=k.txt&inline=1`);
    expect(init.headers).toEqual({ Range: 'bytes=0-2' });
    expect(await reply.blob.text()).toBe('abc');
    expect(reply.total).toBe(10);
    expect(reply.partial).toBe(true);
  });

  it('treats an empty object (416) as empty, and errors as APIError', async () => {
    makeRequest.mockResolvedValue(new Response(null, { status: 416 }));
    await expect(client.fetchHead('default', 'b', 'empty', 10)).resolves.toMatchObject({ total: 0, partial: false });
    makeRequest.mockResolvedValue(json({ message: 'access denied', reason: 'AccessDenied' }, 403));
    await expect(client.fetchBlob('default', 'b', 'k')).rejects.toBeInstanceOf(APIError);
  });
});
