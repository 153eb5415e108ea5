/**
 * Install states as the panel shows them (no JupyterLab imports).
 */
import type { IInstall, InstallStatus } from './types';

const LABELS: Record<InstallStatus, string> = {
  Pending: 'Waiting to start',
  InProgress: 'Installing',
  Completed: 'Installed',
  Failed: 'Failed',
  Stopping: 'Cancelling',
  Stopped: 'Cancelled'
};

/** A short label for an install status; unknown ones are shown as they are. */
export function statusLabel(status: string): string {
  return (LABELS as Record<string, string>)[status] ?? (status || 'Unknown');
}

/** Whether an install in this status will not change any more. */
export function isFinished(status: string): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Stopped';
}

/** Whether an install in this status can still be cancelled. */
export function isCancellable(status: string): boolean {
  return status === 'Pending' || status === 'InProgress';
}

/** The progress as a whole percentage in 0–100 (100 once completed). */
export function progressPercent(install: Pick<IInstall, 'progress' | 'status'>): number {
  if (install.status === 'Completed') {
    return 100;
  }
  const value = Number(install.progress);
  if (!Number.isFinite(value)) {
    return 0;
  }
  return Math.round(Math.min(100, Math.max(0, value)));
}

/** One line under the progress bar: "Installing — phase (42%)" or the final message. */
export function progressText(
  install: Pick<IInstall, 'progress' | 'status' | 'phase' | 'message'>
): string {
  const label = statusLabel(install.status);
  if (install.status === 'Failed' || install.status === 'Stopped') {
    return install.message ? `${label}: ${install.message}` : label;
  }
  if (install.status === 'Completed') {
    return install.message ? `${label}: ${install.message}` : label;
  }
  const phase = install.phase ? ` — ${install.phase}` : '';
  return `${label}${phase} (${progressPercent(install)}%)`;
}

/** A duration in seconds as "12 s" or "3 min 05 s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) {
    return '';
  }
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) {
    return `${total} s`;
  }
  const min = Math.floor(total / 60);
  const sec = String(total % 60).padStart(2, '0');
  return `${min} min ${sec} s`;
}
