/**
 * Browser uploads with progress and cancel: one `PUT …/upload` through
 * XMLHttpRequest (fetch reports no upload progress). No JupyterLab imports,
 * so it runs under jest with a fake XMLHttpRequest.
 */
import { APIError, readJSONReply } from '../reply';
import type { IUploadReply } from './types';

/** Bytes sent so far. */
export interface IUploadProgress {
  loaded: number;
  total: number;
}

/** What to upload where. */
export interface IUploadRequest {
  /** The full `…/upload?key=…` URL. */
  url: string;
  /** The file (or any Blob); sent as the raw request body. */
  body: Blob;
  /** Auth headers, see `authHeaders`. */
  headers?: Record<string, string>;
  /** Called as the body goes out. */
  onProgress?: (progress: IUploadProgress) => void;
  /** Makes the request object; `new XMLHttpRequest()` by default (tests pass a fake). */
  createRequest?: () => XMLHttpRequest;
}

/** A running upload. */
export interface IUploadHandle {
  /** Resolves with the server's reply; rejects with `APIError` or `UploadCancelled`. */
  readonly done: Promise<IUploadReply>;
  /** Stop sending; `done` rejects with `UploadCancelled`. */
  abort(): void;
}

/** The upload was cancelled by `abort()`. */
export class UploadCancelled extends Error {
  constructor() {
    super('Upload cancelled');
    this.name = 'UploadCancelled';
  }
}

/**
 * The headers `ServerConnection.makeRequest` would send: `Authorization:
 * token …` when the page has a token, and `X-XSRFToken` from the `_xsrf`
 * cookie (tornado checks it on PUT for cookie-authenticated users).
 */
export function authHeaders(token: string, cookie: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (token) {
    headers['Authorization'] = `token ${token}`;
  }
  const xsrf = xsrfCookie(cookie);
  if (xsrf !== null) {
    headers['X-XSRFToken'] = xsrf;
  }
  return headers;
}

/**
 * The `_xsrf` cookie's value in `document.cookie` text, or `null`. With
 * duplicates (several paths) the last one wins, as tornado reads them.
 */
export function xsrfCookie(cookie: string): string | null {
  let value: string | null = null;
  for (const part of cookie.split(';')) {
    const trimmed = part.trim();
    if (trimmed.startsWith('_xsrf=')) {
      value = trimmed.slice('_xsrf='.length);
    }
  }
  return value;
}

/**
 * Start one upload; the body is streamed by the browser, so files of any
 * size go without being read into memory.
 */
export function startUpload(request: IUploadRequest): IUploadHandle {
  const xhr = request.createRequest ? request.createRequest() : new XMLHttpRequest();
  const total = request.body.size;
  let settled = false;
  let resolveDone: (reply: IUploadReply) => void = () => undefined;
  let rejectDone: (error: Error) => void = () => undefined;
  const done = new Promise<IUploadReply>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const fail = (error: Error): void => {
    if (!settled) {
      settled = true;
      rejectDone(error);
    }
  };

  xhr.open('PUT', request.url, true);
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    xhr.setRequestHeader(name, value);
  }
  xhr.upload.onprogress = (event: ProgressEvent) => {
    if (!settled) {
      request.onProgress?.({
        loaded: event.loaded,
        total: event.lengthComputable && event.total > 0 ? event.total : total
      });
    }
  };
  xhr.onload = () => {
    if (settled) {
      return;
    }
    const text = xhr.responseText ?? '';
    const response = new Response(text === '' ? null : text, {
      status: xhr.status,
      statusText: xhr.statusText
    });
    readJSONReply<IUploadReply>(response).then(reply => {
      if (!settled) {
        settled = true;
        request.onProgress?.({ loaded: total, total });
        resolveDone(reply);
      }
    }, fail);
  };
  xhr.onerror = () =>
    fail(new APIError('Upload failed: the connection to the Jupyter server was lost.', 0));
  xhr.ontimeout = () => fail(new APIError('Upload failed: the request timed out.', 0));
  xhr.onabort = () => fail(new UploadCancelled());
  xhr.send(request.body);

  return {
    done,
    abort: () => {
      if (!settled) {
        xhr.abort();
        // Also when the request object fires no abort event.
        fail(new UploadCancelled());
      }
    }
  };
}
