/**
 * Geometry of a small line chart (x = step or time, y = value; one or more
 * series on the same axes): scales, "nice" ticks, the SVG paths. Pure, so
 * the drawing code stays small.
 */
import type { IMetricPoint } from './types';

/** Pixel box of a chart and the margins around its plot area. */
export interface IChartBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** A tick: its pixel position and label. */
export interface ITick {
  pos: number;
  label: string;
}

/** How the x axis reads. */
export type XAxis = 'step' | 'time';

/** Options of a layout. */
export interface IChartOptions {
  /**
   * `step` (default): x is a step count, ticks at whole steps; `time`: x is
   * seconds since the epoch, ticks at round clock times.
   */
  xAxis?: XAxis;
  /** Keep 0 in the value range (counts and rates read better from 0). */
  includeZero?: boolean;
  /** Values are counts: value ticks only at whole numbers. */
  integers?: boolean;
}

/** One series drawn: its path and the pixel positions of its points. */
export interface ISeriesPath {
  /** SVG path data of the line ("" for no points). */
  path: string;
  dots: { x: number; y: number }[];
}

/** Everything needed to draw several series on shared axes. */
export interface ISeriesLayout {
  /** One entry per series, in the order given. */
  series: ISeriesPath[];
  xTicks: ITick[];
  yTicks: ITick[];
  /** Step → x pixel. */
  x: (step: number) => number;
  /** Value → y pixel. */
  y: (value: number) => number;
  /** x pixel → step. */
  stepAt: (px: number) => number;
}

/** Everything needed to draw one series. */
export interface IChartLayout extends ISeriesLayout, ISeriesPath {}

/** About `count` round numbers covering [min, max] (1, 2, 2.5 or 5 × 10^k apart). */
export function niceTicks(min: number, max: number, count = 4): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    return [];
  }
  if (min === max) {
    return [min];
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw) as number;
  const ticks: number[] = [];
  const first = Math.ceil(min / step - 1e-9) * step;
  for (let v = first; v <= max + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

/** Round clock steps in seconds that time ticks may be apart. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** About `count` round clock times (epoch seconds) covering [min, max]. */
export function timeTicks(min: number, max: number, count = 4): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    return [];
  }
  if (min === max) {
    return [min];
  }
  const raw = (max - min) / Math.max(1, count);
  const step = TIME_STEPS.find(s => s >= raw) ?? Math.ceil(raw / 86400) * 86400;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max; v += step) {
    ticks.push(v);
  }
  return ticks;
}

/** Epoch seconds as a local clock time: "14:05", with seconds when `seconds`. */
export function formatClock(epochSeconds: number, seconds = false): string {
  const date = new Date(epochSeconds * 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const hm = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return seconds ? `${hm}:${pad(date.getSeconds())}` : hm;
}

/** A short tick or value label: up to 4 significant digits, exponent for tiny/huge. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) {
    return String(value);
  }
  if (value === 0) {
    return '0';
  }
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) {
    return value.toExponential(2).replace(/\.?0+e/, 'e');
  }
  if (abs >= 1000) {
    return String(Math.round(value));
  }
  return String(Number(value.toPrecision(4)));
}

/** Significant digits of a chart's read-out. */
const READING_DIGITS = 3;

/**
 * Values read together (a chart's series at one step) as labels with the
 * same number of decimals: 3 significant digits of the largest, less the
 * trailing zeros all of them share ("0.540", "0.561"; "0.5", "1.5"; "12", "3").
 * Exponents, as `formatValue` writes them, for tiny or huge values.
 */
export function formatReadings(values: readonly number[]): string[] {
  const largest = Math.max(0, ...values.filter(Number.isFinite).map(Math.abs));
  if (largest === 0 || largest >= 1e5 || largest < 1e-3) {
    return values.map(formatValue);
  }
  let decimals = Math.max(0, READING_DIGITS - 1 - Math.floor(Math.log10(largest)));
  while (decimals > 0 && values.every(v => !Number.isFinite(v) || v.toFixed(decimals).endsWith('0'))) {
    decimals--;
  }
  return values.map(v => {
    if (!Number.isFinite(v)) {
      return String(v);
    }
    const text = v.toFixed(decimals);
    // A small negative value rounded to zero reads "0", not "-0.00".
    return Number(text) === 0 ? text.replace(/^-/, '') : text;
  });
}

/**
 * The value range to plot: the data's, padded; a flat series gets a band
 * around it. With `includeZero` the range reaches 0 and is not padded past it.
 */
export function valueRange(values: readonly number[], includeZero = false): [number, number] {
  if (!values.length) {
    return [0, 1];
  }
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (includeZero) {
    if (lo >= 0) {
      return hi === 0 ? [0, 1] : [0, hi * 1.05];
    }
    if (hi <= 0) {
      return [lo * 1.05, 0];
    }
  }
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1;
    return [lo - pad, hi + pad];
  }
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  return [lo, hi];
}

