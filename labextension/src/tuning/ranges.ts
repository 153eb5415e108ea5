/**
 * The hyperparameter ranges table of the create form: its rows, their
 * checks (the server's rules, with readable messages) and the
 * `ParameterRanges` they make; also the rows a cloned job starts from.
 */
import type { INumericRange, IParameterRanges, ScalingType, Strategy } from './types';

/** The kind of a range. */
export type RangeType = 'Continuous' | 'Integer' | 'Categorical';

/** The range types, in the order the form offers them. */
export const RANGE_TYPES: readonly RangeType[] = ['Continuous', 'Integer', 'Categorical'];

/** The scaling types, in the order the form offers them. */
export const SCALING_TYPES: readonly ScalingType[] = ['Auto', 'Linear', 'Logarithmic', 'ReverseLogarithmic'];

/** One row of the table, as typed. */
export interface IRangeRow {
  name: string;
  type: RangeType;
  /** Bounds of numeric ranges. */
  min: string;
  max: string;
  scaling: ScalingType;
  /** Comma-separated values of a categorical range. */
  values: string;
}

/** Field errors by key (`range.<row>.<input>`, or `ranges` for the table). */
export type RangeErrors = Record<string, string>;

/** SageMaker's limits. */
export const MAX_RANGES = 30;
export const MAX_CATEGORICAL_VALUES = 30;

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const INTEGER = /^[-+]?\d+$/;

/** The key of a row input's error, e.g. `range.2.min`. */
export function rangeField(index: number, input: string): string {
  return `range.${index}.${input}`;
}

/** An empty row of `type`. */
export function emptyRange(type: RangeType = 'Continuous'): IRangeRow {
  return { name: '', type, min: '', max: '', scaling: 'Auto', values: '' };
}

/** The values of a categorical row: split at commas, trimmed, blanks dropped. */
export function categoricalValues(text: string): string[] {
  return text
    .split(',')
    .map(v => v.trim())
    .filter(v => v !== '');
}

/** Whether every input of a row is blank (such rows are ignored). */
function blank(row: IRangeRow): boolean {
  return row.name.trim() === '' && row.min.trim() === '' && row.max.trim() === '' && row.values.trim() === '';
}

/** Check a numeric row's bounds and scaling; the range, or null after recording errors. */
function numericRange(row: IRangeRow, i: number, errors: RangeErrors): INumericRange | null {
  const min = row.min.trim();
  const max = row.max.trim();
  const integer = row.type === 'Integer';
  const pattern = integer ? INTEGER : NUMBER;
  const what = integer ? 'a whole number' : 'a number';
  let ok = true;
  if (!pattern.test(min)) {
    errors[rangeField(i, 'min')] = min === '' ? 'Enter the lowest value.' : `Must be ${what}.`;
    ok = false;
  }
  if (!pattern.test(max)) {
    errors[rangeField(i, 'max')] = max === '' ? 'Enter the highest value.' : `Must be ${what}.`;
    ok = false;
  }
  if (!ok) {
    return null;
  }
  const lo = Number(min);
  const hi = Number(max);
  if (!(lo < hi)) {
    errors[rangeField(i, 'max')] = `Must be greater than the minimum (${min}).`;
    return null;
  }
  if (row.scaling === 'Logarithmic' && lo <= 0) {
    errors[rangeField(i, 'min')] = 'Logarithmic scaling needs bounds above 0.';
    return null;
  }
  if (row.scaling === 'ReverseLogarithmic') {
    if (integer) {
      errors[rangeField(i, 'scaling')] = 'Reverse logarithmic scaling is for continuous ranges only.';
      return null;
    }
    if (lo < 0 || hi >= 1) {
      errors[rangeField(i, lo < 0 ? 'min' : 'max')] = 'Reverse logarithmic scaling needs 0 ≤ min < max < 1.';
      return null;
    }
  }
  return { Name: row.name.trim(), MinValue: min, MaxValue: max, ScalingType: row.scaling };
}

/**
 * Check the rows for `strategy` and return the `ParameterRanges` they make
 * (errors recorded in `errors`; blank rows ignored).
 */
