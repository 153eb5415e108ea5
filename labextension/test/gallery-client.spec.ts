/**
 * GalleryClient against a fake ServerConnection (the JupyterLab packages are
 * ES modules; they are replaced by the stand-ins of labmocks.ts).
 */
jest.mock('@jupyterlab/services', () => require('./labmocks').services);
jest.mock('@jupyterlab/coreutils', () => require('./labmocks').coreutils);

import { APIError } from '../src/api';
import { GalleryClient } from '../src/gallery/client';
import { makeRequest } from './labmocks';
import { example } from './gallery-fixtures';

const BASE = 'http://localhost:8888/base/mlstudio/api';

function json(body: unknown, status = 200): Response {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' }
  });
}

beforeEach(() => makeRequest.mockReset());

describe('GalleryClient', () => {
  it('posts "use" with the folder, name and strip flag', async () => {
    makeRequest.mockResolvedValue(
      json({ path: 'examples/s3-magics-1.ipynb' }, 201)
    );
    const client = new GalleryClient();
    const reply = await client.use('YnVp', {
      folder: 'examples',
      name: 's3-magics.ipynb',
      strip_outputs: true
    });
    expect(reply.path).toBe('examples/s3-magics-1.ipynb');
    const [url, init] = makeRequest.mock.calls[0];
    expect(url).toBe(`${BASE}/examples/YnVp/use`);
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body)).toEqual({
      folder: 'examples',
      name: 's3-magics.ipynb',
      strip_outputs: true
    });
  });

  it('fetches the preview as text without scripts', async () => {
    makeRequest.mockResolvedValue(
      new Response(
        '<html><script>x()</script><h1>S3 from notebook magics</h1></html>',
        { status: 200 }
      )
    );
    const html = await new GalleryClient().preview('YnVp');
    expect(makeRequest.mock.calls[0][0]).toBe(`${BASE}/examples/YnVp/preview`);
    expect(html).toBe('<html><h1>S3 from notebook magics</h1></html>');
  });

  it('turns a 422 preview into the server message', async () => {
    makeRequest.mockResolvedValue(
      json(
        { message: 'cannot preview: not JSON', reason: 'InvalidNotebook' },
        422
      )
    );
    const error = (await new GalleryClient()
      .preview('x')
      .catch((e: unknown) => e)) as APIError;
    expect(error).toBeInstanceOf(APIError);
    expect(error.message).toBe('cannot preview: not JSON');
    expect(error.reason).toBe('InvalidNotebook');
  });

  it('signals a change after share, review and delete', async () => {
    const client = new GalleryClient();
    const changed = jest.fn();
    client.changed.connect(changed);
    makeRequest.mockResolvedValueOnce(json(example({ reviewed: false }), 201));
    await client.share({
      path: 'a.ipynb',
      title: 'A',
      summary: '',
      tags: [],
      category: ''
    });
    makeRequest.mockResolvedValueOnce(json({ action: 'rejected', id: 'x' }));
    await client.review('x', 'reject');
    makeRequest.mockResolvedValueOnce(json(null, 204));
    await client.remove('x');
    expect(changed).toHaveBeenCalledTimes(3);
    expect(makeRequest.mock.calls.map(c => [c[0], c[1].method])).toEqual([
      [`${BASE}/examples`, 'POST'],
      [`${BASE}/examples/x/review`, 'POST'],
      [`${BASE}/examples/x`, 'DELETE']
    ]);
    expect(JSON.parse(makeRequest.mock.calls[1][1].body)).toEqual({
      action: 'reject'
    });
  });

  it('keeps the reason of a refused review', async () => {
    makeRequest.mockResolvedValue(
      json(
        {
          message: 'only reviewers may review examples',
          reason: 'NotAReviewer'
        },
        403
      )
    );
    const error = (await new GalleryClient()
      .review('x', 'approve')
      .catch((e: unknown) => e)) as APIError;
    expect(error.reason).toBe('NotAReviewer');
  });

  it('starts and polls validation runs', async () => {
    const client = new GalleryClient();
    makeRequest.mockResolvedValueOnce(
      json(
        { id: 'abc', status: 'InProgress', total: 1, done: 0, results: [] },
        202
      )
    );
    await client.startValidation();
    makeRequest.mockResolvedValueOnce(
      json({ id: 'abc', status: 'Completed', total: 1, done: 1, results: [] })
    );
    await client.validation('abc');
    expect(makeRequest.mock.calls[0][0]).toBe(`${BASE}/examples/validations`);
    expect(JSON.parse(makeRequest.mock.calls[0][1].body)).toEqual({});
    expect(makeRequest.mock.calls[1][0]).toBe(
      `${BASE}/examples/validations/abc`
    );
  });
});
