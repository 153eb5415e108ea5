/**
 * Decoding of the extension's JSON replies (no JupyterLab imports).
 */

/** An unsuccessful API call, with the server's message as `message`. */
export class APIError extends Error {
  /** HTTP status of the reply; 0 when no reply arrived. */
  readonly status: number;
  /** The server's short `reason` (e.g. "NotFound"), if it sent one. */
  readonly reason: string | null;

  constructor(message: string, status: number, reason: string | null = null) {
    super(message);
    this.name = 'APIError';
    this.status = status;
    this.reason = reason;
  }
}

/** The status line of a reply, e.g. "502 Bad Gateway". */
function statusText(response: Response): string {
  return `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
}

/**
 * Read a reply as JSON.
 *
 * An empty body gives `null`. A non-2xx reply throws an `APIError` carrying
 * the server's `message` (error bodies are `{"message": ..., "reason": ...}`);
 * a body that is not JSON throws an `APIError` with a readable message instead
 * of the raw body (which may be an HTML error page).
 */
export async function readJSONReply<T>(response: Response): Promise<T> {
  const text = await response.text();
  let data: unknown = null;
  let parsed = true;
  if (text.trim() !== '') {
    try {
      data = JSON.parse(text);
    } catch {
      parsed = false;
    }
  }
  if (!response.ok) {
    const body =
      parsed && typeof data === 'object' && data !== null
        ? (data as Record<string, unknown>)
        : {};
    const message =
      typeof body.message === 'string' && body.message.trim() !== ''
        ? body.message
        : `The server answered ${statusText(response)}${
            parsed ? '' : ' (not a JSON reply)'
          }.`;
    const reason = typeof body.reason === 'string' ? body.reason : null;
    throw new APIError(message, response.status, reason);
  }
  if (!parsed) {
    throw new APIError(
      `The server answered ${statusText(response)} but the reply is not JSON.`,
      response.status
    );
  }
  return data as T;
}
