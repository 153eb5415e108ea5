/**
 * The status timeline of a job view, from `SecondaryStatusTransitions`.
 */
import { formatDuration, parseTime } from './format';
import type { IStatusTransition } from './types';

/** One step of the timeline. */
export interface ITimelineStep {
  status: string;
  /** Local start time, e.g. "14:03:07". */
  started: string;
  /** Duration text; for the open step, the time so far. */
  duration: string;
  message: string;
  /** The step has not ended (the job is in it now). */
  current: boolean;
  /** The job is queued for capacity. */
  waiting: boolean;
  /** Tone of the step's marker. */
  tone: 'done' | 'current' | 'success' | 'error' | 'warning';
}

/** Messages the local backend uses while a job waits in its queue. */
const WAITING = /waiting for capacity/i;

const FINAL_TONES: Record<string, ITimelineStep['tone']> = {
  Completed: 'success',
  Failed: 'error',
  Stopped: 'warning',
  MaxRuntimeExceeded: 'error',
  Interrupted: 'error'
};

/** The timeline rows, oldest first. `now` times the open step. */
export function timelineSteps(
  transitions: readonly IStatusTransition[] | undefined,
  now: number = Date.now()
): ITimelineStep[] {
  return (transitions ?? []).map((t, i, all) => {
    const start = parseTime(t.StartTime);
    const end = parseTime(t.EndTime);
    const isLast = i === all.length - 1;
    const final = FINAL_TONES[t.Status];
    const current = end === null && isLast && !final;
    const seconds = start === null ? NaN : ((end ?? (current ? now : start)) - start) / 1000;
    const message = t.StatusMessage ?? '';
    const waiting = current && WAITING.test(message);
    return {
      status: t.Status,
      started: start === null ? '' : new Date(start).toLocaleTimeString(),
      duration: final && end === null ? '' : formatDuration(seconds, true),
      message,
      current,
      waiting,
      tone: final ?? (waiting ? 'warning' : current ? 'current' : 'done')
    };
  });
}
