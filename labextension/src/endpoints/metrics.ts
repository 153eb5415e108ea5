/**
 * An endpoint's traffic series per variant, merged from incremental
 * `metrics?since=<epoch s>` replies, and the chart series made from them.
 */
import type { IMetricPoint } from '../training/types';
import type { IEndpointMetricPoint, IEndpointMetricsReply } from './types';

/** Points kept per variant (a day of one-minute periods); older ones are dropped. */
export const MAX_METRIC_POINTS = 1440;

/**
 * `existing` plus `incoming`, ordered by time; a point of a time already
 * present replaces it. At most `max` points, the newest.
 */
export function mergeByTime(
  existing: readonly IEndpointMetricPoint[],
  incoming: readonly IEndpointMetricPoint[],
  max: number = MAX_METRIC_POINTS
): IEndpointMetricPoint[] {
  const valid = incoming.filter(p => Number.isFinite(p.Timestamp));
  const last = existing.length ? existing[existing.length - 1].Timestamp : -Infinity;
  let merged: IEndpointMetricPoint[];
  if (valid.every((p, i) => p.Timestamp > (i === 0 ? last : valid[i - 1].Timestamp))) {
    merged = existing.concat(valid);
  } else {
    const byTime = new Map<number, IEndpointMetricPoint>();
    for (const p of existing.concat(valid)) {
      byTime.set(p.Timestamp, p);
    }
    merged = Array.from(byTime.values()).sort((a, b) => a.Timestamp - b.Timestamp);
  }
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}

/** Every variant's points, and the time to ask for newer points after. */
export class EndpointMetricStore {
  constructor(readonly maxPoints: number = MAX_METRIC_POINTS) {}

  /** Pass as `since` in the next request: the newest time seen (0 before any). */
  get since(): number {
    return this._since;
  }

  /** Seconds per point, as the server last said (0 before a reply). */
  get period(): number {
    return this._period;
  }

  /** Variant names in the order they first appeared. */
  get variants(): string[] {
    return Array.from(this._points.keys());
  }

  /** Whether no variant has a point yet. */
  get empty(): boolean {
    return this.variants.every(v => !this.points(v).length);
  }

  /** A variant's points, oldest first. */
  points(variant: string): readonly IEndpointMetricPoint[] {
    return this._points.get(variant) ?? [];
  }

  /**
   * Take a reply to a request made with `since = requestedSince`: returns
   * the variants that got points, or null for a stale reply.
   */
  accept(reply: IEndpointMetricsReply, requestedSince: number): string[] | null {
    if (requestedSince !== this._since) {
      return null;
    }
    if (typeof reply.Period === 'number' && reply.Period > 0) {
      this._period = reply.Period;
    }
    const changed: string[] = [];
    for (const [variant, points] of Object.entries(reply.Variants ?? {})) {
      if (!points.length) {
        continue;
      }
      this._points.set(variant, mergeByTime(this.points(variant), points, this.maxPoints));
      changed.push(variant);
      for (const p of points) {
        if (Number.isFinite(p.Timestamp) && p.Timestamp > this._since) {
          this._since = p.Timestamp;
        }
      }
    }
    return changed;
  }

  /** Forget everything (e.g. the endpoint was re-created). */
  reset(): void {
    this._points.clear();
    this._since = 0;
  }

  private readonly _points = new Map<string, IEndpointMetricPoint[]>();
  private _since = 0;
  private _period = 0;
}

/** The chart series of one variant (x = epoch seconds). */
export interface IVariantSeries {
  invocationsPerMinute: IMetricPoint[];
  /** Milliseconds; only periods with invocations (an idle period has no latency). */
  modelLatency: IMetricPoint[];
  overheadLatency: IMetricPoint[];
  instances: IMetricPoint[];
}

/** Chart series of a variant's points. */
export function variantSeries(points: readonly IEndpointMetricPoint[]): IVariantSeries {
  const at = (p: IEndpointMetricPoint, value: number): IMetricPoint => ({ step: p.Timestamp, value, timestamp: p.Timestamp });
  const busy = points.filter(p => p.Invocations > 0);
  return {
    invocationsPerMinute: points.map(p => at(p, p.InvocationsPerMinute)),
    modelLatency: busy.map(p => at(p, p.ModelLatency / 1000)),
    overheadLatency: busy.map(p => at(p, p.OverheadLatency / 1000)),
    instances: points.map(p => at(p, p.InstanceCount))
  };
}
