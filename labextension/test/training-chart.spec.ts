import { formatReadings, formatValue, layoutChart, nearestIndex, niceTicks, valueRange } from '../src/training/chartgeom';

const box = { width: 200, height: 100, left: 20, right: 10, top: 10, bottom: 20 };
const pts = (values: number[]) => values.map((value, i) => ({ step: i + 1, value, timestamp: 0 }));

describe('chart geometry', () => {
  it('picks round ticks', () => {
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(1, 10, 4)).toEqual([2.5, 5, 7.5, 10]);
    expect(niceTicks(0.13, 0.91, 4)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });

  it('pads the value range and widens flat series', () => {
    expect(valueRange([0, 10])).toEqual([-0.5, 10.5]);
    expect(valueRange([2, 2])).toEqual([1.8, 2.2]);
    expect(valueRange([0, 0])).toEqual([-1, 1]);
    expect(valueRange([])).toEqual([0, 1]);
  });

  it('maps steps and values into the plot area', () => {
    const layout = layoutChart(pts([1, 0.5, 0]), box);
    expect(layout.dots).toHaveLength(3);
    expect(layout.dots[0].x).toBe(20);
    expect(layout.dots[2].x).toBe(190);
    expect(layout.dots[0].y).toBeLessThan(layout.dots[2].y);
    expect(layout.path.startsWith('M20,')).toBe(true);
    expect(layout.path.split('L')).toHaveLength(3);
    expect(layout.stepAt(190)).toBeCloseTo(3);
    for (const t of layout.xTicks) {
      expect(Number.isInteger(Number(t.label))).toBe(true);
    }
  });

  it('handles one point and none', () => {
    expect(layoutChart(pts([5]), box).dots).toHaveLength(1);
    expect(layoutChart([], box).path).toBe('');
  });

  it('finds the point nearest a step', () => {
    const points = pts([1, 2, 3, 4]);
    expect(nearestIndex(points, 2.4)).toBe(1);
    expect(nearestIndex(points, 2.6)).toBe(2);
    expect(nearestIndex(points, -5)).toBe(0);
    expect(nearestIndex(points, 99)).toBe(3);
    expect(nearestIndex([], 1)).toBe(-1);
  });

  it('formats values compactly', () => {
    expect(formatValue(0.123456)).toBe('0.1235');
    expect(formatValue(12345)).toBe('12345');
    expect(formatValue(123456)).toBe('1.23e+5');
    expect(formatValue(0.00012)).toBe('1.2e-4');
    expect(formatValue(0)).toBe('0');
  });

  it('formats values read together with the same decimals', () => {
    // The latency read-out: model and overhead, 3 significant digits of the larger.
    expect(formatReadings([0.5397, 0.561])).toEqual(['0.540', '0.561']);
    expect(formatReadings([0.8173, 0.612])).toEqual(['0.817', '0.612']);
    expect(formatReadings([1.234, 0.5])).toEqual(['1.23', '0.50']);
    expect(formatReadings([12.345, 0.5])).toEqual(['12.3', '0.5']);
    // Trailing zeros that every value has are dropped.
    expect(formatReadings([0.5, 0.25])).toEqual(['0.50', '0.25']);
    expect(formatReadings([0.1])).toEqual(['0.1']);
    expect(formatReadings([150, 3])).toEqual(['150', '3']);
    expect(formatReadings([1])).toEqual(['1']);
    expect(formatReadings([1234.5])).toEqual(['1235']);
    expect(formatReadings([0.9996])).toEqual(['1']);
    expect(formatReadings([-0.0004, 0.5])).toEqual(['0.0', '0.5']);
    // Zero, tiny, huge and non-finite values as formatValue writes them.
    expect(formatReadings([0, 0])).toEqual(['0', '0']);
    expect(formatReadings([0.00012])).toEqual(['1.2e-4']);
    expect(formatReadings([123456, 2])).toEqual(['1.23e+5', '2']);
    expect(formatReadings([NaN, 0.5])).toEqual(['NaN', '0.5']);
    expect(formatReadings([])).toEqual([]);
  });
});
