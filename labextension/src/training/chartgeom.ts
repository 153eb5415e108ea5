/**
 * Geometry of a small line chart (x = step, y = value): scales, "nice"
 * ticks, the SVG path. Pure, so the drawing code stays small.
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

/** Everything needed to draw a series. */
export interface IChartLayout {
  /** SVG path data of the line ("" for no points). */
  path: string;
  /** Pixel positions of the points. */
  dots: { x: number; y: number }[];
  xTicks: ITick[];
  yTicks: ITick[];
  /** Step → x pixel. */
  x: (step: number) => number;
  /** Value → y pixel. */
  y: (value: number) => number;
  /** x pixel → step. */
  stepAt: (px: number) => number;
}

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

/** A short tick or value label: 3 significant digits, exponent for tiny/huge. */
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

/** The value range to plot: the data's, padded; a flat series gets a band around it. */
export function valueRange(values: readonly number[]): [number, number] {
  if (!values.length) {
    return [0, 1];
  }
  let lo = Math.min(...values);
  let hi = Math.max(...values);
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
export function layoutChart(points: readonly IMetricPoint[], box: IChartBox): IChartLayout {
  const plotW = Math.max(1, box.width - box.left - box.right);
  const plotH = Math.max(1, box.height - box.top - box.bottom);
  const steps = points.map(p => p.step);
  const xMin = steps.length ? Math.min(...steps) : 0;
  let xMax = steps.length ? Math.max(...steps) : 1;
  if (xMax === xMin) {
    xMax = xMin + 1;
  }
  const [yMin, yMax] = valueRange(points.map(p => p.value));
  const x = (step: number): number => box.left + ((step - xMin) / (xMax - xMin)) * plotW;
  const y = (value: number): number => box.top + (1 - (value - yMin) / (yMax - yMin)) * plotH;
  const stepAt = (px: number): number => xMin + ((px - box.left) / plotW) * (xMax - xMin);
  const dots = points.map(p => ({ x: round(x(p.step)), y: round(y(p.value)) }));
  const path = dots.map((d, i) => `${i ? 'L' : 'M'}${d.x},${d.y}`).join('');
  const xTicks = niceTicks(xMin, xMax, Math.max(2, Math.floor(plotW / 60)))
    .filter(v => Number.isInteger(v) || xMax - xMin < 4)
    .map(v => ({ pos: round(x(v)), label: formatValue(v) }));
  const yTicks = niceTicks(yMin, yMax, Math.max(2, Math.floor(plotH / 30))).map(v => ({
    pos: round(y(v)),
    label: formatValue(v)
  }));
  return { path, dots, xTicks, yTicks, x, y, stepAt };
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
