import { mergePoints, MetricStore } from '../src/training/metrics';

const p = (step: number, value: number) => ({ step, value, timestamp: 1700000000 + step });

describe('merging metric series', () => {
  it('appends in-order points and sorts late ones by step', () => {
    expect(mergePoints([p(1, 1), p(2, 2)], [p(3, 3)]).map(x => x.step)).toEqual([1, 2, 3]);
    expect(mergePoints([p(1, 1), p(3, 3)], [p(2, 2), p(4, 4)]).map(x => x.step)).toEqual([1, 2, 3, 4]);
  });

  it('keeps points of equal step in arrival order and drops non-numbers', () => {
    const merged = mergePoints([p(1, 1)], [p(1, 5), { step: 2, value: NaN, timestamp: 0 }]);
    expect(merged.map(x => x.value)).toEqual([1, 5]);
  });

  it('halves the resolution past the cap but keeps the newest point', () => {
    const many = Array.from({ length: 11 }, (_, i) => p(i, i));
    const merged = mergePoints([], many, 10);
    expect(merged.length).toBeLessThanOrEqual(10);
    expect(merged[0].step).toBe(0);
    expect(merged[merged.length - 1].step).toBe(10);
  });
});

describe('the metric store', () => {
  it('merges incremental replies and tracks last_id', () => {
    const store = new MetricStore();
    expect(store.accept({ metrics: { loss: [p(1, 0.9), p(2, 0.8)] }, last_id: 2 }, 0)).toEqual(['loss']);
    expect(store.lastId).toBe(2);
    expect(store.accept({ metrics: { loss: [p(3, 0.7)], acc: [p(1, 0.5)] }, last_id: 4 }, 2)).toEqual(['loss', 'acc']);
    expect(store.points('loss').map(x => x.value)).toEqual([0.9, 0.8, 0.7]);
    expect(store.names).toEqual(['loss', 'acc']);
    expect(store.lastId).toBe(4);
  });

  it('ignores stale replies and empty ones', () => {
    const store = new MetricStore();
    store.accept({ metrics: { loss: [p(1, 1)] }, last_id: 1 }, 0);
    expect(store.accept({ metrics: { loss: [p(1, 1)] }, last_id: 1 }, 0)).toBeNull();
    expect(store.points('loss')).toHaveLength(1);
    expect(store.accept({ metrics: {}, last_id: 1 }, 1)).toEqual([]);
    expect(store.lastId).toBe(1);
  });

  it('lists defined metrics before they have points', () => {
    const store = new MetricStore();
    store.ensure('loss');
    expect(store.names).toEqual(['loss']);
    expect(store.points('loss')).toEqual([]);
    expect(store.points('unknown')).toEqual([]);
  });
});
