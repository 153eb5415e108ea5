/**
 * Time formatting for job lists and views: durations, elapsed times and
 * creation times.
 */

/** Milliseconds since the epoch of an ISO 8601 time, or null. */
export function parseTime(iso: string | null | undefined): number | null {
  if (!iso) {
    return null;
  }
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * A duration in seconds as "850 ms" (under 1 s, when `subsecond`), "42s",
 * "3m 05s", "2h 04m" or "3d 4h".
 */
export function formatDuration(seconds: number, subsecond = false): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    return '—';
  }
  if (subsecond && seconds < 1) {
    return `${Math.round(seconds * 1000)} ms`;
  }
  const total = Math.floor(seconds);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (d > 0) {
    return `${d}d ${h}h`;
  }
  if (h > 0) {
    return `${h}h ${pad(m)}m`;
  }
  if (m > 0) {
    return `${m}m ${pad(s)}s`;
  }
  return `${s}s`;
}

/** What a job's time column shows. */
export interface IJobTime {
  /** Formatted duration, or "—" when the job has not started. */
  text: string;
  /** Still counting (the job has not ended). */
  running: boolean;
  /** Seconds, or null when unknown. */
  seconds: number | null;
}

/**
 * A job's duration: start to end once it has ended, start (or creation while
 * it waits to start) to `now` while it runs.
 */
export function jobTime(
  times: {
    CreationTime?: string | null;
    TrainingStartTime?: string | null;
    TrainingEndTime?: string | null;
  },
  now: number = Date.now()
): IJobTime {
  const start = parseTime(times.TrainingStartTime) ?? parseTime(times.CreationTime);
  const end = parseTime(times.TrainingEndTime);
  if (start === null) {
    return { text: '—', running: end === null, seconds: null };
  }
  const seconds = Math.max(0, ((end ?? now) - start) / 1000);
  return { text: formatDuration(seconds), running: end === null, seconds };
}

/**
 * A creation time for a list: the time of day for today's jobs, the date and
 * time otherwise (in the browser's locale and time zone).
 */
export function formatCreated(iso: string | null | undefined, now: number = Date.now()): string {
  const ms = parseTime(iso);
  if (ms === null) {
    return '';
  }
  const date = new Date(ms);
  const today = new Date(now);
  const sameDay =
    date.getFullYear() === today.getFullYear() &&
    date.getMonth() === today.getMonth() &&
    date.getDate() === today.getDate();
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (sameDay) {
    return time;
  }
  const day = date.toLocaleDateString(undefined, {
    month: 'short',
    day: 'numeric',
    ...(date.getFullYear() === today.getFullYear() ? {} : { year: 'numeric' })
  });
  return `${day} ${time}`;
}

/** A full local date and time for tooltips and detail tables. */
export function formatTimestamp(iso: string | null | undefined): string {
  const ms = parseTime(iso);
  return ms === null ? '—' : new Date(ms).toLocaleString();
}

/**
 * Parse a runtime limit: plain seconds ("3600") or units ("90m", "1h30m",
 * "2h", "45s", "1d"). Returns null for anything else or zero.
 */
export function parseRuntime(text: string): number | null {
  const s = text.trim().toLowerCase().replace(/\s+/g, '');
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n > 0 ? n : null;
  }
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?:in)?)?(?:(\d+)s)?$/.exec(s);
  if (!match || s === '') {
    return null;
  }
  const [d, h, m, sec] = match.slice(1).map(v => Number(v ?? 0));
  const total = d * 86400 + h * 3600 + m * 60 + sec;
  return total > 0 ? total : null;
}

/** A runtime limit the way `parseRuntime` reads it back ("1h", "90m", "45s"). */
export function runtimeText(seconds: number): string {
  if (seconds % 86400 === 0) {
    return `${seconds / 86400}d`;
  }
  if (seconds % 3600 === 0) {
    return `${seconds / 3600}h`;
  }
  if (seconds % 60 === 0) {
    return `${seconds / 60}m`;
  }
  return String(seconds);
}
