/**
 * What the tuning job view's charts show, from the trials and curves the
 * server sends: the objective of each trial over time with the best so far,
 * each tuned hyperparameter against the objective (on the axis its range
 * calls for), and every trial's intermediate objective curve. Pure: no DOM.
 */
import { decodeSdkString } from '../training/form';
import { parseTime } from '../training/format';
import type { IAxisSpec, IChartPoint, IChartSpec, ISeriesSpec, SeriesRole } from '../common/chartconfig';
import { formatObjective, objectiveValue } from './status';
import type { ICurve, INumericRange, IParameterRanges, ITrialSummary, ObjectiveType } from './types';

/** A trial's objective at the time the trial ended. */
export interface IObjectivePoint {
  /** Ms since the epoch. */
  time: number;
  value: number;
  trial: string;
}

/** The trials that reported an objective, by end time (ties by name). */
export function objectivePoints(trials: readonly ITrialSummary[]): IObjectivePoint[] {
  const points: IObjectivePoint[] = [];
  for (const trial of trials) {
    const value = objectiveValue(trial);
    const time = parseTime(trial.TrainingEndTime) ?? parseTime(trial.TrainingStartTime) ?? parseTime(trial.CreationTime);
    if (value !== null && time !== null) {
      points.push({ time, value, trial: trial.TrainingJobName });
    }
  }
  return points.sort((a, b) => a.time - b.time || a.trial.localeCompare(b.trial));
}

/** Whether `a` is better than `b` for the objective type. */
export function better(type: ObjectiveType, a: number, b: number): boolean {
  return type === 'Maximize' ? a > b : a < b;
}

/**
 * The best objective so far, as the corners of a step line (drawn "after":
 * each value holds until the next point): a point where the best improves,
 * and one at the last trial's time so the line reaches it.
 */
export function bestSoFar(points: readonly IObjectivePoint[], type: ObjectiveType): IObjectivePoint[] {
  const steps: IObjectivePoint[] = [];
  let best: IObjectivePoint | null = null;
  for (const point of points) {
    if (best === null || better(type, point.value, best.value)) {
      best = point;
      steps.push(point);
    }
  }
  const last = points[points.length - 1];
  if (best && last && last.time > steps[steps.length - 1].time) {
    steps.push({ ...best, time: last.time });
  }
  return steps;
}

/** Shortest span of the time axis, in ms (trials ending within a second stay apart). */
export const MIN_TIME_SPAN = 10_000;

/**
 * Bounds of a time axis around `times` (ms): the data's span plus 5 % each
 * side, at least `MIN_TIME_SPAN` wide (the axis rounds them out to whole ticks).
 */
export function timeBounds(times: readonly number[]): { min?: number; max?: number; soft?: boolean } {
  if (!times.length) {
    return {};
  }
  const first = Math.min(...times);
  const last = Math.max(...times);
  const pad = Math.max((last - first) * 0.05, (MIN_TIME_SPAN - (last - first)) / 2);
  return { min: first - pad, max: last + pad, soft: true };
}

/** Chart (a): every trial's objective by end time, and the best so far. */
export function objectiveChart(trials: readonly ITrialSummary[], type: ObjectiveType, metric: string): IChartSpec {
  const points = objectivePoints(trials);
  const dot = (p: IObjectivePoint): IChartPoint => ({ x: p.time, y: p.value, label: `${p.trial}: ${metric} ${formatObjective(p.value)}` });
  return {
    x: { kind: 'time', title: 'Trial end time', ...timeBounds(points.map(p => p.time)) },
    y: { kind: 'linear', title: metric },
    series: [
      { label: 'Best so far', role: 'best', line: 'step', points: bestSoFar(points, type).map(p => ({ ...dot(p), label: `Best so far: ${formatObjective(p.value)} (${p.trial})` })) },
      { label: 'Trials', role: 'primary', points: points.map(dot) }
    ]
  };
}

/** How a tuned hyperparameter is searched, as far as its chart axis cares. */
export interface IHyperparameterAxis {
  name: string;
  axis: IAxisSpec;
}

/**
 * Whether a numeric range is searched on a log scale: Logarithmic scaling,
 * or Auto scaling of a positive range spanning two orders of magnitude (as
 * the server decides Auto).
 */
export function searchedOnLogScale(range: INumericRange): boolean {
  const low = Number(range.MinValue);
  const high = Number(range.MaxValue);
  const scaling = range.ScalingType ?? 'Auto';
  return low > 0 && (scaling === 'Logarithmic' || (scaling === 'Auto' && high >= 100 * low));
}

/**
 * One axis per tuned hyperparameter: logarithmic for ranges searched on a
 * log scale, categories (in the range's order) for categorical ranges,
 * linear otherwise; a numeric axis spans the whole range searched.
 */
