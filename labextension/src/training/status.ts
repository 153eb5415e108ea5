/**
 * Training job statuses: which are running, and how each one is shown; the
 * badges also show endpoint, instance and transform job statuses.
 */
import type { TrainingJobStatus } from './types';

/** Colour family of a status badge (a CSS modifier class). */
export type BadgeTone = 'running' | 'success' | 'error' | 'warning' | 'neutral';

/** How a status is shown. */
export interface IStatusBadge {
  /** Short text in the badge. */
  label: string;
  /** Colour family. */
  tone: BadgeTone;
  /** Class names for the badge element. */
  className: string;
}

/** The statuses `ListTrainingJobs` can filter on, in display order. */
export const STATUSES: readonly TrainingJobStatus[] = [
  'InProgress',
  'Completed',
  'Failed',
  'Stopping',
  'Stopped'
];

const LABELS: Record<string, string> = {
  InProgress: 'In progress',
  Completed: 'Completed',
  Failed: 'Failed',
  Stopping: 'Stopping',
  Stopped: 'Stopped',
  // Endpoints and their instances.
  Creating: 'Creating',
  Updating: 'Updating',
  SystemUpdating: 'System updating',
  RollingBack: 'Rolling back',
  InService: 'In service',
  OutOfService: 'Out of service',
  Deleting: 'Deleting',
  Pending: 'Pending',
  // Scaling activities.
  Successful: 'Successful'
};

const TONES: Record<string, BadgeTone> = {
  InProgress: 'running',
  Completed: 'success',
  Failed: 'error',
  Stopping: 'warning',
  Stopped: 'neutral',
  Creating: 'running',
  Updating: 'running',
  SystemUpdating: 'running',
  RollingBack: 'warning',
  InService: 'success',
  OutOfService: 'neutral',
  Deleting: 'warning',
  Pending: 'running',
  Successful: 'success'
};

/** Human label of a status ("InProgress" → "In progress"). */
export function statusLabel(status: string): string {
  return LABELS[status] ?? status;
}

/** The badge of a status; unknown statuses are neutral and keep their name. */
export function statusBadge(status: string): IStatusBadge {
  const tone = TONES[status] ?? 'neutral';
  return {
    label: statusLabel(status),
    tone,
    className: `jp-mlstudio-training-badge jp-mlstudio-training-badge-${tone}`
  };
}

/** Whether a job in this status may still change (so it is worth polling). */
export function isActive(status: string): boolean {
  return status === 'InProgress' || status === 'Stopping';
}

/** Whether Stop applies (SageMaker refuses to stop an ended job). */
export function canStop(status: string): boolean {
  return status === 'InProgress';
}

/** Whether the job has ended (Delete applies). */
export function isTerminal(status: string): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Stopped';
}