export function checkRanges(rows: readonly IRangeRow[], strategy: Strategy, errors: RangeErrors): IParameterRanges {
  const ranges: Required<IParameterRanges> = {
    IntegerParameterRanges: [],
    ContinuousParameterRanges: [],
    CategoricalParameterRanges: []
  };
  const seen = new Set<string>();
  let count = 0;
  rows.forEach((row, i) => {
    if (blank(row)) {
      return;
    }
    count++;
    const name = row.name.trim();
    let ok = true;
    if (name === '') {
      errors[rangeField(i, 'name')] = 'Enter the hyperparameter’s name.';
      ok = false;
    } else if (/\s/.test(name)) {
      errors[rangeField(i, 'name')] = 'No spaces: it becomes a --name argument.';
      ok = false;
    } else if (name.length > 256) {
      errors[rangeField(i, 'name')] = 'At most 256 characters.';
      ok = false;
    } else if (seen.has(name)) {
      errors[rangeField(i, 'name')] = `“${name}” already has a range above.`;
      ok = false;
    }
    seen.add(name);
    if (row.type !== 'Categorical' && strategy === 'Grid') {
      errors[rangeField(i, 'type')] = 'Grid search tries every combination of values: use Categorical ranges only.';
      return;
    }
    if (row.type === 'Categorical') {
      const values = categoricalValues(row.values);
      if (values.length === 0) {
        errors[rangeField(i, 'values')] = 'Enter the values, separated by commas.';
      } else if (values.length > MAX_CATEGORICAL_VALUES) {
        errors[rangeField(i, 'values')] = `At most ${MAX_CATEGORICAL_VALUES} values (there are ${values.length}).`;
      } else if (new Set(values).size !== values.length) {
        errors[rangeField(i, 'values')] = 'Each value only once.';
      } else if (ok) {
        ranges.CategoricalParameterRanges.push({ Name: name, Values: values });
      }
      return;
    }
    const range = numericRange(row, i, errors);
    if (range && ok) {
      (row.type === 'Integer' ? ranges.IntegerParameterRanges : ranges.ContinuousParameterRanges).push(range);
    }
  });
  if (count === 0) {
    errors.ranges = 'Add at least one hyperparameter range to tune.';
  } else if (count > MAX_RANGES) {
    errors.ranges = `At most ${MAX_RANGES} ranges (there are ${count}).`;
  }
  const result: IParameterRanges = {};
  for (const key of Object.keys(ranges) as (keyof IParameterRanges)[]) {
    if (ranges[key].length) {
      (result as Record<string, unknown>)[key] = ranges[key];
    }
  }
  return result;
}

/** The names of the ranges (the tuned hyperparameters). */
export function rangeNames(ranges: IParameterRanges): string[] {
  return [
    ...(ranges.IntegerParameterRanges ?? []),
    ...(ranges.ContinuousParameterRanges ?? []),
    ...(ranges.CategoricalParameterRanges ?? [])
  ].map(r => r.Name);
}

/** How many trials a Grid search runs: the product of the categorical ranges' sizes. */
export function gridSize(ranges: IParameterRanges): number {
  return (ranges.CategoricalParameterRanges ?? []).reduce((n, r) => n * r.Values.length, 1);
}

/** The rows that show `ranges` (a cloned job's). */
export function rowsFromRanges(ranges: IParameterRanges | undefined): IRangeRow[] {
  const numeric = (type: RangeType) => (r: INumericRange): IRangeRow => ({
    ...emptyRange(type),
    name: r.Name,
    min: String(r.MinValue),
    max: String(r.MaxValue),
    scaling: r.ScalingType ?? 'Auto'
  });
  return [
    ...(ranges?.ContinuousParameterRanges ?? []).map(numeric('Continuous')),
    ...(ranges?.IntegerParameterRanges ?? []).map(numeric('Integer')),
    ...(ranges?.CategoricalParameterRanges ?? []).map(r => ({
      ...emptyRange('Categorical'),
      name: r.Name,
      values: r.Values.join(', ')
    }))
  ];
}
