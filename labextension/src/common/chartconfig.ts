/**
 * What a chart shows, said without Chart.js (axes, series and their roles),
 * the theme it is drawn in (read from JupyterLab's CSS variables), and the
 * Chart.js configuration the two make. Pure: no DOM, so it is unit-tested.
 */
import type { ChartConfiguration, ChartOptions, TooltipItem } from 'chart.js';

/** The options of one axis of a scatter chart. */
type ScaleOptions = NonNullable<NonNullable<ChartOptions<'scatter'>['scales']>[string]>;

/** How an axis maps values: numbers, numbers on a log scale, named categories, or times (ms). */
export type AxisKind = 'linear' | 'logarithmic' | 'category' | 'time';

/** One axis of a chart. */
export interface IAxisSpec {
  kind: AxisKind;
  /** Shown along the axis. */
  title?: string;
  /** The categories, in order (category axes). */
  labels?: string[];
  /** Bounds of a numeric axis (default: the data's). */
  min?: number;
  max?: number;
  /** The bounds are to be included, and the axis may round them out to whole ticks. */
  soft?: boolean;
}

/** What a series stands for; each role has its theme colour. */
export type SeriesRole = 'primary' | 'best' | 'muted' | 'warn' | 'error' | 'success';

/** One point; `label` is its tooltip line (default: "x, y"). */
export interface IChartPoint {
  x: number | string;
  y: number;
  label?: string;
}

/** One series of points. */
export interface ISeriesSpec {
  label: string;
  points: IChartPoint[];
  role: SeriesRole;
  /** Dots only, a line through the points, or a step line (the value holds until the next point). */
  line?: 'none' | 'straight' | 'step';
  /** A dashed line. */
  dashed?: boolean;
  /** Draw a dot at each point (default: when there is no line). */
  dots?: boolean;
  /** Opacity of the colour, 0 to 1 (default 1). */
  opacity?: number;
  /** Line width in px (default 2; 1.5 for dashed). */
  width?: number;
}

/** A whole chart. */
export interface IChartSpec {
  x: IAxisSpec;
  y: IAxisSpec;
  series: ISeriesSpec[];
}

/** The colours and font a chart is drawn with. */
export interface IChartTheme {
  /** Tick and title text. */
  text: string;
  /** Grid lines. */
  grid: string;
  /** Axis lines. */
  axis: string;
  /** Tooltip background and text. */
  tooltipBackground: string;
  tooltipText: string;
  fontFamily: string;
  /** Font size in px. */
  fontSize: number;
  /** The colour of each series role. */
  roles: Record<SeriesRole, string>;
}

/** The JupyterLab theme variable each series role is drawn in. */
export const ROLE_VARIABLES: Record<SeriesRole, string> = {
  primary: '--jp-brand-color1',
  best: '--jp-success-color1',
  muted: '--jp-ui-font-color3',
  warn: '--jp-warn-color1',
  error: '--jp-error-color1',
  success: '--jp-success-color1'
};

/** The variables the rest of the theme comes from. */
export const THEME_VARIABLES = {
  text: '--jp-ui-font-color1',
  grid: '--jp-border-color2',
  axis: '--jp-border-color1',
  tooltipBackground: '--jp-layout-color0',
  tooltipText: '--jp-ui-font-color0',
  fontFamily: '--jp-ui-font-family',
  fontSize: '--jp-ui-font-size1'
} as const;

/** Used when a variable is not set (outside JupyterLab). */
const FALLBACK_COLOR = 'gray';
const FALLBACK_FONT_SIZE = 12;

/**
 * The chart theme from `read` (a CSS variable's value by name, '' when
 * unset). Colour values pass through `normalize` (e.g. to `#rrggbb`, so
 * that `withAlpha` can fade them).
 */
export function themeFromVariables(
  read: (name: string) => string,
  normalize: (color: string) => string = c => c
): IChartTheme {
  const color = (name: string): string => normalize(read(name).trim() || FALLBACK_COLOR);
  const size = /^(\d+(?:\.\d+)?)px$/.exec(read(THEME_VARIABLES.fontSize).trim());
  const roles = {} as Record<SeriesRole, string>;
  for (const [role, variable] of Object.entries(ROLE_VARIABLES) as [SeriesRole, string][]) {
    roles[role] = color(variable);
  }
  return {
    text: color(THEME_VARIABLES.text),
    grid: color(THEME_VARIABLES.grid),
    axis: color(THEME_VARIABLES.axis),
    tooltipBackground: color(THEME_VARIABLES.tooltipBackground),
    tooltipText: color(THEME_VARIABLES.tooltipText),
    fontFamily: read(THEME_VARIABLES.fontFamily).trim() || 'sans-serif',
    fontSize: size ? Number(size[1]) : FALLBACK_FONT_SIZE,
    roles
  };
}

/**
 * `color` (`#rgb`, `#rrggbb`, `rgb(…)` or `rgba(…)`) with its opacity
 * multiplied by `alpha`; other notations are returned unchanged.
 */
