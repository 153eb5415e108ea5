import { APIError } from '../src/reply';
import { isFinished, UploadQueue, type IUploadItem } from '../src/s3/transfers';
import { UploadCancelled, type IUploadHandle, type IUploadProgress } from '../src/s3/uploader';
import type { IUploadReply } from '../src/s3/types';

/** A controllable upload request. */
interface IFakeRequest {
  item: IUploadItem;
  overwrite: boolean;
  progress: (p: IUploadProgress) => void;
  resolve: (r: IUploadReply) => void;
  reject: (e: Error) => void;
  aborted: boolean;
}

function setup(options: { confirm?: boolean; concurrency?: number } = {}) {
  const requests: IFakeRequest[] = [];
  const changes: string[] = [];
  const confirm = jest.fn(async () => options.confirm ?? false);
  const queue = new UploadQueue({
    concurrency: options.concurrency ?? 2,
    start: (item, overwrite, progress): IUploadHandle => {
      let resolve!: (r: IUploadReply) => void;
      let reject!: (e: Error) => void;
      const done = new Promise<IUploadReply>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      const request: IFakeRequest = { item, overwrite, progress, resolve, reject, aborted: false };
      requests.push(request);
      return {
        done,
        abort: () => {
          request.aborted = true;
          reject(new UploadCancelled());
        }
      };
    },
    confirmOverwrite: confirm,
    describe: error => `failed: ${(error as Error).message}`,
    onChange: item => changes.push(`${item.key}:${item.status}`)
  });
  return { queue, requests, changes, confirm };
}

const target = (key: string) => ({ connection: 'default', bucket: 'b', key });
const flush = () => new Promise(resolve => setTimeout(resolve, 0));

describe('UploadQueue', () => {
  it('runs `concurrency` uploads at a time, in order', async () => {
    const { queue, requests } = setup({ concurrency: 2 });
    const items = ['a', 'b', 'c'].map(k => queue.add(new Blob(['123']), target(k)));
    expect(requests.map(r => r.item.key)).toEqual(['a', 'b']);
    expect(items[2].status).toBe('queued');
    requests[0].resolve({ bucket: 'b', key: 'a', size: 3 });
    await flush();
    expect(items[0].status).toBe('done');
    expect(requests.map(r => r.item.key)).toEqual(['a', 'b', 'c']);
  });

  it('records progress on the item', async () => {
    const { queue, requests } = setup();
    const item = queue.add(new Blob(['x'.repeat(100)]), target('a'));
    requests[0].progress({ loaded: 40, total: 100 });
    expect(item.loaded).toBe(40);
    expect(item.total).toBe(100);
    requests[0].resolve({ bucket: 'b', key: 'a', size: 100 });
    await flush();
    expect(item.loaded).toBe(100);
    expect(item.reply).toEqual({ bucket: 'b', key: 'a', size: 100 });
  });

  it('cancels a running upload and starts the next', async () => {
    const { queue, requests } = setup({ concurrency: 1 });
    const a = queue.add(new Blob(['1']), target('a'));
    const b = queue.add(new Blob(['1']), target('b'));
    queue.cancel(a.id);
    await flush();
    expect(requests[0].aborted).toBe(true);
    expect(a.status).toBe('cancelled');
    expect(b.status).toBe('uploading');
    expect(isFinished(a)).toBe(true);
  });

  it('cancels a queued upload before it starts', async () => {
    const { queue, requests } = setup({ concurrency: 1 });
    queue.add(new Blob(['1']), target('a'));
    const b = queue.add(new Blob(['1']), target('b'));
    queue.cancel(b.id);
    requests[0].resolve({ bucket: 'b', key: 'a', size: 1 });
    await flush();
    expect(b.status).toBe('cancelled');
    expect(requests).toHaveLength(1);
  });

  it('asks before replacing, then uploads again with overwrite', async () => {
    const { queue, requests, confirm } = setup({ confirm: true });
    const item = queue.add(new Blob(['1']), target('a'));
    expect(requests[0].overwrite).toBe(false);
    requests[0].reject(new APIError('exists', 409, 'ObjectExists'));
    await flush();
    expect(confirm).toHaveBeenCalledWith(item);
    expect(requests).toHaveLength(2);
    expect(requests[1].overwrite).toBe(true);
    requests[1].resolve({ bucket: 'b', key: 'a', size: 1 });
    await flush();
    expect(item.status).toBe('done');
  });

  it('skips the file when the user keeps the existing object', async () => {
    const { queue, requests } = setup({ confirm: false });
    const item = queue.add(new Blob(['1']), target('a'));
    requests[0].reject(new APIError('exists', 409, 'ObjectExists'));
    await flush();
    expect(item.status).toBe('skipped');
    expect(item.error).toMatch(/Not replaced/);
    expect(requests).toHaveLength(1);
  });

  it('describes failures', async () => {
    const { queue, requests } = setup();
    const item = queue.add(new Blob(['1']), target('a'));
    requests[0].reject(new APIError('access denied', 403, 'AccessDenied'));
    await flush();
    expect(item.status).toBe('failed');
    expect(item.error).toBe('failed: access denied');
  });

  it('removes only finished items; idle() waits for all', async () => {
    const { queue, requests } = setup();
    const a = queue.add(new Blob(['1']), target('a'));
    queue.remove(a.id);
    expect(queue.items).toHaveLength(1);
    const idle = queue.idle();
    requests[0].resolve({ bucket: 'b', key: 'a', size: 1 });
    await idle;
    queue.remove(a.id);
    expect(queue.items).toHaveLength(0);
  });
});
