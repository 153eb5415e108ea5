import { EndpointMetricStore, mergeByTime, variantSeries } from '../src/endpoints/metrics';
import type { IEndpointMetricPoint } from '../src/endpoints/types';

const point = (t: number, calls = 0, extra: Partial<IEndpointMetricPoint> = {}): IEndpointMetricPoint => ({
  Timestamp: t,
  Invocations: calls,
  InvocationsPerMinute: calls,
  Errors: 0,
  ModelLatency: calls ? 2500 : 0,
  OverheadLatency: calls ? 400 : 0,
  InstanceCount: 1,
  ...extra
});

describe('merging traffic points', () => {
  it('appends newer points', () => {
    const merged = mergeByTime([point(60), point(120)], [point(180), point(240)]);
    expect(merged.map(p => p.Timestamp)).toEqual([60, 120, 180, 240]);
  });

  it('orders late points and replaces a repeated time', () => {
    const merged = mergeByTime([point(60), point(180)], [point(120), point(180, 5)]);
    expect(merged.map(p => [p.Timestamp, p.Invocations])).toEqual([
      [60, 0],
      [120, 0],
      [180, 5]
    ]);
  });

  it('keeps the newest points', () => {
    const merged = mergeByTime([point(1), point(2), point(3)], [point(4)], 2);
    expect(merged.map(p => p.Timestamp)).toEqual([3, 4]);
  });
});

describe('the metric store', () => {
  it('asks for points after the newest one seen', () => {
    const store = new EndpointMetricStore();
    expect(store.since).toBe(0);
    expect(store.empty).toBe(true);
    expect(store.accept({ Period: 60, Variants: { a: [point(60), point(120)], b: [] } }, 0)).toEqual(['a']);
    expect(store.since).toBe(120);
    expect(store.period).toBe(60);
    expect(store.variants).toEqual(['a']);
    expect(store.accept({ Period: 60, Variants: { a: [point(180)], b: [point(180)] } }, 120)).toEqual(['a', 'b']);
    expect(store.since).toBe(180);
    expect(store.points('a')).toHaveLength(3);
    expect(store.empty).toBe(false);
  });

  it('ignores a stale reply', () => {
    const store = new EndpointMetricStore();
    store.accept({ Period: 60, Variants: { a: [point(60)] } }, 0);
    expect(store.accept({ Period: 60, Variants: { a: [point(60)] } }, 0)).toBeNull();
    expect(store.points('a')).toHaveLength(1);
  });

  it('keeps its time when a reply has no points, and can start over', () => {
    const store = new EndpointMetricStore(2);
    store.accept({ Period: 30, Variants: { a: [point(1), point(2), point(3)] } }, 0);
    expect(store.points('a').map(p => p.Timestamp)).toEqual([2, 3]);
    expect(store.accept({ Period: 30, Variants: {} }, 3)).toEqual([]);
    expect(store.since).toBe(3);
    store.reset();
    expect(store.since).toBe(0);
    expect(store.empty).toBe(true);
  });
});

describe('chart series', () => {
  it('charts rate, latency in ms (busy periods only) and instances', () => {
    const series = variantSeries([point(60, 0), point(120, 30, { InstanceCount: 2 })]);
    expect(series.invocationsPerMinute).toEqual([
      { step: 60, value: 0, timestamp: 60 },
      { step: 120, value: 30, timestamp: 120 }
    ]);
    expect(series.modelLatency).toEqual([{ step: 120, value: 2.5, timestamp: 120 }]);
    expect(series.overheadLatency).toEqual([{ step: 120, value: 0.4, timestamp: 120 }]);
    expect(series.instances.map(p => p.value)).toEqual([1, 2]);
  });
});