/** Lay out `points` in `box`. */
export function layoutChart(points: readonly IMetricPoint[], box: IChartBox, options: IChartOptions = {}): IChartLayout {
  const layout = layoutSeries([points], box, options);
  return { ...layout, ...layout.series[0] };
}

/** Lay out several series in `box` on shared axes. */
export function layoutSeries(
  series: readonly (readonly IMetricPoint[])[],
  box: IChartBox,
  options: IChartOptions = {}
): ISeriesLayout {
  const plotW = Math.max(1, box.width - box.left - box.right);
  const plotH = Math.max(1, box.height - box.top - box.bottom);
  const all = series.flat();
  const steps = all.map(p => p.step);
  let xMin = steps.length ? Math.min(...steps) : 0;
  let xMax = steps.length ? Math.max(...steps) : 1;
  if (xMax === xMin && options.xAxis === 'time') {
    // One moment: a minute around it.
    xMin -= 30;
    xMax += 30;
  } else if (xMax === xMin) {
    xMax = xMin + 1;
  }
  const [yMin, yMax] = valueRange(all.map(p => p.value), options.includeZero);
  const x = (step: number): number => box.left + ((step - xMin) / (xMax - xMin)) * plotW;
  const y = (value: number): number => box.top + (1 - (value - yMin) / (yMax - yMin)) * plotH;
  const stepAt = (px: number): number => xMin + ((px - box.left) / plotW) * (xMax - xMin);
  const paths = series.map(points => {
    const dots = points.map(p => ({ x: round(x(p.step)), y: round(y(p.value)) }));
    return { path: dots.map((d, i) => `${i ? 'L' : 'M'}${d.x},${d.y}`).join(''), dots };
  });
  const xCount = Math.max(2, Math.floor(plotW / 60));
  const times = options.xAxis === 'time' ? timeTicks(xMin, xMax, xCount) : [];
  const withSeconds = times.length > 1 && times[1] - times[0] < 60;
  const xTicks =
    options.xAxis === 'time'
      ? times.map(v => ({ pos: round(x(v)), label: formatClock(v, withSeconds) }))
      : niceTicks(xMin, xMax, xCount)
          .filter(v => Number.isInteger(v) || xMax - xMin < 4)
          .map(v => ({ pos: round(x(v)), label: formatValue(v) }));
  const yTicks = niceTicks(yMin, yMax, Math.max(2, Math.floor(plotH / 30)))
    .filter(v => !options.integers || Number.isInteger(v))
    .map(v => ({ pos: round(y(v)), label: formatValue(v) }));
  return { series: paths, xTicks, yTicks, x, y, stepAt };
}

/** Index of the point whose step is nearest to `step` (points sorted by step); -1 if none. */
export function nearestIndex(points: readonly IMetricPoint[], step: number): number {
  if (!points.length) {
    return -1;
  }
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].step < step) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo > 0 && Math.abs(points[lo - 1].step - step) <= Math.abs(points[lo].step - step)) {
    return lo - 1;
  }
  return lo;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
