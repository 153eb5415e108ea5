/**
 * Trailing-edge debounce (for the search box).
 */

/** A debounced function: runs `wait` ms after the last call. */
export interface IDebounced<A extends unknown[]> {
  (...args: A): void;
  /** Drop a pending call. */
  cancel(): void;
  /** Run a pending call now. */
  flush(): void;
}

/** Debounce `fn` by `wait` ms; only the last call's arguments are used. */
export function debounce<A extends unknown[]>(
  fn: (...args: A) => void,
  wait: number
): IDebounced<A> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: A | null = null;
  const run = () => {
    timer = null;
    const args = pending;
    pending = null;
    if (args) {
      fn(...args);
    }
  };
  const debounced = ((...args: A) => {
    pending = args;
    if (timer !== null) {
      clearTimeout(timer);
    }
    timer = setTimeout(run, wait);
  }) as IDebounced<A>;
  debounced.cancel = () => {
    if (timer !== null) {
      clearTimeout(timer);
    }
    timer = null;
    pending = null;
  };
  debounced.flush = () => {
    if (timer !== null) {
      clearTimeout(timer);
      run();
    }
  };
  return debounced;
}
