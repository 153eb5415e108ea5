import { chartConfig, formatTick, themeFromVariables, withAlpha, ROLE_VARIABLES } from '../src/common/chartconfig';
import {
  bestSoFar,
  curveLegend,
  curvesChart,
  decodeValue,
  hyperparameterAxes,
  hyperparameterChart,
  objectiveChart,
  objectivePoints,
  timeBounds
} from '../src/tuning/chartdata';
import { formatObjective, formatTuned, trialCounts, trialsText } from '../src/tuning/status';
import { PageTokens } from '../src/tuning/paging';
import { curve, trial, tuningJob } from './tuning-fixtures';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

describe('objective over time', () => {
  const trials = [trial('t-003', 30, 0.4), trial('t-001', 10, 0.5), trial('t-002', 20, 0.7), trial('t-004', 40, null), trial('t-005', 50, 0.2)];

  it('orders trials with an objective by end time', () => {
    expect(objectivePoints(trials).map(p => [p.trial, (p.time - T0) / 1000, p.value])).toEqual([
      ['t-001', 10, 0.5],
      ['t-002', 20, 0.7],
      ['t-003', 30, 0.4],
      ['t-005', 50, 0.2]
    ]);
  });

  it('draws the best so far as steps where it improves, to the last trial', () => {
    const points = objectivePoints([...trials, trial('t-006', 60, 0.3)]);
    expect(bestSoFar(points, 'Minimize').map(p => [(p.time - T0) / 1000, p.value])).toEqual([
      [10, 0.5],
      [30, 0.4],
      [50, 0.2],
      [60, 0.2]
    ]);
    expect(bestSoFar(points, 'Maximize').map(p => [(p.time - T0) / 1000, p.value])).toEqual([
      [10, 0.5],
      [20, 0.7],
      [60, 0.7]
    ]);
    expect(bestSoFar([], 'Minimize')).toEqual([]);
  });

  it('spans at least ten seconds of time, padded around the trials', () => {
    expect(timeBounds([])).toEqual({});
    expect(timeBounds([T0, T0 + 200])).toEqual({ min: T0 - 4900, max: T0 + 5100, soft: true });
    expect(timeBounds([T0, T0 + 100_000])).toEqual({ min: T0 - 5000, max: T0 + 105_000, soft: true });
  });

  it('is a step line over the trial dots on a time axis', () => {
    const spec = objectiveChart(trials, 'Minimize', 'loss');
    expect(spec.x.kind).toBe('time');
    expect(spec.x.min).toBeLessThan(T0 + 10_000);
    expect(spec.series.map(s => [s.label, s.role, s.line ?? 'none', s.points.length])).toEqual([
      ['Best so far', 'best', 'step', 3],
      ['Trials', 'primary', 'none', 4]
    ]);
    expect(spec.series[1].points[0].label).toBe('t-001: loss 0.5');
  });
});

