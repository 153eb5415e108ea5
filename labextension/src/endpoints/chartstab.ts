/**
 * The Charts tab of an endpoint view: per variant, invocations per minute,
 * latency (model vs overhead) and instance count, polled incrementally
 * (`metrics?since=`) while the tab shows.
 */
import { errorText } from '../status';
import { MetricChart } from '../training/chartview';
import type { EndpointsClient } from './client';
import { el } from './dom';
import { PolledTab } from './polledtab';
import { EndpointMetricStore, variantSeries } from './metrics';

/** Milliseconds between metric requests while the tab shows. */
export const METRICS_POLL_INTERVAL = 5000;

/** The three charts of a variant. */
interface IVariantCharts {
  root: HTMLElement;
  invocations: MetricChart;
  latency: MetricChart;
  instances: MetricChart;
}

/** The Charts tab. */
export class ChartsTab extends PolledTab {
  constructor(private readonly _client: EndpointsClient, private readonly _name: string) {
    super(METRICS_POLL_INTERVAL);
    this.node.classList.add('jp-mlstudio-endpoints-charts');
    this._status.setAttribute('role', 'status');
    this.node.append(this._status, this._variants);
    this._render([]);
  }

  protected async fetch(): Promise<void> {
    const since = this._store.since;
    try {
      const reply = await this._client.metrics(this._name, since);
      const changed = this._store.accept(reply, since);
      this._error = '';
      if (changed) {
        this._render(changed);
      }
    } catch (error) {
      this._error = `Could not load metrics: ${errorText(error)}`;
      this._render([]);
    }
  }

  /** Update the charts of `changed` variants and the empty state. */
  private _render(changed: string[]): void {
    const period = this._store.period;
    if (this._error) {
      this._status.textContent = this._error;
      this._status.className = 'jp-mlstudio-training-message';
    } else if (this._store.empty) {
      this._status.textContent = `No traffic yet. A data point is recorded every ${period ? `${Math.round(period)} s` : 'metrics period'} while the endpoint is in service; send requests from the Test tab or with boto3.`;
      this._status.className = 'jp-mlstudio-training-empty jp-mlstudio-endpoints-nodata';
    } else {
      this._status.textContent = period ? `One point per ${Math.round(period)} s period; latency is the mean per invocation.` : '';
      this._status.className = 'jp-mlstudio-training-muted';
    }
    for (const variant of changed) {
      let charts = this._charts.get(variant);
      if (!charts) {
        charts = this._newCharts(variant);
        this._charts.set(variant, charts);
        this._variants.append(charts.root);
      }
      const series = variantSeries(this._store.points(variant));
      charts.invocations.update(series.invocationsPerMinute);
      charts.latency.updateSeries([series.modelLatency, series.overheadLatency]);
      charts.instances.update(series.instances);
    }
  }

  private _newCharts(variant: string): IVariantCharts {
    const root = el('section', 'jp-mlstudio-training-block jp-mlstudio-endpoints-variant-charts');
    root.dataset.variant = variant;
    const time = { xAxis: 'time' as const, includeZero: true };
    const charts = {
      root,
      invocations: new MetricChart('Invocations per minute', { ...time, empty: 'No traffic yet' }),
      latency: new MetricChart('Latency (ms)', {
        ...time,
        series: ['model', 'overhead'],
        unit: ' ms',
        empty: 'No invocations yet'
      }),
      instances: new MetricChart('Instances', { ...time, integers: true, empty: 'No data yet' })
    };
    const grid = el('div', 'jp-mlstudio-training-charts');
    grid.append(charts.invocations.node, charts.latency.node, charts.instances.node);
    root.append(el('h3', 'jp-mlstudio-training-block-title', variant), grid);
    return charts;
  }

  private readonly _store = new EndpointMetricStore();
  private readonly _charts = new Map<string, IVariantCharts>();
  private readonly _status = el('p', 'jp-mlstudio-training-muted');
  private readonly _variants = el('div', 'jp-mlstudio-endpoints-chart-list');
  private _error = '';
}
