/**
 * One metric's live chart (`.jp-mlstudio-metric-chart[data-metric]`): SVG
 * lines of value over step (or over time), one line per series. Colours come
 * from CSS classes that use the theme's variables, so the chart follows light
 * and dark themes by itself.
 */
import {
  formatClock,
  formatReadings,
  layoutSeries,
  nearestIndex,
  type IChartBox,
  type IChartOptions,
  type ISeriesLayout
} from './chartgeom';
import { el } from './dom';
import type { IMetricPoint } from './types';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The drawing box (the SVG scales to its container, keeping this ratio). */
const BOX: IChartBox = { width: 360, height: 170, left: 46, right: 12, top: 10, bottom: 24 };

/** Above this many points no dots are drawn, only the line. */
const MAX_DOTS = 60;

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  className = ''
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    node.setAttribute(name, String(value));
  }
  if (className) {
    node.setAttribute('class', className);
  }
  return node;
}

/** Options of a chart beyond its metric name. */
export interface IMetricChartOptions extends IChartOptions {
  /** Names of the series, for the legend and read-out (one series: none needed). */
  series?: string[];
  /** Appended to values in the read-out, e.g. " ms". */
  unit?: string;
  /** Shown in the plot while there are no points. */
  empty?: string;
}

/** A small line chart of one metric, with one or more series. */
export class MetricChart {
  constructor(readonly metric: string, options: IMetricChartOptions = {}) {
    this._options = options;
    this.node = el('figure', 'jp-mlstudio-metric-chart');
    this.node.dataset.metric = metric;
    this.node.dataset.points = '0';
    const head = el('figcaption', 'jp-mlstudio-metric-chart-head');
    head.append(el('span', 'jp-mlstudio-metric-chart-name', metric));
    const names = options.series ?? [];
    if (names.length > 1) {
      const legend = el('span', 'jp-mlstudio-metric-chart-legend');
      names.forEach((name, i) => {
        const item = el('span', 'jp-mlstudio-metric-chart-legend-item');
        item.dataset.series = String(i);
        item.append(el('span', `jp-mlstudio-chart-swatch jp-mlstudio-chart-series-${i}`), name);
        legend.append(item);
      });
      head.append(legend);
    }
    head.append(this._readout);
    const over = options.xAxis === 'time' ? 'over time' : 'by step';
    this._svg = svg('svg', {
      viewBox: `0 0 ${BOX.width} ${BOX.height}`,
      role: 'img',
      'aria-label': `${metric} ${over}`
    }, 'jp-mlstudio-metric-chart-svg');
    this._svg.addEventListener('mousemove', event => this._hover(event));
    this._svg.addEventListener('mouseleave', () => this._hover(null));
    this.node.append(head, this._svg);
    this.update([]);
  }

  /** The root element. */
  readonly node: HTMLElement;

  /** Draw `points` (sorted by step) as the only series. */
  update(points: readonly IMetricPoint[]): void {
    this.updateSeries([points]);
  }