export function withAlpha(color: string, alpha: number): string {
  if (alpha >= 1) {
    return color;
  }
  let r: number, g: number, b: number;
  let a = 1;
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/i.exec(color.trim());
  if (hex) {
    const digits = hex[1].length === 3 ? hex[1].replace(/./g, d => d + d) : hex[1];
    [r, g, b] = [0, 2, 4].map(i => parseInt(digits.slice(i, i + 2), 16));
  } else if (rgb) {
    [r, g, b] = [rgb[1], rgb[2], rgb[3]].map(Number);
    if (rgb[4] !== undefined) {
      a = rgb[4].endsWith('%') ? parseFloat(rgb[4]) / 100 : Number(rgb[4]);
    }
  } else {
    return color;
  }
  const faded = Math.round(a * alpha * 1000) / 1000;
  return `rgba(${r}, ${g}, ${b}, ${faded})`;
}

/** A time of day for a time axis tick (ms since the epoch). */
export function formatClock(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A number for an axis tick: short, without float noise. */
export function formatTick(value: number): string {
  if (value === 0) {
    return '0';
  }
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) {
    return value.toExponential(1).replace('e+', 'e');
  }
  return String(Number(value.toPrecision(4)));
}

/** The Chart.js scale of an axis. */
function scale(axis: IAxisSpec, theme: IChartTheme): ScaleOptions {
  const font = { family: theme.fontFamily, size: theme.fontSize - 1 };
  const [low, high] = axis.soft ? ['suggestedMin', 'suggestedMax'] : ['min', 'max'];
  const common = {
    ...(axis.min !== undefined ? { [low]: axis.min } : {}),
    ...(axis.max !== undefined ? { [high]: axis.max } : {}),
    grid: { color: theme.grid },
    border: { color: theme.axis },
    title: {
      display: !!axis.title,
      text: axis.title ?? '',
      color: theme.text,
      font: { family: theme.fontFamily, size: theme.fontSize - 1 }
    }
  };
  const ticks = { color: theme.text, font, maxRotation: 0, autoSkip: true, autoSkipPadding: 8 };
  switch (axis.kind) {
    case 'category':
      return { ...common, type: 'category', labels: axis.labels ?? [], offset: true, ticks } as ScaleOptions;
    case 'logarithmic':
      return {
        ...common,
        type: 'logarithmic',
        ticks: { ...ticks, callback: (v: number | string) => formatTick(Number(v)) }
      } as ScaleOptions;
    case 'time':
      return {
        ...common,
        type: 'linear',
        ticks: { ...ticks, maxTicksLimit: 6, callback: (v: number | string) => formatClock(Number(v)) }
      } as ScaleOptions;
    default:
      return {
        ...common,
        type: 'linear',
        ticks: { ...ticks, maxTicksLimit: 7, callback: (v: number | string) => formatTick(Number(v)) }
      } as ScaleOptions;
  }
}

/** A point's tooltip line. */
function tooltipLabel(item: TooltipItem<'scatter'>): string {
  const point = item.raw as IChartPoint;
  return point.label ?? `${item.dataset.label}: ${point.x}, ${point.y}`;
}

/**
 * The Chart.js configuration of `spec` in `theme` (a scatter chart: every
 * series may draw a line); later series are drawn over earlier ones.
 */
export function chartConfig(spec: IChartSpec, theme: IChartTheme): ChartConfiguration<'scatter'> {
  const datasets = spec.series.map((series, index) => {
    const color = withAlpha(theme.roles[series.role], series.opacity ?? 1);
    const line = series.line ?? 'none';
    const dots = series.dots ?? line === 'none';
    return {
      label: series.label,
      data: series.points as unknown as { x: number; y: number }[],
      showLine: line !== 'none',
      stepped: line === 'step' ? ('after' as const) : false,
      borderColor: color,
      backgroundColor: color,
      borderWidth: series.width ?? (series.dashed ? 1.5 : 2),
      borderDash: series.dashed ? [5, 4] : [],
      pointRadius: dots ? 3.5 : 0,
      pointHoverRadius: dots ? 5 : 3,
      pointHitRadius: 6,
      // Dots on the edge of an axis's bounds show whole.
      clip: 6,
      tension: 0,
      // Chart.js draws a higher order first (underneath).
      order: spec.series.length - index
    };
  });
  return {
    type: 'scatter',
    data: { datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', intersect: false },
      layout: { padding: 4 },
      scales: { x: scale(spec.x, theme), y: scale(spec.y, theme) },
      plugins: {
        legend: { display: false },
        tooltip: {
          backgroundColor: theme.tooltipBackground,
          titleColor: theme.tooltipText,
          bodyColor: theme.tooltipText,
          borderColor: theme.axis,
          borderWidth: 1,
          displayColors: false,
          bodyFont: { family: theme.fontFamily, size: theme.fontSize - 1 },
          callbacks: { title: () => '', label: tooltipLabel }
        }
      }
    }
  };
}
