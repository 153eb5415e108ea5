/**
 * Metric time series of a job, merged from incremental
 * `metrics?after=last_id` replies.
 */
import type { IMetricPoint, IMetricsReply } from './types';

/** Points kept per metric before older ones are thinned out. */
export const MAX_POINTS = 4000;

/**
 * `existing` plus `incoming`, ordered by step (points of equal step keep
 * their arrival order). Over `max` points, every second one is dropped
 * (the last always stays), halving the resolution rather than the history.
 */
export function mergePoints(
  existing: readonly IMetricPoint[],
  incoming: readonly IMetricPoint[],
  max: number = MAX_POINTS
): IMetricPoint[] {
  const valid = incoming.filter(p => Number.isFinite(p.step) && Number.isFinite(p.value));
  let merged: IMetricPoint[];
  const last = existing.length ? existing[existing.length - 1].step : -Infinity;
  if (valid.every((p, i) => p.step >= (i === 0 ? last : valid[i - 1].step))) {
    merged = existing.concat(valid);
  } else {
    merged = existing
      .concat(valid)
      .map((p, i) => ({ p, i }))
      .sort((a, b) => a.p.step - b.p.step || a.i - b.i)
      .map(({ p }) => p);
  }
  while (merged.length > max) {
    const tail = merged[merged.length - 1];
    merged = merged.filter((_, i) => i % 2 === 0);
    if (merged[merged.length - 1] !== tail) {
      merged.push(tail);
    }
  }
  return merged;
}

/** Every metric's series, and the id to ask for newer points after. */
export class MetricStore {
  constructor(readonly maxPoints: number = MAX_POINTS) {}

  /** Pass as `after` in the next request. */
  get lastId(): number {
    return this._lastId;
  }

  /** Metric names in the order they first appeared. */
  get names(): string[] {
    return Array.from(this._series.keys());
  }

  /** The points of a metric (empty if none yet). */
  points(name: string): readonly IMetricPoint[] {
    return this._series.get(name) ?? [];
  }

  /**
   * Take a reply to a request made with `after = requestedAfter`: returns the
   * names of the metrics that changed, or null for a stale reply.
   */
  accept(reply: IMetricsReply, requestedAfter: number): string[] | null {
    if (requestedAfter !== this._lastId) {
      return null;
    }
    const changed: string[] = [];
    for (const [name, points] of Object.entries(reply.metrics ?? {})) {
      if (!points.length) {
        continue;
      }
      this._series.set(name, mergePoints(this.points(name), points, this.maxPoints));
      changed.push(name);
    }
    if (typeof reply.last_id === 'number' && reply.last_id > this._lastId) {
      this._lastId = reply.last_id;
    }
    return changed;
  }

  /** Make sure `name` has a (possibly empty) series, e.g. a defined metric with no points yet. */
  ensure(name: string): void {
    if (!this._series.has(name)) {
      this._series.set(name, []);
    }
  }

  private _series = new Map<string, IMetricPoint[]>();
  private _lastId = 0;
}