  /** Draw several series (each sorted by step) on shared axes. */
  updateSeries(series: readonly (readonly IMetricPoint[])[]): void {
    this._series = series;
    const count = series.reduce((n, s) => n + s.length, 0);
    this.node.dataset.points = String(count);
    const layout = layoutSeries(series, BOX, this._options);
    this._layout = layout;
    const children: SVGElement[] = [];
    for (const tick of layout.yTicks) {
      children.push(svg('line', { x1: BOX.left, x2: BOX.width - BOX.right, y1: tick.pos, y2: tick.pos }, 'jp-mlstudio-chart-grid'));
      const label = svg('text', { x: BOX.left - 6, y: tick.pos, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, 'jp-mlstudio-chart-label');
      label.textContent = tick.label;
      children.push(label);
    }
    const bottom = BOX.height - BOX.bottom;
    children.push(svg('line', { x1: BOX.left, x2: BOX.width - BOX.right, y1: bottom, y2: bottom }, 'jp-mlstudio-chart-axis'));
    for (const tick of layout.xTicks) {
      const label = svg('text', { x: tick.pos, y: bottom + 15, 'text-anchor': 'middle' }, 'jp-mlstudio-chart-label');
      label.textContent = tick.label;
      children.push(label);
    }
    layout.series.forEach((drawn, i) => {
      if (!drawn.dots.length) {
        return;
      }
      const seriesClass = `jp-mlstudio-chart-series-${i}`;
      children.push(svg('path', { d: drawn.path }, `jp-mlstudio-chart-line ${seriesClass}`));
      if (drawn.dots.length <= MAX_DOTS) {
        for (const dot of drawn.dots) {
          children.push(svg('circle', { cx: dot.x, cy: dot.y, r: 2.5 }, `jp-mlstudio-chart-dot ${seriesClass}`));
        }
      }
    });
    if (!count) {
      const empty = svg('text', { x: BOX.width / 2, y: BOX.height / 2, 'text-anchor': 'middle' }, 'jp-mlstudio-chart-label');
      empty.textContent = this._options.empty ?? 'No values yet';
      children.push(empty);
    }
    children.push(this._cursor, this._cursorDot);
    this._cursor.setAttribute('y1', String(BOX.top));
    this._cursor.setAttribute('y2', String(bottom));
    this._svg.replaceChildren(...children);
    this._hover(null);
  }

  /** Show the point nearest the pointer, or the last point (of each series). */
  private _hover(event: MouseEvent | null): void {
    const series = this._series;
    const ref = series.reduce<readonly IMetricPoint[]>((a, b) => (b.length > a.length ? b : a), []);
    let step = ref.length ? ref[ref.length - 1].step : NaN;
    if (event && ref.length && this._layout) {
      const rect = this._svg.getBoundingClientRect();
      const px = ((event.clientX - rect.left) / Math.max(1, rect.width)) * BOX.width;
      step = ref[nearestIndex(ref, this._layout.stepAt(px))].step;
    }
    const show = event !== null && ref.length > 0;
    this._cursor.style.display = show ? '' : 'none';
    this._cursorDot.style.display = show ? '' : 'none';
    if (!ref.length || !this._layout) {
      this._readout.textContent = '';
      return;
    }
    const points = series.map(s => (s.length ? s[nearestIndex(s, step)] : null));
    const first = points.find((p): p is IMetricPoint => p !== null) as IMetricPoint;
    if (show) {
      const x = this._layout.x(step);
      this._cursor.setAttribute('x1', String(x));
      this._cursor.setAttribute('x2', String(x));
      this._cursorDot.setAttribute('cx', String(x));
      this._cursorDot.setAttribute('cy', String(this._layout.y(first.value)));
    }
    const unit = this._options.unit ?? '';
    const names = this._options.series ?? [];
    const shown = points.flatMap((p, i) => (p === null ? [] : [{ name: names.length > 1 ? `${names[i]} ` : '', value: p.value }]));
    const labels = formatReadings(shown.map(s => s.value));
    const values = shown.map((s, i) => `${s.name}${labels[i]}${unit}`).join(' · ');
    const at = this._options.xAxis === 'time' ? formatClock(step, true) : `step ${step}`;
    this._readout.textContent = `${values} @ ${at}`;
    this._readout.title = shown.map(s => String(s.value)).join(', ');
  }

  private readonly _options: IMetricChartOptions;
  private readonly _svg: SVGSVGElement;
  private readonly _readout = el('span', 'jp-mlstudio-metric-chart-value');
  private readonly _cursor = svg('line', {}, 'jp-mlstudio-chart-cursor');
  private readonly _cursorDot = svg('circle', { r: 3.5 }, 'jp-mlstudio-chart-cursor-dot');
  private _series: readonly (readonly IMetricPoint[])[] = [];
  private _layout: ISeriesLayout | null = null;
}
