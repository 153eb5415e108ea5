/**
 * Tuning job and trial statuses and counters as the panel shows them:
 * labels, badge tones, which statuses still change, trials done of the
 * limit, and the best objective value.
 */
import type {
  IFinalObjective,
  ITrainingJobStatusCounters,
  ITrialSummary,
  TuningJobStatus
} from './types';

/** Colour family of a badge (a CSS modifier class). */
export type BadgeTone = 'running' | 'success' | 'error' | 'warning' | 'neutral';

/** The statuses a tuning job listing can filter on, in display order. */
export const TUNING_STATUSES: readonly TuningJobStatus[] = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];

/** How each status of tuning jobs, trials and objectives is shown: [label, tone]. */
const SHOWN: Record<string, readonly [string, BadgeTone]> = {
  InProgress: ['In progress', 'running'],
  Completed: ['Completed', 'success'],
  Failed: ['Failed', 'error'],
  Stopping: ['Stopping', 'warning'],
  Stopped: ['Stopped', 'neutral'],
  Succeeded: ['Succeeded', 'success'],
  Pending: ['Pending', 'running']
};

/** Human label of a status ("InProgress" → "In progress"). */
export function statusLabel(status: string): string {
  return SHOWN[status]?.[0] ?? status;
}

/** Colour family of a status; unknown ones are neutral. */
export function statusTone(status: string): BadgeTone {
  return SHOWN[status]?.[1] ?? 'neutral';
}

/** Whether a job in this status may still change (so it is worth polling). */
export function isActive(status: string): boolean {
  return status === 'InProgress' || status === 'Stopping';
}

/** Whether Stop applies. */
export function canStop(status: string): boolean {
  return status === 'InProgress';
}

/** Trials that have ended (whatever the outcome), and those started. */
export function trialCounts(counters: ITrainingJobStatusCounters | undefined): { done: number; started: number } {
  const c = counters ?? {};
  const done = (c.Completed ?? 0) + (c.Stopped ?? 0) + (c.NonRetryableError ?? 0) + (c.RetryableError ?? 0);
  return { done, started: done + (c.InProgress ?? 0) };
}

/** "3/10 trials", or "3 trials" without a limit (Grid search may have none). */
export function trialsText(counters: ITrainingJobStatusCounters | undefined, limit: number | undefined): string {
  const { done } = trialCounts(counters);
  return limit ? `${done}/${limit} trials` : `${done} trial${done === 1 ? '' : 's'}`;
}

/** A metric value, short: 4 significant digits, exponent for very large or small ones. */
export function formatObjective(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '—';
  }
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-4)) {
    return value.toExponential(3);
  }
  return String(Number(value.toPrecision(4)));
}

/** A tuned value for a narrow cell: numbers as `formatObjective` shows them, text as it is. */
export function formatTuned(value: string): string {
  const number = Number(value);
  return value.trim() !== '' && Number.isFinite(number) ? formatObjective(number) : value;
}

/** The objective value of a trial, if it reported one. */
export function objectiveValue(trial: Pick<ITrialSummary, 'FinalHyperParameterTuningJobObjectiveMetric'> | null | undefined): number | null {
  const metric: IFinalObjective | null | undefined = trial?.FinalHyperParameterTuningJobObjectiveMetric;
  return metric && typeof metric.Value === 'number' && Number.isFinite(metric.Value) ? metric.Value : null;
}
