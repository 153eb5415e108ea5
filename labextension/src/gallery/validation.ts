/**
 * A validation run: start it, poll it until it completes, report progress.
 */
import type { IValidationRun, ValidationStatus } from './types';

/** The two requests a run needs. */
export interface IValidationRequests {
  /** `POST examples/validations`. */
  startValidation(ids?: string[]): Promise<IValidationRun>;
  /** `GET examples/validations/{id}`. */
  validation(id: string): Promise<IValidationRun>;
}

/** How to poll. */
export interface IPollOptions {
  /** Only these examples; all that opt in by default. */
  ids?: string[];
  /** Milliseconds between polls; default 1000. */
  interval?: number;
  /** Consecutive failed polls tolerated before giving up; default 3. */
  maxErrors?: number;
  /** Wait `ms` milliseconds; `setTimeout` by default (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
  /** Called with the run after the start and after every poll. */
  onProgress?: (run: IValidationRun) => void;
  /** Stops polling; the promise then rejects with a `CancelledError`. */
  signal?: AbortSignal;
}

/** Raised when polling was cancelled. */
export class CancelledError extends Error {
  constructor() {
    super('Validation polling was cancelled.');
    this.name = 'CancelledError';
  }
}

/** Statuses after which a run changes no more. */
const FINAL = new Set(['Completed', 'Failed', 'Stopped']);

/** Whether a run has finished. */
export function isFinished(run: IValidationRun): boolean {
  return FINAL.has(run.status);
}

const defaultSleep = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/**
 * Start a validation run and poll it until it finishes.
 *
 * Resolves with the final run. A failed start rejects at once; a failing poll
 * is retried until `maxErrors` fail in a row.
 */
export async function runValidation(
  requests: IValidationRequests,
  options: IPollOptions = {}
): Promise<IValidationRun> {
  const interval = options.interval ?? 1000;
  const maxErrors = options.maxErrors ?? 3;
  const sleep = options.sleep ?? defaultSleep;
  const check = () => {
    if (options.signal?.aborted) {
      throw new CancelledError();
    }
  };
  check();
  let run = await requests.startValidation(options.ids);
  check();
  options.onProgress?.(run);
  let errors = 0;
  while (!isFinished(run)) {
    await sleep(interval);
    check();
    try {
      run = await requests.validation(run.id);
      errors = 0;
    } catch (error) {
      errors += 1;
      if (errors >= maxErrors) {
        throw error;
      }
      continue;
    }
    check();
    options.onProgress?.(run);
  }
  return run;
}

/** Progress as a fraction in [0, 1]; 1 for a finished or empty run. */
export function progressFraction(run: IValidationRun): number {
  if (isFinished(run) || run.total <= 0) {
    return 1;
  }
  return Math.min(1, Math.max(0, run.done / run.total));
}

/** Counts of each status among a run's results. */
export function resultCounts(
  run: IValidationRun
): Partial<Record<ValidationStatus, number>> {
  const counts: Partial<Record<ValidationStatus, number>> = {};
  for (const r of run.results) {
    counts[r.status] = (counts[r.status] ?? 0) + 1;
  }
  return counts;
}

/** `Validating 2/4…` while running; `Validated 4: 3 passing, 1 failing` at the end. */
export function progressText(run: IValidationRun): string {
  if (!isFinished(run)) {
    return `Validating ${run.done}/${run.total}…`;
  }
  if (run.total === 0) {
    return 'No examples to validate.';
  }
  const counts = resultCounts(run);
  const parts = (Object.keys(counts) as ValidationStatus[])
    .sort()
    .map(status => `${counts[status]} ${status}`);
  const noun = run.total === 1 ? 'example' : 'examples';
  const head =
    run.status === 'Completed'
      ? `Validated ${run.done}/${run.total} ${noun}`
      : `Validation ${run.status.toLowerCase()} after ${run.done}/${run.total} ${noun}`;
  return parts.length ? `${head}: ${parts.join(', ')}.` : `${head}.`;
}
