/**
 * Sizes, dates and counts as the S3 browser shows them (pure).
 */

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** A byte count for people: "512 B", "1.5 KiB", "23 MiB", "1.2 GiB". */
export function formatSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) {
    return '';
  }
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  let value = bytes;
  let unit = -1;
  do {
    value /= 1024;
    unit++;
  } while (value >= 1024 && unit < UNITS.length - 1);
  const digits = value < 10 ? 1 : 0;
  let text = value.toFixed(digits);
  // 1023.6 KiB rounds to "1024 KiB": say "1.0 MiB" instead.
  if (Number(text) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
    text = value.toFixed(1);
  }
  return `${text} ${UNITS[unit]}`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/**
 * A compact local time for a narrow column: "14:05" for today, else
 * "2024-11-28". Empty for a missing or unreadable date.
 */
export function formatDate(iso: string | null | undefined, now: Date = new Date()): string {
  const date = parseDate(iso);
  if (!date) {
    return '';
  }
  if (
    date.getFullYear() === now.getFullYear() &&
    date.getMonth() === now.getMonth() &&
    date.getDate() === now.getDate()
  ) {
    return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The full local time, e.g. "2024-11-28 14:05:09", for tooltips. */
export function formatDateTime(iso: string | null | undefined): string {
  const date = parseDate(iso);
  if (!date) {
    return '';
  }
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** A `Date` from an ISO string, or `null`. */
export function parseDate(iso: string | null | undefined): Date | null {
  if (!iso) {
    return null;
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "1 item", "1,234 items". */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? noun : nouns}`;
}

/** Upload progress: "1.5 MiB of 10 MiB (15%)". */
export function formatProgress(loaded: number, total: number): string {
  if (total <= 0) {
    return formatSize(loaded);
  }
  const percent = Math.min(100, Math.floor((loaded / total) * 100));
  return `${formatSize(loaded)} of ${formatSize(total)} (${percent}%)`;
}
