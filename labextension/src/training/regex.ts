/**
 * Client-side checks of metric regexes. The server evaluates them with
 * Python's `re`; the browser translates the Python-only syntax it can
 * (named groups, leading inline flags) and compiles the rest as JavaScript.
 */

/** A translated regex, or why it is invalid. */
export type RegexCheck =
  | { ok: true; regex: RegExp; groups: number }
  | { ok: false; error: string };

/** Python's leading global flags, e.g. `(?i)`, and their JavaScript equivalents. */
const INLINE_FLAGS = /^\(\?([aiLmsux]+)\)/;

/** The JavaScript source and flags of a Python regex. */
export function pythonToJS(source: string): { source: string; flags: string } {
  let flags = '';
  let body = source;
  const inline = INLINE_FLAGS.exec(body);
  if (inline) {
    body = body.slice(inline[0].length);
    for (const f of inline[1]) {
      if ((f === 'i' || f === 'm' || f === 's') && !flags.includes(f)) {
        flags += f;
      }
    }
  }
  body = body
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/\\Z/g, '$')
    .replace(/\\A/g, '^');
  return { source: body, flags };
}

/** Number of capture groups of a compiled regex. */
export function groupCount(regex: RegExp): number {
  const probe = new RegExp(`${regex.source}|`, regex.flags.replace(/[gy]/g, ''));
  return (probe.exec('') as RegExpExecArray).length - 1;
}

/**
 * Check a metric definition's regex: it must compile and capture the value
 * in a group, as SageMaker requires.
 */
export function checkMetricRegex(source: string): RegexCheck {
  if (source.trim() === '') {
    return { ok: false, error: 'Enter a regex that captures the value, e.g. loss=([0-9.]+)' };
  }
  let regex: RegExp;
  try {
    const js = pythonToJS(source);
    regex = new RegExp(js.source, js.flags);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `Invalid regex: ${message.replace(/^Invalid regular expression: /, '')}` };
  }
  const groups = groupCount(regex);
  if (groups < 1) {
    return { ok: false, error: 'Needs a group that captures the value, e.g. ([0-9.]+)' };
  }
  return { ok: true, regex, groups };
}

/** The value a metric regex reads from a log line (group 1), or null. */
export function matchMetric(regex: RegExp, line: string): number | null {
  const match = regex.exec(line);
  if (!match || match[1] === undefined) {
    return null;
  }
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : null;
}
