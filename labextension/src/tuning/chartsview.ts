/**
 * The charts of a tuning job view (`.jp-mlstudio-tuning-charts`): the
 * objective of each trial over time with the best so far, the intermediate
 * objective curves of every trial, and one small scatter per tuned
 * hyperparameter. Each figure carries `data-chart` and `data-points`.
 */
import { ROLE_VARIABLES, ThemedChart, type IChartSpec, type SeriesRole } from '../common/charts';
import {
  curveLegend,
  curvesChart,
  hyperparameterAxes,
  hyperparameterChart,
  objectiveChart
} from './chartdata';
import { CSS, el } from './dom';
import type { ICurvesReply, IDescribeTuningJobReply, ITrialSummary } from './types';

/** A legend entry: a short line (or a dot) in a role's colour. */
interface ILegendEntry {
  label: string;
  role: SeriesRole;
  mark: 'dot' | 'line' | 'dashed';
}

/** One chart with its caption, legend and "nothing yet" note. */
class Figure {
  constructor(readonly name: string, title: string, className = '') {
    this.node.dataset.chart = name;
    this.node.dataset.points = '0';
    if (className) {
      this.node.classList.add(className);
    }
    const caption = el('figcaption', `${CSS}-figure-caption`);
    caption.append(el('span', `${CSS}-figure-title`, title), this._legend);
    this._chart = new ThemedChart(title, `${CSS}-canvas`);
    this._note.hidden = true;
    this.node.append(caption, this._chart.node, this._note);
  }

  readonly node = el('figure', `${CSS}-figure`);

  /** Draw `spec`, or show `empty` when it has no points. */
  show(spec: IChartSpec, legend: ILegendEntry[], empty: string): void {
    const points = spec.series.reduce((n, s) => n + s.points.length, 0);
    this.node.dataset.points = String(points);
    this.node.dataset.series = String(spec.series.filter(s => s.points.length).length);
    this._note.textContent = empty;
    this._note.hidden = points > 0;
    this._chart.node.hidden = points === 0;
    this._legend.replaceChildren(
      ...legend.map(entry => {
        const item = el('span', `${CSS}-legend-item`);
        const mark = el('span', `${CSS}-legend-mark ${CSS}-legend-${entry.mark}`);
        mark.style.setProperty(entry.mark === 'dot' ? 'background-color' : 'border-top-color', `var(${ROLE_VARIABLES[entry.role]})`);
        item.append(mark, entry.label);
        return item;
      })
    );
    if (points > 0) {
      this._chart.update(spec);
    }
  }

  dispose(): void {
    this._chart.dispose();
  }

  private readonly _chart: ThemedChart;
  private readonly _legend = el('span', `${CSS}-legend`);
  private readonly _note = el('p', `${CSS}-muted ${CSS}-figure-note`);
}

/** The charts block. */
export class TuningCharts {
  constructor() {
    this._hpGrid.dataset.part = 'hyperparameters';
    const top = el('div', `${CSS}-chart-row`);
    top.append(this._objective.node, this._curves.node);
    this.node.append(top, el('h4', `${CSS}-subtitle`, 'Hyperparameters against the objective'), this._hpGrid);
  }

  readonly node = el('div', `${CSS}-charts`);

  /** Draw the job's trials and curves. */
  update(job: IDescribeTuningJobReply, trials: readonly ITrialSummary[], curves: ICurvesReply | null): void {
    const config = job.HyperParameterTuningJobConfig;
    const objective = config.HyperParameterTuningJobObjective;
    const metric = objective.MetricName;
    const best = job.BestTrainingJob?.TrainingJobName ?? null;
    this._objective.show(
      objectiveChart(trials, objective.Type, metric),
      [
        { label: 'trial', role: 'primary', mark: 'dot' },
        { label: `best so far (${objective.Type === 'Maximize' ? 'highest' : 'lowest'})`, role: 'best', mark: 'line' }
      ],
      'No trial has reported its objective yet.'
    );
    const curveList = curves?.Curves ?? [];
    this._curves.show(
      curvesChart(curveList, curves?.MetricName || metric, best),
      curveLegend(curveList, best).map(g => ({ label: g.group.toLowerCase(), role: g.role, mark: g.dashed ? 'dashed' : 'line' })),
      'No intermediate values yet: they appear as the trials log the objective metric.'
    );
    this._updateHyperparameters(job, trials, metric, best);
  }

  dispose(): void {
    for (const figure of [this._objective, this._curves, ...this._hps.values()]) {
      figure.dispose();
    }
    this._hps.clear();
  }

  private _updateHyperparameters(
    job: IDescribeTuningJobReply,
    trials: readonly ITrialSummary[],
    metric: string,
    best: string | null
  ): void {
    const axes = hyperparameterAxes(job.HyperParameterTuningJobConfig.ParameterRanges);
    const legend: ILegendEntry[] = [
      { label: 'trial', role: 'primary', mark: 'dot' },
      { label: 'best', role: 'best', mark: 'dot' }
    ];
    const figures = axes.map(hp => {
      let figure = this._hps.get(hp.name);
      if (!figure) {
        const scale = hp.axis.kind === 'logarithmic' ? ' (log scale)' : '';
        figure = new Figure(`hp:${hp.name}`, `${hp.name}${scale}`, `${CSS}-figure-small`);
        figure.node.dataset.axis = hp.axis.kind;
        this._hps.set(hp.name, figure);
      }
      figure.show(hyperparameterChart(trials, hp, metric, best), legend, 'No objective values yet.');
      return figure.node;
    });
    this._hpGrid.replaceChildren(...figures);
  }

  private readonly _objective = new Figure('objective', 'Objective by trial end time');
  private readonly _curves = new Figure('curves', 'Objective metric per step (intermediate values)');
  private readonly _hps = new Map<string, Figure>();
  private readonly _hpGrid = el('div', `${CSS}-hp-grid`);
}