export function hyperparameterAxes(ranges: IParameterRanges | undefined): IHyperparameterAxis[] {
  const numeric = [...(ranges?.ContinuousParameterRanges ?? []), ...(ranges?.IntegerParameterRanges ?? [])];
  const axes: IHyperparameterAxis[] = numeric.map(r => {
    const [min, max] = [Number(r.MinValue), Number(r.MaxValue)];
    const bounds = Number.isFinite(min) && Number.isFinite(max) && min < max ? { min, max } : {};
    return {
      name: r.Name,
      axis: { kind: searchedOnLogScale(r) ? 'logarithmic' : 'linear', title: r.Name, ...bounds }
    };
  });
  for (const r of ranges?.CategoricalParameterRanges ?? []) {
    axes.push({ name: r.Name, axis: { kind: 'category', title: r.Name, labels: r.Values.map(decodeValue) } });
  }
  return axes;
}

/** A tuned value as sent: SageMaker's SDK JSON-encodes strings ("\"adam\"" → adam). */
export const decodeValue = decodeSdkString;

/**
 * Chart (b) for one hyperparameter: each trial's value of it against its
 * objective. Values the axis cannot place (not numbers on a numeric axis, not
 * positive on a log axis) are left out; categories not in the range are
 * added at the end of the axis.
 */
export function hyperparameterChart(
  trials: readonly ITrialSummary[],
  hp: IHyperparameterAxis,
  metric: string,
  bestTrial: string | null
): IChartSpec {
  const labels = [...(hp.axis.labels ?? [])];
  const points: IChartPoint[] = [];
  const best: IChartPoint[] = [];
  for (const trial of trials) {
    const value = objectiveValue(trial);
    const raw = trial.TunedHyperParameters?.[hp.name];
    if (value === null || raw === undefined) {
      continue;
    }
    const decoded = decodeValue(raw);
    let x: number | string;
    if (hp.axis.kind === 'category') {
      if (!labels.includes(decoded)) {
        labels.push(decoded);
      }
      x = decoded;
    } else {
      x = Number(decoded);
      if (decoded.trim() === '' || !Number.isFinite(x) || (hp.axis.kind === 'logarithmic' && x <= 0)) {
        continue;
      }
    }
    const point = { x, y: value, label: `${trial.TrainingJobName}: ${hp.name}=${decoded}, ${metric} ${formatObjective(value)}` };
    (trial.TrainingJobName === bestTrial ? best : points).push(point);
  }
  const axis: IAxisSpec = hp.axis.kind === 'category' ? { ...hp.axis, labels } : hp.axis;
  return {
    x: axis,
    y: { kind: 'linear', title: metric },
    series: [
      { label: 'Trials', role: 'primary', points },
      { label: 'Best trial', role: 'best', points: best }
    ]
  };
}

/** How a trial's curve is drawn. */
export function curveRole(curve: ICurve, bestTrial: string | null): { role: SeriesRole; dashed: boolean; group: string } {
  if (curve.TrainingJobName === bestTrial) {
    return { role: 'best', dashed: false, group: 'Best trial' };
  }
  if (curve.EarlyStopped) {
    return { role: 'warn', dashed: true, group: 'Stopped early' };
  }
  if (curve.TrainingJobStatus === 'Failed') {
    return { role: 'error', dashed: true, group: 'Failed' };
  }
  if (curve.TrainingJobStatus === 'InProgress' || curve.TrainingJobStatus === 'Stopping') {
    return { role: 'primary', dashed: false, group: 'Running' };
  }
  return { role: 'muted', dashed: false, group: 'Ended' };
}

/** The legend of the curves chart: each group with a curve drawn, in a fixed order. */
export function curveLegend(curves: readonly ICurve[], bestTrial: string | null): { group: string; role: SeriesRole; dashed: boolean }[] {
  const order = ['Best trial', 'Running', 'Ended', 'Stopped early', 'Failed'];
  const seen = new Map<string, { group: string; role: SeriesRole; dashed: boolean }>();
  for (const curve of curves.filter(c => c.Points.length > 0)) {
    const look = curveRole(curve, bestTrial);
    seen.set(look.group, look);
  }
  return order.filter(g => seen.has(g)).map(g => seen.get(g)!);
}

/**
 * Chart (c): the objective metric per step of every trial; early-stopped
 * trials dashed in the warning colour, the best trial drawn last (on top).
 */
export function curvesChart(curves: readonly ICurve[], metric: string, bestTrial: string | null): IChartSpec {
  const series: ISeriesSpec[] = curves
    .filter(c => c.Points.length > 0)
    .map(curve => {
      const look = curveRole(curve, bestTrial);
      const suffix = curve.EarlyStopped ? ' (stopped early)' : '';
      return {
        label: curve.TrainingJobName,
        role: look.role,
        dashed: look.dashed,
        line: 'straight' as const,
        dots: curve.Points.length === 1,
        opacity: look.role === 'muted' ? 0.9 : 1,
        width: look.role === 'best' ? 2.5 : undefined,
        points: [...curve.Points]
          .sort((a, b) => a.step - b.step)
          .map(p => ({ x: p.step, y: p.value, label: `${curve.TrainingJobName}${suffix}: step ${p.step}, ${metric} ${formatObjective(p.value)}` }))
      };
    });
  const rank = (s: ISeriesSpec): number => (s.role === 'best' ? 2 : s.role === 'muted' ? 0 : 1);
  series.sort((a, b) => rank(a) - rank(b));
  return { x: { kind: 'linear', title: 'Step' }, y: { kind: 'linear', title: metric }, series };
}
