import { IntervalPoller } from '../src/poller';

/** Let pending promise callbacks run (fake timers do not touch microtasks). */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
  }
}

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

describe('IntervalPoller', () => {
  it('runs at once on start, then every interval, and not after stop', async () => {
    const task = jest.fn();
    const poller = new IntervalPoller(task, 15000);
    await poller.start();
    expect(task).toHaveBeenCalledTimes(1);

    jest.advanceTimersByTime(14999);
    await flush();
    expect(task).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1);
    await flush();
    expect(task).toHaveBeenCalledTimes(2);

    poller.stop();
    jest.advanceTimersByTime(60000);
    await flush();
    expect(task).toHaveBeenCalledTimes(2);
    expect(poller.running).toBe(false);
  });

  it('does not overlap: a trigger during a run joins that run', async () => {
    let finish: () => void = () => undefined;
    const task = jest.fn(() => new Promise<void>(resolve => (finish = resolve)));
    const poller = new IntervalPoller(task, 1000);
    const first = poller.trigger();
    const second = poller.trigger();
    expect(second).toBe(first);
    await flush();
    expect(task).toHaveBeenCalledTimes(1);
    expect(poller.busy).toBe(true);
    finish();
    await first;
    expect(poller.busy).toBe(false);
  });

  it('counts the next interval from a manual trigger', async () => {
    const task = jest.fn();
    const poller = new IntervalPoller(task, 1000);
    await poller.start();
    jest.advanceTimersByTime(600);
    await poller.trigger();
    expect(task).toHaveBeenCalledTimes(2);
    jest.advanceTimersByTime(600);
    await flush();
    expect(task).toHaveBeenCalledTimes(2);
    jest.advanceTimersByTime(400);
    await flush();
    expect(task).toHaveBeenCalledTimes(3);
    poller.stop();
  });

  it('keeps polling after the task fails, even synchronously', async () => {
    const task = jest
      .fn()
      .mockImplementationOnce(() => {
        throw new Error('sync failure');
      })
      .mockRejectedValueOnce(new Error('async failure'));
    const poller = new IntervalPoller(task, 1000);
    await poller.start();
    expect(poller.busy).toBe(false);
    jest.advanceTimersByTime(1000);
    await flush();
    jest.advanceTimersByTime(1000);
    await flush();
    expect(task).toHaveBeenCalledTimes(3);
    poller.stop();
  });

  it('runs once without scheduling when triggered while stopped', async () => {
    const task = jest.fn();
    const poller = new IntervalPoller(task, 1000);
    await poller.trigger();
    jest.advanceTimersByTime(5000);
    await flush();
    expect(task).toHaveBeenCalledTimes(1);
  });
});

describe('IntervalPoller.refresh', () => {
  it('runs once when idle, and once more after a run in progress', async () => {
    const finishers: (() => void)[] = [];
    const task = jest.fn(() => new Promise<void>(resolve => finishers.push(resolve)));
    const poller = new IntervalPoller(task, 15000);

    const idle = poller.refresh();
    await flush();
    finishers.shift()?.();
    await idle;
    expect(task).toHaveBeenCalledTimes(1);

    const first = poller.trigger();
    const again = poller.refresh();
    await flush();
    expect(task).toHaveBeenCalledTimes(2);
    finishers.shift()?.();
    await first;
    await flush();
    expect(task).toHaveBeenCalledTimes(3);
    finishers.shift()?.();
    await again;
    expect(task).toHaveBeenCalledTimes(3);
  });
});
