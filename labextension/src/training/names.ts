/**
 * Training job names: SageMaker's pattern, and unique default names in the
 * style of SageMaker's SDK (`<base>-YYYY-MM-DD-HH-MM-SS-mmm`).
 */

/** SageMaker's `TrainingJobName` pattern. */
export const JOB_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** Longest job name. */
export const MAX_JOB_NAME = 63;

/**
 * Why `name` is not a valid job name, or null if it is. Models, endpoints
 * and transform jobs follow the same pattern; `noun` ("an endpoint name")
 * names the field in the message.
 */
export function jobNameError(name: string, noun = 'a job name'): string | null {
  if (name === '') {
    return `Enter ${noun}.`;
  }
  if (name.length > MAX_JOB_NAME) {
    return `At most ${MAX_JOB_NAME} characters (this one has ${name.length}).`;
  }
  if (!JOB_NAME_PATTERN.test(name)) {
    return /^-|-$/.test(name)
      ? 'Must start and end with a letter or digit.'
      : 'Only letters, digits and hyphens.';
  }
  return null;
}

/** The SDK's timestamp suffix, e.g. `-2024-05-01-12-30-45-123`. */
const TIMESTAMP_SUFFIX = /-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}$/;

/** A base name from free text (a script or job name): letters, digits, hyphens. */
export function nameBase(text: string, fallback = 'training'): string {
  const stem = text
    .replace(/^.*\//, '')
    .replace(/\.py$/i, '')
    .replace(TIMESTAMP_SUFFIX, '')
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return stem || fallback;
}

/** `date` as the SDK's suffix `YYYY-MM-DD-HH-MM-SS-mmm` (UTC). */
export function timestampSuffix(date: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return [
    date.getUTCFullYear(),
    p(date.getUTCMonth() + 1),
    p(date.getUTCDate()),
    p(date.getUTCHours()),
    p(date.getUTCMinutes()),
    p(date.getUTCSeconds()),
    p(date.getUTCMilliseconds(), 3)
  ].join('-');
}

/**
 * A unique job name from a script or earlier job name and a time, shortened
 * so the whole stays within 63 characters.
 */
export function uniqueJobName(text: string, date: Date = new Date()): string {
  const suffix = timestampSuffix(date);
  const room = MAX_JOB_NAME - suffix.length - 1;
  const base = nameBase(text).slice(0, room).replace(/-+$/, '') || 'training';
  return `${base}-${suffix}`;
}
