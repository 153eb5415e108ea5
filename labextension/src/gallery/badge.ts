/**
 * The validation badge of a card: label, tooltip and status class.
 */
import type { IValidation, ValidationStatus } from './types';

/** What a badge shows. */
export interface IBadge {
  /** One of the server's statuses; `data-status` of the badge. */
  status: ValidationStatus;
  /** Short text on the badge. */
  label: string;
  /** Longer text on hover: the error, the duration or what the status means. */
  tooltip: string;
}

const LABELS: Record<ValidationStatus, string> = {
  passing: 'Passing',
  failing: 'Failing',
  'not-run': 'Not run',
  skipped: 'Skipped',
  invalid: 'Invalid'
};

const KNOWN = new Set<string>(Object.keys(LABELS));

/** `12.3 s`, `2 min 5 s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    return '';
  }
  if (seconds < 60) {
    return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

/** `on 2026-11-28 09:12` from an ISO time (local time zone), or '' if unreadable. */
function onDate(iso: string | undefined): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : ` on ${formatDateTime(date)}`;
}

/** `2026-11-28 09:12` in the local time zone. */
export function formatDateTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}`
  );
}

/**
 * The badge for an example's validation. An unknown or missing status shows
 * as "not run" rather than breaking the card.
 */
export function badgeFor(validation: IValidation | null | undefined): IBadge {
  const raw = validation?.status;
  const status: ValidationStatus = raw && KNOWN.has(raw) ? raw : 'not-run';
  const error = (validation?.error ?? '').trim();
  const took =
    typeof validation?.duration === 'number'
      ? ` in ${formatDuration(validation.duration)}`
      : '';
  let tooltip: string;
  switch (status) {
    case 'passing':
      tooltip = `Ran without errors${took}${onDate(validation?.validated_at)}.`;
      break;
    case 'failing':
      tooltip = error || `Failed${took}${onDate(validation?.validated_at)}.`;
      break;
    case 'skipped':
      tooltip = 'This example opts out of validation.';
      break;
    case 'invalid':
      tooltip = error
        ? `Not a valid notebook: ${error}`
        : 'Not a valid notebook.';
      break;
    default:
      tooltip = 'Not validated yet (or changed since the last run).';
  }
  return { status, label: LABELS[status], tooltip };
}
