import {
  categoricalValues,
  checkRanges,
  emptyRange,
  gridSize,
  rangeNames,
  rowsFromRanges,
  type IRangeRow,
  type RangeErrors
} from '../src/tuning/ranges';
import type { Strategy } from '../src/tuning/types';

function row(patch: Partial<IRangeRow>): IRangeRow {
  return { ...emptyRange(), ...patch };
}

function check(rows: IRangeRow[], strategy: Strategy = 'Bayesian'): { errors: RangeErrors; ranges: ReturnType<typeof checkRanges> } {
  const errors: RangeErrors = {};
  return { ranges: checkRanges(rows, strategy, errors), errors };
}

describe('range rows', () => {
  it('build ParameterRanges with string bounds, by type', () => {
    const { ranges, errors } = check([
      row({ name: ' lr ', min: '1e-4', max: '0.5', scaling: 'Logarithmic' }),
      row({ name: 'epochs', type: 'Integer', min: '1', max: '20' }),
      row({ name: 'optimizer', type: 'Categorical', values: ' sgd, adam ,, rmsprop ' }),
      row({})
    ]);
    expect(errors).toEqual({});
    expect(ranges).toEqual({
      ContinuousParameterRanges: [{ Name: 'lr', MinValue: '1e-4', MaxValue: '0.5', ScalingType: 'Logarithmic' }],
      IntegerParameterRanges: [{ Name: 'epochs', MinValue: '1', MaxValue: '20', ScalingType: 'Auto' }],
      CategoricalParameterRanges: [{ Name: 'optimizer', Values: ['sgd', 'adam', 'rmsprop'] }]
    });
    expect(rangeNames(ranges)).toEqual(['epochs', 'lr', 'optimizer']);
  });

  it('need min below max', () => {
    expect(check([row({ name: 'lr', min: '0.5', max: '0.5' })]).errors).toEqual({
      'range.0.max': 'Must be greater than the minimum (0.5).'
    });
    expect(check([row({ name: 'lr', min: '2', max: '1' })]).errors['range.0.max']).toMatch(/greater than the minimum/);
  });

  it('need numbers, and whole numbers for integer ranges', () => {
    const { errors } = check([
      row({ name: 'a', min: 'x', max: '' }),
      row({ name: 'b', type: 'Integer', min: '1.5', max: '3' })
    ]);
    expect(errors).toEqual({
      'range.0.min': 'Must be a number.',
      'range.0.max': 'Enter the highest value.',
      'range.1.min': 'Must be a whole number.'
    });
  });

  it('need positive bounds for logarithmic scaling', () => {
    const { errors } = check([row({ name: 'lr', min: '0', max: '1', scaling: 'Logarithmic' })]);
    expect(errors).toEqual({ 'range.0.min': 'Logarithmic scaling needs bounds above 0.' });
    expect(check([row({ name: 'n', type: 'Integer', min: '-1', max: '8', scaling: 'Logarithmic' })]).errors['range.0.min']).toMatch(/above 0/);
  });

  it('allow reverse logarithmic scaling only for continuous ranges within [0, 1)', () => {
    expect(check([row({ name: 'm', min: '0.9', max: '0.999', scaling: 'ReverseLogarithmic' })]).errors).toEqual({});
    expect(check([row({ name: 'm', min: '0.9', max: '1', scaling: 'ReverseLogarithmic' })]).errors['range.0.max']).toMatch(/0 ≤ min < max < 1/);
    expect(check([row({ name: 'm', type: 'Integer', min: '0', max: '5', scaling: 'ReverseLogarithmic' })]).errors['range.0.scaling']).toMatch(/continuous ranges only/);
  });

  it('take Grid search with categorical ranges only', () => {
    const { errors, ranges } = check(
      [row({ name: 'lr', min: '0.1', max: '1' }), row({ name: 'opt', type: 'Categorical', values: 'a,b,c' }), row({ name: 'bs', type: 'Categorical', values: '16, 32' })],
      'Grid'
    );
    expect(errors).toEqual({ 'range.0.type': 'Grid search tries every combination of values: use Categorical ranges only.' });
    expect(gridSize(ranges)).toBe(6);
  });

  it('refuse duplicate names, blank and repeated values, names with spaces, and no range at all', () => {
    const { errors } = check([
      row({ name: 'lr', min: '0.1', max: '1' }),
      row({ name: 'lr', min: '0.1', max: '1' }),
      row({ name: 'opt', type: 'Categorical', values: ' , ' }),
      row({ name: 'opt2', type: 'Categorical', values: 'a, a' }),
      row({ name: 'two words', min: '1', max: '2' }),
      row({ name: '', min: '1', max: '2' })
    ]);
    expect(errors).toEqual({
      'range.1.name': '“lr” already has a range above.',
      'range.2.values': 'Enter the values, separated by commas.',
      'range.3.values': 'Each value only once.',
      'range.4.name': 'No spaces: it becomes a --name argument.',
      'range.5.name': 'Enter the hyperparameter’s name.'
    });
    expect(check([row({})]).errors).toEqual({ ranges: 'Add at least one hyperparameter range to tune.' });
  });

  it('split categorical values at commas', () => {
    expect(categoricalValues('a, b,,c ,')).toEqual(['a', 'b', 'c']);
  });

  it('come back from a job’s ranges', () => {
    const rows = rowsFromRanges({
      IntegerParameterRanges: [{ Name: 'epochs', MinValue: '1', MaxValue: '9' }],
      CategoricalParameterRanges: [{ Name: 'opt', Values: ['a', 'b'] }]
    });
    expect(rows).toEqual([
      { name: 'epochs', type: 'Integer', min: '1', max: '9', scaling: 'Auto', values: '' },
      { name: 'opt', type: 'Categorical', min: '', max: '', scaling: 'Auto', values: 'a, b' }
    ]);
  });
});