describe('hyperparameters against the objective', () => {
  const ranges = tuningJob().HyperParameterTuningJobConfig.ParameterRanges;

  it('use a log axis for logarithmic ranges and a category axis for categorical ones', () => {
    expect(hyperparameterAxes(ranges).map(a => [a.name, a.axis.kind, a.axis.labels])).toEqual([
      ['lr', 'logarithmic', undefined],
      ['epochs', 'linear', undefined],
      ['optimizer', 'category', ['sgd', 'adam']]
    ]);
    const kind = (MinValue: string, MaxValue: string, ScalingType?: 'Auto' | 'Linear' | 'Logarithmic') =>
      hyperparameterAxes({ ContinuousParameterRanges: [{ Name: 'x', MinValue, MaxValue, ScalingType }] })[0].axis.kind;
    expect(kind('0', '1', 'Logarithmic')).toBe('linear');
    // Auto is logarithmic for a positive range over two orders of magnitude, as the server decides.
    expect(kind('0.001', '0.1', 'Auto')).toBe('logarithmic');
    expect(kind('0.001', '0.1')).toBe('logarithmic');
    expect(kind('0.01', '0.1', 'Auto')).toBe('linear');
    expect(kind('0.001', '0.1', 'Linear')).toBe('linear');
    // A numeric axis spans the whole range searched.
    expect(hyperparameterAxes(ranges)[0].axis).toMatchObject({ min: 0.0001, max: 1 });
  });

  it('place each trial’s value, the best trial apart', () => {
    const trials = [
      trial('t-1', 10, 0.5, { lr: '0.01', optimizer: '"adam"' }),
      trial('t-2', 20, 0.3, { lr: '0.1', optimizer: 'sgd' }),
      trial('t-3', 30, 0.9, { lr: '-1', optimizer: 'rmsprop' }),
      trial('t-4', 40, null, { lr: '0.2' })
    ];
    const [lr, , optimizer] = hyperparameterAxes(ranges);
    const lrChart = hyperparameterChart(trials, lr, 'loss', 't-2');
    expect(lrChart.x.kind).toBe('logarithmic');
    expect(lrChart.series.map(s => s.points.map(p => [p.x, p.y]))).toEqual([[[0.01, 0.5]], [[0.1, 0.3]]]);
    const optChart = hyperparameterChart(trials, optimizer, 'loss', 't-2');
    expect(optChart.x.labels).toEqual(['sgd', 'adam', 'rmsprop']);
    expect(optChart.series[0].points.map(p => p.x)).toEqual(['adam', 'rmsprop']);
  });

  it('decode values the SDK JSON-encoded', () => {
    expect(decodeValue('"adam"')).toBe('adam');
    expect(decodeValue('0.1')).toBe('0.1');
    expect(decodeValue('sgd')).toBe('sgd');
  });
});

describe('intermediate curves', () => {
  const curves = [curve('t-1', [1, 0.8, 0.6]), curve('t-2', [1.2, 1.1], true), curve('t-3', [0.9, 0.5, 0.3, 0.2]), curve('t-4', [], false, 'InProgress')];

  it('draw every trial by step, early-stopped ones dashed in the warning colour, the best on top', () => {
    const spec = curvesChart(curves, 'loss', 't-3');
    expect(spec.series.map(s => [s.label, s.role, !!s.dashed, s.points.length])).toEqual([
      ['t-1', 'muted', false, 3],
      ['t-2', 'warn', true, 2],
      ['t-3', 'best', false, 4]
    ]);
    expect(spec.series[1].points[0].label).toBe('t-2 (stopped early): step 0, loss 1.2');
    expect(spec.x).toEqual({ kind: 'linear', title: 'Step' });
  });

  it('have a legend of the groups present', () => {
    // t-4 runs but has no point yet: no "Running" entry.
    expect(curveLegend(curves, 't-3').map(g => g.group)).toEqual(['Best trial', 'Ended', 'Stopped early']);
  });
});

