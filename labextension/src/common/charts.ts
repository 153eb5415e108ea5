/**
 * The one wrapper of Chart.js: a chart drawn from an `IChartSpec` in the
 * colours of the current JupyterLab theme (its CSS variables, read at run
 * time), redrawn in place when the spec changes and recoloured when the
 * theme changes (`rethemeCharts`).
 */
import {
  CategoryScale,
  Chart,
  LinearScale,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip
} from 'chart.js';

import { chartConfig, themeFromVariables, type IChartSpec, type IChartTheme } from './chartconfig';

export type { AxisKind, IAxisSpec, IChartPoint, IChartSpec, ISeriesSpec, SeriesRole } from './chartconfig';
export { ROLE_VARIABLES } from './chartconfig';

Chart.register(ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, CategoryScale, Tooltip);

/** Charts on screen, recoloured by `rethemeCharts`. */
const live = new Set<ThemedChart>();

/** A canvas context that turns any CSS colour into `#rrggbb` or `rgba(…)`. */
let colorContext: CanvasRenderingContext2D | null = null;

function normalizeColor(color: string): string {
  colorContext ??= document.createElement('canvas').getContext('2d');
  if (!colorContext) {
    return color;
  }
  colorContext.fillStyle = '#000000';
  colorContext.fillStyle = color;
  return String(colorContext.fillStyle);
}

/** The theme as JupyterLab's CSS variables have it now. */
export function currentChartTheme(): IChartTheme {
  const style = getComputedStyle(document.body);
  return themeFromVariables(name => style.getPropertyValue(name), normalizeColor);
}

/** Redraw every chart on screen in the current theme (call after a theme change). */
export function rethemeCharts(): void {
  const theme = currentChartTheme();
  for (const chart of live) {
    chart.retheme(theme);
  }
}

/**
 * A chart in `node` (a `div` holding the canvas, sized by CSS: give it a
 * height). Create it once, call `update` with each new spec, `dispose` when
 * the view goes.
 */
export class ThemedChart {
  constructor(ariaLabel: string, className = '') {
    this.node = document.createElement('div');
    if (className) {
      this.node.className = className;
    }
    // Chart.js sizes the canvas to this box; it must hold nothing else.
    this.node.style.position = 'relative';
    this._canvas = document.createElement('canvas');
    this._canvas.setAttribute('role', 'img');
    this._canvas.setAttribute('aria-label', ariaLabel);
    this.node.append(this._canvas);
  }

  /** The element to put in the page. */
  readonly node: HTMLDivElement;

  /** Show `spec`, in the theme as it is now. */
  update(spec: IChartSpec): void {
    this._spec = spec;
    this._draw(currentChartTheme());
  }

  /** Draw again in `theme`. */
  retheme(theme: IChartTheme): void {
    if (this._spec) {
      this._draw(theme);
    }
  }

  dispose(): void {
    live.delete(this);
    this._chart?.destroy();
    this._chart = null;
  }

  private _draw(theme: IChartTheme): void {
    if (!this._spec) {
      return;
    }
    const config = chartConfig(this._spec, theme);
    if (this._chart) {
      this._chart.data = config.data;
      this._chart.options = config.options ?? {};
      this._chart.update('none');
    } else {
      this._chart = new Chart(this._canvas, config);
      live.add(this);
    }
  }

  private readonly _canvas: HTMLCanvasElement;
  private _chart: Chart<'scatter'> | null = null;
  private _spec: IChartSpec | null = null;
}
