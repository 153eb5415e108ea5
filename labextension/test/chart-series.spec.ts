import { formatClock, layoutChart, layoutSeries, timeTicks, valueRange } from '../src/training/chartgeom';
import { statusBadge } from '../src/training/status';

const box = { width: 200, height: 100, left: 20, right: 10, top: 10, bottom: 20 };
const at = (pairs: [number, number][]) => pairs.map(([step, value]) => ({ step, value, timestamp: step }));

describe('charts of several series', () => {
  it('lays out series on shared axes', () => {
    const layout = layoutSeries([at([[0, 1], [10, 2]]), at([[5, 4]]), []], box);
    expect(layout.series).toHaveLength(3);
    expect(layout.series[0].dots[0].x).toBe(20);
    expect(layout.series[0].dots[1].x).toBe(190);
    expect(layout.series[1].dots[0].x).toBe(105);
    // The highest value of any series is the top of the shared range.
    expect(layout.series[1].dots[0].y).toBeLessThan(layout.series[0].dots[1].y);
    expect(layout.series[2]).toEqual({ path: '', dots: [] });
  });

  it('keeps the single-series layout', () => {
    const points = at([[1, 1], [2, 0.5], [3, 0]]);
    const single = layoutChart(points, box);
    const multi = layoutSeries([points], box);
    expect(single.path).toBe(multi.series[0].path);
    expect(single.dots).toEqual(multi.series[0].dots);
    expect(single.xTicks).toEqual(multi.xTicks);
  });

  it('starts counts at zero', () => {
    expect(valueRange([3, 5], true)).toEqual([0, 5.25]);
    expect(valueRange([0, 0], true)).toEqual([0, 1]);
    expect(valueRange([-2, -1], true)).toEqual([-2.1, 0]);
    expect(valueRange([-1, 1], true)).toEqual([-1.1, 1.1]);
    expect(valueRange([3, 5])).toEqual([2.9, 5.1]);
  });

  it('labels a time axis with clock times', () => {
    const start = new Date(2024, 4, 1, 12, 0, 0).getTime() / 1000;
    const layout = layoutSeries([at([[start, 1], [start + 600, 2]])], box, { xAxis: 'time', includeZero: true });
    expect(layout.xTicks.map(t => t.label)).toEqual(['12:00', '12:05', '12:10']);
    expect(layout.yTicks[0].label).toBe('0');
  });

  it('centres a single moment in a minute', () => {
    const layout = layoutSeries([at([[1714564800, 3]])], box, { xAxis: 'time' });
    expect(layout.series[0].dots[0].x).toBe(105);
  });
});

describe('time ticks', () => {
  it('picks round clock steps', () => {
    expect(timeTicks(0, 600, 4)).toEqual([0, 300, 600]);
    expect(timeTicks(10, 100, 3)).toEqual([30, 60, 90]);
    expect(timeTicks(0, 7200, 2)).toEqual([0, 3600, 7200]);
    expect(timeTicks(5, 5)).toEqual([5]);
    expect(timeTicks(NaN, 5)).toEqual([]);
  });

  it('formats clock times', () => {
    const t = new Date(2024, 4, 1, 9, 5, 7).getTime() / 1000;
    expect(formatClock(t)).toBe('09:05');
    expect(formatClock(t, true)).toBe('09:05:07');
  });
});

describe('endpoint status badges', () => {
  it.each([
    ['Creating', 'Creating', 'running'],
    ['Updating', 'Updating', 'running'],
    ['InService', 'In service', 'success'],
    ['Deleting', 'Deleting', 'warning'],
    ['Failed', 'Failed', 'error'],
    ['Pending', 'Pending', 'running'],
    ['OutOfService', 'Out of service', 'neutral']
  ])('%s → %s (%s)', (status, label, tone) => {
    expect(statusBadge(status)).toMatchObject({ label, tone });
  });
});
