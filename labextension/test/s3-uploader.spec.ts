import { APIError } from '../src/reply';
import { authHeaders, startUpload, UploadCancelled, xsrfCookie } from '../src/s3/uploader';

/** Just enough of XMLHttpRequest for the uploader; the test drives its events. */
class FakeXHR {
  static last: FakeXHR | null = null;
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: unknown = null;
  status = 0;
  statusText = '';
  responseText = '';
  aborted = false;
  upload: { onprogress: ((e: ProgressEvent) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  ontimeout: (() => void) | null = null;

  constructor() {
    FakeXHR.last = this;
  }
  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }
  send(body: unknown): void {
    this.body = body;
  }
  abort(): void {
    this.aborted = true;
    this.onabort?.();
  }
  // test helpers
  progress(loaded: number, total: number, computable = true): void {
    this.upload.onprogress?.({ loaded, total, lengthComputable: computable } as ProgressEvent);
  }
  respond(status: number, body: unknown, statusText = ''): void {
    this.status = status;
    this.statusText = statusText;
    this.responseText = typeof body === 'string' ? body : JSON.stringify(body);
    this.onload?.();
  }
}

const create = (): XMLHttpRequest => new FakeXHR() as unknown as XMLHttpRequest;

function start(onProgress = jest.fn()) {
  const body = new Blob(['x'.repeat(1000)]);
  const handle = startUpload({
    url: 'http://h/base/mlstudio/api/s3/default/buckets/b/upload?key=k&overwrite=0',
    body,
    headers: { Authorization: 'token t', 'X-XSRFToken': 'x' },
    onProgress,
    createRequest: create
  });
  return { handle, xhr: FakeXHR.last as FakeXHR, body, onProgress };
}

describe('startUpload', () => {
  it('PUTs the raw body with the auth headers', () => {
    const { xhr, body } = start();
    expect(xhr.method).toBe('PUT');
    expect(xhr.url).toBe('http://h/base/mlstudio/api/s3/default/buckets/b/upload?key=k&overwrite=0');
    expect(xhr.headers).toEqual({ Authorization: 'token t', 'X-XSRFToken': 'x' });
    expect(xhr.body).toBe(body);
  });

  it('reports progress events, then resolves with the 201 reply', async () => {
    const { handle, xhr, onProgress } = start();
    xhr.progress(100, 1000);
    xhr.progress(600, 0, false); // no total: the body size is used
    xhr.respond(201, { bucket: 'b', key: 'k', size: 1000, etag: 'e' });
    await expect(handle.done).resolves.toEqual({ bucket: 'b', key: 'k', size: 1000, etag: 'e' });
    expect(onProgress.mock.calls.map(c => c[0])).toEqual([
      { loaded: 100, total: 1000 },
      { loaded: 600, total: 1000 },
      { loaded: 1000, total: 1000 }
    ]);
  });

  it('turns a 409 JSON reply into an APIError with the reason', async () => {
    const { handle, xhr } = start();
    xhr.respond(409, { message: 's3://b/k already exists', reason: 'ObjectExists' }, 'Conflict');
    const error = (await handle.done.catch((e: unknown) => e)) as APIError;
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(409);
    expect(error.reason).toBe('ObjectExists');
    expect(error.message).toBe('s3://b/k already exists');
  });

  it('gives a readable error for a non-JSON error page', async () => {
    const { handle, xhr } = start();
    xhr.respond(502, '<html>Traceback …</html>', 'Bad Gateway');
    const error = (await handle.done.catch((e: unknown) => e)) as APIError;
    expect(error.message).toBe('The server answered 502 Bad Gateway (not a JSON reply).');
  });

  it('abort() cancels the request and rejects with UploadCancelled', async () => {
    const { handle, xhr, onProgress } = start();
    xhr.progress(10, 1000);
    handle.abort();
    expect(xhr.aborted).toBe(true);
    await expect(handle.done).rejects.toBeInstanceOf(UploadCancelled);
    xhr.progress(20, 1000); // late events are ignored
    expect(onProgress).toHaveBeenCalledTimes(1);
  });

  it('rejects when the request object fires no abort event', async () => {
    const { handle, xhr } = start();
    xhr.onabort = null;
    handle.abort();
    await expect(handle.done).rejects.toBeInstanceOf(UploadCancelled);
  });

  it('reports a lost connection as status 0', async () => {
    const { handle, xhr } = start();
    xhr.onerror?.();
    const error = (await handle.done.catch((e: unknown) => e)) as APIError;
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(0);
    expect(error.message).toMatch(/connection to the Jupyter server was lost/);
  });

  it('ignores abort() once finished', async () => {
    const { handle, xhr } = start();
    xhr.respond(201, { bucket: 'b', key: 'k', size: 1000 });
    await handle.done;
    handle.abort();
    expect(xhr.aborted).toBe(false);
  });
});

describe('auth headers', () => {
  it('sends the token and the _xsrf cookie, the last one when duplicated', () => {
    expect(authHeaders('tok', 'a=1; _xsrf=2|abc; b=3')).toEqual({
      Authorization: 'token tok',
      'X-XSRFToken': '2|abc'
    });
    expect(authHeaders('', '')).toEqual({});
    expect(xsrfCookie('_xsrf=A; other=1; _xsrf=B')).toBe('B');
    expect(xsrfCookie('not_xsrf=A')).toBeNull();
  });
});
