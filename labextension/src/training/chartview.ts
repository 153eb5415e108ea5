/**
 * One metric's live chart (`.jp-mlstudio-metric-chart[data-metric]`): an SVG
 * line of value over step. Colours come from CSS classes that use the
 * theme's variables, so the chart follows light and dark themes by itself.
 */
import { formatValue, layoutChart, nearestIndex, type IChartBox } from './chartgeom';
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

/** A small line chart of one metric. */
export class MetricChart {
  constructor(readonly metric: string) {
    this.node = el('figure', 'jp-mlstudio-metric-chart');
    this.node.dataset.metric = metric;
    this.node.dataset.points = '0';
    const head = el('figcaption', 'jp-mlstudio-metric-chart-head');
    head.append(el('span', 'jp-mlstudio-metric-chart-name', metric), this._readout);
    this._svg = svg('svg', {
      viewBox: `0 0 ${BOX.width} ${BOX.height}`,
      role: 'img',
      'aria-label': `${metric} by step`
    }, 'jp-mlstudio-metric-chart-svg');
    this._svg.addEventListener('mousemove', event => this._hover(event));
    this._svg.addEventListener('mouseleave', () => this._hover(null));
    this.node.append(head, this._svg);
    this.update([]);
  }

  /** The root element. */
  readonly node: HTMLElement;

  /** Draw `points` (sorted by step). */
  update(points: readonly IMetricPoint[]): void {
    this._points = points;
    this.node.dataset.points = String(points.length);
    const layout = layoutChart(points, BOX);
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
    if (points.length) {
      children.push(svg('path', { d: layout.path }, 'jp-mlstudio-chart-line'));
      if (points.length <= MAX_DOTS) {
        for (const dot of layout.dots) {
          children.push(svg('circle', { cx: dot.x, cy: dot.y, r: 2.5 }, 'jp-mlstudio-chart-dot'));
        }
      }
    } else {
      const empty = svg('text', { x: BOX.width / 2, y: BOX.height / 2, 'text-anchor': 'middle' }, 'jp-mlstudio-chart-label');
      empty.textContent = 'No values yet';
      children.push(empty);
    }
    children.push(this._cursor, this._cursorDot);
    this._cursor.setAttribute('y1', String(BOX.top));
    this._cursor.setAttribute('y2', String(bottom));
    this._svg.replaceChildren(...children);
    this._hover(null);
  }

  /** Show the point nearest the pointer, or the last point. */
  private _hover(event: MouseEvent | null): void {
    const points = this._points;
    let index = points.length - 1;
    if (event && points.length && this._layout) {
      const rect = this._svg.getBoundingClientRect();
      const px = ((event.clientX - rect.left) / Math.max(1, rect.width)) * BOX.width;
      index = nearestIndex(points, this._layout.stepAt(px));
    }
    const show = event !== null && index >= 0;
    this._cursor.style.display = show ? '' : 'none';
    this._cursorDot.style.display = show ? '' : 'none';
    if (index < 0 || !this._layout) {
      this._readout.textContent = '';
      return;
    }
    const p = points[index];
    if (show) {
      const x = this._layout.x(p.step);
      this._cursor.setAttribute('x1', String(x));
      this._cursor.setAttribute('x2', String(x));
      this._cursorDot.setAttribute('cx', String(x));
      this._cursorDot.setAttribute('cy', String(this._layout.y(p.value)));
    }
    this._readout.textContent = `${formatValue(p.value)} @ step ${p.step}`;
    this._readout.title = String(p.value);
  }

  private readonly _svg: SVGSVGElement;
  private readonly _readout = el('span', 'jp-mlstudio-metric-chart-value');
  private readonly _cursor = svg('line', {}, 'jp-mlstudio-chart-cursor');
  private readonly _cursorDot = svg('circle', { r: 3.5 }, 'jp-mlstudio-chart-cursor-dot');
  private _points: readonly IMetricPoint[] = [];
  private _layout: ReturnType<typeof layoutChart> | null = null;
}
