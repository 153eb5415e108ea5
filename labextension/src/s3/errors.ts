/**
 * Failed S3 calls as short sentences for the panel's inline messages (pure).
 */
import { APIError } from '../reply';

/** Longest message shown; anything longer is cut. */
const MAX_LENGTH = 400;

function clean(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_LENGTH ? `${oneLine.slice(0, MAX_LENGTH - 1)}…` : oneLine;
}

/** A sentence ends with a full stop. */
function sentence(text: string): string {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

/**
 * A readable message for an error of the S3 API (or of the network), never a
 * stack trace. `action` says what failed, e.g. "Listing s3://data/".
 */
export function describeError(error: unknown, action = ''): string {
  const lead = action ? `${action} failed: ` : '';
  if (error instanceof APIError) {
    const detail = clean(error.message);
    const reason = error.reason ?? '';
    if (error.status === 0) {
      return sentence(`${lead}${detail}`);
    }
    if (reason === 'AccessDenied' || (error.status === 403 && reason === '403')) {
      return `${lead}access denied (${detail}). The Jupyter server's S3 credentials do not allow this.`;
    }
    if (reason === 'NoSuchBucket') {
      return `${lead}no such bucket (${detail}). It may have been deleted; choose another bucket.`;
    }
    if (error.status === 404 && ['404', 'NoSuchKey', 'NotFound'].includes(reason)) {
      return `${lead}not found (${detail}). It may have been moved or deleted; refresh the list.`;
    }
    if (reason === 'EndpointUnreachable' || reason === 'EndpointTimeout' || error.status === 504) {
      return `${lead}the S3 endpoint did not answer. Check that it is running and reachable from the Jupyter server.`;
    }
    if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'NoCredentials'].includes(reason)) {
      return `${lead}the S3 endpoint rejected the Jupyter server's credentials (${detail}).`;
    }
    return sentence(`${lead}${detail}`);
  }
  if (error instanceof Error && error.message) {
    return sentence(`${lead}${clean(error.message)}`);
  }
  return `${lead || 'The request failed: '}something went wrong.`;
}

/** Whether an error is the "key exists, overwrite?" answer of an upload. */
export function isObjectExists(error: unknown): boolean {
  return error instanceof APIError && error.status === 409 && error.reason === 'ObjectExists';
}
