import { APIError } from '../src/reply';
import { describeError, isObjectExists } from '../src/s3/errors';

describe('describeError', () => {
  it('explains access denied', () => {
    const text = describeError(new APIError('list s3://b/: access denied', 403, 'AccessDenied'), 'Listing s3://b/');
    expect(text).toBe(
      "Listing s3://b/ failed: access denied (list s3://b/: access denied). The Jupyter server's S3 credentials do not allow this."
    );
  });

  it('explains a missing bucket and a missing object', () => {
    expect(describeError(new APIError('list s3://x/: no such bucket', 404, 'NoSuchBucket'))).toMatch(
      /^no such bucket \(list s3:\/\/x\/: no such bucket\)\. It may have been deleted/
    );
    expect(describeError(new APIError('s3://b/k: no such object', 404, '404'), 'Opening')).toMatch(
      /^Opening failed: not found .* refresh the list\.$/
    );
  });

  it('explains an unreachable endpoint and rejected credentials', () => {
    expect(describeError(new APIError('x: the S3 endpoint did not answer', 504, 'EndpointUnreachable'), 'Listing')).toBe(
      'Listing failed: the S3 endpoint did not answer. Check that it is running and reachable from the Jupyter server.'
    );
    expect(describeError(new APIError('bad key', 502, 'InvalidAccessKeyId'))).toMatch(/rejected the Jupyter server's credentials/);
  });

  it('keeps other server messages, on one line and short', () => {
    expect(describeError(new APIError("invalid bucket name 'X'", 400, 'InvalidBucketName'), 'Creating')).toBe(
      "Creating failed: invalid bucket name 'X'."
    );
    const long = describeError(new APIError(`a\n${'x'.repeat(1000)}`, 500, null));
    expect(long.length).toBeLessThan(420);
    expect(long).not.toContain('\n');
  });

  it('never shows a stack trace', () => {
    const error = new Error('boom');
    expect(describeError(error)).toBe('boom.');
    expect(describeError({ stack: 'Traceback' })).toBe('The request failed: something went wrong.');
    expect(describeError(new APIError('Cannot reach the Jupyter server: Failed to fetch', 0))).toBe(
      'Cannot reach the Jupyter server: Failed to fetch.'
    );
  });

  it('recognises "the key exists"', () => {
    expect(isObjectExists(new APIError('exists', 409, 'ObjectExists'))).toBe(true);
    expect(isObjectExists(new APIError('exists', 409, 'BucketAlreadyExists'))).toBe(false);
    expect(isObjectExists(new Error('x'))).toBe(false);
  });
});
