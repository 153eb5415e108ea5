/**
 * A repeating task that runs only while started, never overlaps itself, and
 * can be triggered early (e.g. by a refresh button).
 */

/** Runs `task` every `interval` ms between `start()` and `stop()`. */
export class IntervalPoller {
  /**
   * @param task - the work to repeat; errors are the task's own business
   *   (a rejected promise is swallowed so polling goes on)
   * @param interval - milliseconds from the end of one run to the next
   */
  constructor(
    private readonly task: () => Promise<void> | void,
    readonly interval: number
  ) {}

  /** Whether the poller is between `start()` and `stop()`. */
  get running(): boolean {
    return this._running;
  }

  /** Whether a run of the task is in progress. */
  get busy(): boolean {
    return this._current !== null;
  }

  /**
   * Start polling: run the task now (unless it is already running) and then
   * every `interval` ms. Does nothing if already started.
   */
  start(): Promise<void> {
    if (this._running) {
      return this._current ?? Promise.resolve();
    }
    this._running = true;
    return this.trigger();
  }

  /** Stop polling; a run in progress finishes but is not followed by another. */
  stop(): void {
    this._running = false;
    this._clearTimer();
  }

  /**
   * Run the task now, or join the run in progress, and (when started) count
   * the next interval from its end.
   */
  trigger(): Promise<void> {
    if (this._current) {
      return this._current;
    }
    this._clearTimer();
    const run = (async () => {
      try {
        // Through a promise so a task that throws synchronously still ends
        // after `_current` is set below.
        await Promise.resolve().then(() => this.task());
      } catch {
        // The task reports its own errors; polling goes on.
      } finally {
        this._current = null;
        this._schedule();
      }
    })();
    this._current = run;
    return run;
  }

  /**
   * Run the task now and, when a run was in progress (it may have started
   * before a change it should see), once more after it.
   */
  async refresh(): Promise<void> {
    const busy = this.busy;
    await this.trigger();
    if (busy) {
      await this.trigger();
    }
  }

  private _schedule(): void {
    this._clearTimer();
    if (this._running) {
      this._timer = setTimeout(() => {
        this._timer = null;
        void this.trigger();
      }, this.interval);
    }
  }

  private _clearTimer(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _running = false;
  private _current: Promise<void> | null = null;
  private _timer: ReturnType<typeof setTimeout> | null = null;
}
