import {
  CancelledError,
  isFinished,
  progressFraction,
  progressText,
  runValidation
} from '../src/gallery/validation';
import type { IValidationRun } from '../src/gallery/types';
import { run } from './gallery-fixtures';

/** Let pending promise callbacks run (fake timers do not touch microtasks). */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await Promise.resolve();
  }
}

const passing = {
  id: 'a',
  title: 'A',
  status: 'passing' as const,
  duration: 1.5,
  error: null
};
const failing = {
  id: 'b',
  title: 'B',
  status: 'failing' as const,
  duration: 0.5,
  error: 'boom'
};

describe('runValidation', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('starts a run, polls every interval until Completed and reports each step', async () => {
    const replies: IValidationRun[] = [
      run({ done: 1, results: [passing] }),
      run({ status: 'Completed', done: 2, results: [passing, failing] })
    ];
    const requests = {
      startValidation: jest.fn(async () => run()),
      validation: jest.fn(async () => replies.shift()!)
    };
    const progress: number[] = [];
    const done = runValidation(requests, {
      interval: 1000,
      onProgress: r => progress.push(r.done)
    });

    await flush();
    expect(requests.startValidation).toHaveBeenCalledWith(undefined);
    expect(requests.validation).not.toHaveBeenCalled();
    jest.advanceTimersByTime(999);
    await flush();
    expect(requests.validation).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    await flush();
    expect(requests.validation).toHaveBeenCalledWith('abc123');
    jest.advanceTimersByTime(1000);
    await flush();

    const final = await done;
    expect(final.status).toBe('Completed');
    expect(requests.validation).toHaveBeenCalledTimes(2);
    expect(progress).toEqual([0, 1, 2]);
  });

  it('does not poll a run that is complete from the start', async () => {
    const requests = {
      startValidation: jest.fn(async () =>
        run({ status: 'Completed', total: 0 })
      ),
      validation: jest.fn()
    };
    await expect(
      runValidation(requests, { ids: ['x'] })
    ).resolves.toMatchObject({ total: 0 });
    expect(requests.startValidation).toHaveBeenCalledWith(['x']);
    expect(requests.validation).not.toHaveBeenCalled();
  });

  it('retries failed polls but gives up after maxErrors in a row', async () => {
    const sleep = jest.fn(async () => undefined);
    const error = new Error('server gone');
    const requests = {
      startValidation: jest.fn(async () => run()),
      validation: jest
        .fn()
        .mockRejectedValueOnce(error)
        .mockResolvedValueOnce(run({ done: 1 }))
        .mockRejectedValue(error)
    };
    await expect(runValidation(requests, { sleep, maxErrors: 2 })).rejects.toBe(
      error
    );
    expect(requests.validation).toHaveBeenCalledTimes(4);
  });

  it('rejects a failed start at once', async () => {
    const requests = {
      startValidation: jest.fn(async () => {
        throw new Error('NoSuchExample');
      }),
      validation: jest.fn()
    };
    await expect(runValidation(requests)).rejects.toThrow('NoSuchExample');
  });

  it('stops polling when cancelled', async () => {
    const controller = new AbortController();
    const requests = {
      startValidation: jest.fn(async () => run()),
      validation: jest.fn(async () => run())
    };
    const sleep = jest.fn(async () => {
      controller.abort();
    });
    await expect(
      runValidation(requests, { sleep, signal: controller.signal })
    ).rejects.toBeInstanceOf(CancelledError);
    expect(requests.validation).not.toHaveBeenCalled();
  });
});

describe('progress', () => {
  it('reports the fraction and a readable line', () => {
    expect(progressFraction(run({ done: 1, total: 4 }))).toBe(0.25);
    expect(progressText(run({ done: 1, total: 4 }))).toBe('Validating 1/4…');
    const finished = run({
      status: 'Completed',
      done: 2,
      total: 2,
      results: [passing, failing]
    });
    expect(isFinished(finished)).toBe(true);
    expect(progressFraction(finished)).toBe(1);
    expect(progressText(finished)).toBe(
      'Validated 2/2 examples: 1 failing, 1 passing.'
    );
    expect(progressText(run({ status: 'Completed', total: 0 }))).toBe(
      'No examples to validate.'
    );
  });
});