describe('chart configuration', () => {
  const vars: Record<string, string> = {
    '--jp-ui-font-color1': 'rgba(255, 255, 255, 0.87)',
    '--jp-border-color2': '#424242',
    '--jp-border-color1': '#616161',
    '--jp-brand-color1': '#2196f3',
    '--jp-success-color1': '#4caf50',
    '--jp-warn-color1': '#ff9800',
    '--jp-ui-font-family': 'system-ui',
    '--jp-ui-font-size1': '13px'
  };
  const theme = themeFromVariables(name => vars[name] ?? '');

  it('takes its colours from the theme variables', () => {
    expect(theme.text).toBe('rgba(255, 255, 255, 0.87)');
    expect(theme.roles.primary).toBe('#2196f3');
    expect(theme.roles.warn).toBe('#ff9800');
    expect(theme.roles.error).toBe('gray');
    expect(theme.fontSize).toBe(13);
    expect(Object.values(ROLE_VARIABLES).every(v => v.startsWith('--jp-'))).toBe(true);
  });

  it('fades colours', () => {
    expect(withAlpha('#2196f3', 0.5)).toBe('rgba(33, 150, 243, 0.5)');
    expect(withAlpha('#fff', 0.25)).toBe('rgba(255, 255, 255, 0.25)');
    expect(withAlpha('rgba(255, 255, 255, 0.8)', 0.5)).toBe('rgba(255, 255, 255, 0.4)');
    expect(withAlpha('gray', 0.5)).toBe('gray');
  });

  it('maps axes and series to Chart.js', () => {
    const config = chartConfig(
      {
        x: { kind: 'logarithmic', title: 'lr' },
        y: { kind: 'linear' },
        series: [
          { label: 'best', role: 'best', line: 'step', points: [{ x: 1, y: 2 }] },
          { label: 'trials', role: 'warn', dashed: true, line: 'straight', points: [] }
        ]
      },
      theme
    );
    const scales = config.options?.scales as Record<string, { type: string; grid: { color: string } }>;
    expect(scales.x.type).toBe('logarithmic');
    expect(scales.y.type).toBe('linear');
    expect(scales.x.grid.color).toBe('#424242');
    const [best, trials] = config.data.datasets as unknown as Record<string, unknown>[];
    expect(best).toMatchObject({ stepped: 'after', showLine: true, borderColor: '#4caf50', pointRadius: 0 });
    expect(trials).toMatchObject({ borderDash: [5, 4], borderColor: '#ff9800' });
    // Later series are drawn on top: Chart.js draws a higher order first.
    expect((best.order as number) > (trials.order as number)).toBe(true);
    const soft = chartConfig({ x: { kind: 'time', min: 1, max: 2, soft: true }, y: { kind: 'linear', min: 0, max: 1 }, series: [] }, theme);
    expect(soft.options?.scales?.x).toMatchObject({ suggestedMin: 1, suggestedMax: 2 });
    expect(soft.options?.scales?.y).toMatchObject({ min: 0, max: 1 });
    const category = chartConfig({ x: { kind: 'category', labels: ['a', 'b'] }, y: { kind: 'linear' }, series: [] }, theme);
    expect((category.options?.scales as Record<string, { type: string; labels: string[] }>).x).toMatchObject({ type: 'category', labels: ['a', 'b'] });
  });

  it('writes short tick labels', () => {
    expect(formatTick(0.30000000000000004)).toBe('0.3');
    expect(formatTick(0.0001)).toBe('1.0e-4');
    expect(formatTick(250000)).toBe('2.5e5');
  });
});

describe('counters and paging', () => {
  it('count ended trials of the limit', () => {
    const counters = { Completed: 3, InProgress: 2, Stopped: 1, NonRetryableError: 1, RetryableError: 0 };
    expect(trialCounts(counters)).toEqual({ done: 5, started: 7 });
    expect(trialsText(counters, 10)).toBe('5/10 trials');
    expect(trialsText({ Completed: 1 }, undefined)).toBe('1 trial');
    expect(formatObjective(0.123456)).toBe('0.1235');
    expect(formatObjective(null)).toBe('—');
    expect(formatTuned('0.01104868064594199')).toBe('0.01105');
    expect(formatTuned('0.000012')).toBe('1.200e-5');
    expect(formatTuned('adam')).toBe('adam');
  });

  it('keep the token of each page seen', () => {
    const pages = new PageTokens();
    expect(pages.current).toBeNull();
    pages.received('t2');
    expect(pages.forward()).toBe(true);
    expect([pages.index, pages.current]).toEqual([1, 't2']);
    pages.received(null);
    expect(pages.hasNext).toBe(false);
    expect(pages.forward()).toBe(false);
    expect(pages.back()).toBe(true);
    expect([pages.index, pages.current, pages.hasPrevious]).toEqual([0, null, false]);
    pages.reset();
    expect([pages.index, pages.hasNext]).toEqual([0, false]);
  });
});
