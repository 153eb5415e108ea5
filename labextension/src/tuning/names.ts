/**
 * Tuning job names: SageMaker's pattern (at most 32 characters, so trial
 * names `<tuning job>-NNN-xxxxxxxx` stay valid training job names) and
 * unique default names in the style of SageMaker's SDK (`<base>-YYMMDD-HHMMSS`).
 */

/** SageMaker's `HyperParameterTuningJobName` pattern. */
export const TUNING_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$/;

/** Longest tuning job name. */
export const MAX_TUNING_NAME = 32;

/** Why `name` is not a valid tuning job name, or null if it is. */
export function tuningNameError(name: string): string | null {
  if (name === '') {
    return 'Enter a tuning job name.';
  }
  if (name.length > MAX_TUNING_NAME) {
    return `At most ${MAX_TUNING_NAME} characters (this one has ${name.length}): trials add a suffix to it.`;
  }
  if (!TUNING_NAME_PATTERN.test(name)) {
    return /^-|-$/.test(name) ? 'Must start and end with a letter or digit.' : 'Only letters, digits and hyphens.';
  }
  return null;
}

/** The short timestamp suffix of a default name: `-YYMMDD-HHMMSS` (UTC). */
function shortSuffix(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const day = `${p(date.getUTCFullYear() % 100)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}`;
  const time = `${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`;
  return `-${day}-${time}`;
}

/**
 * A unique tuning job name from free text (a training or tuning job name)
 * and a time, shortened to fit 32 characters; an earlier suffix is dropped.
 */
export function uniqueTuningName(text: string, date: Date = new Date()): string {
  const suffix = shortSuffix(date);
  const base = text
    .replace(/-\d{6}-\d{6}$/, '')
    .replace(/-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}$/, '')
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_TUNING_NAME - suffix.length)
    .replace(/-+$/, '');
  return `${base || 'tuning'}${suffix}`;
}
