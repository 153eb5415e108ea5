/**
 * The "New tuning job" form (root `.jp-mlstudio-tuning-form`): strategy,
 * objective, ranges table, limits, early stopping and completion criteria,
 * and the training job each trial copies; checked live, submitted as a
 * `CreateHyperParameterTuningJob` body. The server's refusals show at the
 * field they name.
 */
import { Widget } from '@lumino/widgets';

import { APIError } from '../reply';
import { errorText } from '../status';
import { decodeValue } from './chartdata';
import type { TuningClient } from './client';
import { button, CSS, el, facts, input, outer, searchBox, select } from './dom';
import {
  checkTuningForm,
  definitionFromTrainingJob,
  metricNames,
  ownHyperParameters,
  serverErrorField,
  STRATEGIES,
  type FormErrors,
  type ITuningFormState
} from './form';
import { uniqueTuningName } from './names';
import { categoricalValues, emptyRange, RANGE_TYPES, rangeField, SCALING_TYPES, type IRangeRow, type RangeType } from './ranges';
import type { ObjectiveType, ScalingType, Strategy } from './types';

/** What the form needs from its plugin. */
export interface ITuningFormOptions {
  client: TuningClient;
  /** The initial values (a fresh form or a clone's). */
  state: ITuningFormState;
  /** Called with the job name once the server accepted it. */
  onCreated: (name: string) => void;
}

/** Inputs of a range row, by name. */
const RANGE_INPUTS = ['name', 'type', 'min', 'max', 'scaling', 'values'] as const;

let forms = 0;

/** The create form. */
export class TuningForm extends Widget {
  constructor(options: ITuningFormOptions) {
    super({ node: el('form') });
    this._options = options;
    this._id = `${CSS}-form-${++forms}`;
    this.addClass(`${CSS}-form`);
    const form = this.node as HTMLFormElement;
    form.noValidate = true;
    form.addEventListener('submit', event => {
      event.preventDefault();
      void this.submit();
    });
    form.addEventListener('input', event => this._edited(event.target));
    form.addEventListener('change', event => this._edited(event.target));

    const s = options.state;
    this._definition = s.definition;
    this._sourceJob = s.sourceJob;
    this._name = input('name', s.name);
    this._strategy = select('strategy', STRATEGIES.map(v => [v, v] as const), s.strategy);
    this._minResource = input('min_resource', s.minResource, '1', 'number');
    this._maxResource = input('max_resource', s.maxResource, 'e.g. 20', 'number');
    this._objectiveType = select('objective_type', [['Minimize', 'Minimize'], ['Maximize', 'Maximize']], s.objectiveType);
    this._objectiveType.setAttribute('aria-label', 'Maximize or minimize');
    this._objectiveMetric = select('objective_metric', [], '');
    this._maxJobs = input('max_jobs', s.maxJobs, '10', 'number');
    this._maxParallel = input('max_parallel', s.maxParallel, '2', 'number');
    this._maxRuntime = input('max_runtime', s.maxRuntime, 'no limit; or 3600, 90m, 2h');
    this._earlyStopping = select('early_stopping', [['Off', 'Off'], ['Auto', 'Auto']], s.earlyStopping);
    this._targetValue = input('target_value', s.targetValue, 'none');
    this._notImproving = input('not_improving', s.notImproving, 'none', 'number');
    this._randomSeed = input('random_seed', s.randomSeed, 'none', 'number');
    for (const n of [this._minResource, this._maxResource, this._maxJobs, this._maxParallel, this._notImproving, this._randomSeed]) {
      n.min = '0';
      n.step = '1';
    }
    this._roleArn = input('role_arn', s.roleArn, 'arn:aws:iam::123456789012:role/SageMakerRole');
    this._sourceSelect = select('source_job', [], '');
    this._sourceSearch = searchBox('Filter training jobs by name', 'Filter by name', () => void this._loadTrainingJobs());
    this._sourceSelect.addEventListener('change', () => void this._pickSource(this._sourceSelect.value));
    this._namesList.id = `${this._id}-hp-names`;

    const title = el('h2', `${CSS}-form-title`, 'New hyperparameter tuning job');
    const intro = el(
      'p',
      `${CSS}-muted`,
      'Runs many training jobs (trials) that copy an existing training job, each with other values of the hyperparameters you tune, and keeps the one with the best objective metric, as SageMaker’s automatic model tuning does.'
    );

    const job = this._section('Tuning job');
    this._hyperband = el('div', `${CSS}-hyperband`);
    this._hyperband.append(
      this._field('Min resource', this._minResource, 'min_resource', 'Fewest epochs a trial runs before Hyperband may stop it.'),
      this._field('Max resource', this._maxResource, 'max_resource', 'Most epochs a trial runs; the script reads it as the epochs hyperparameter.')
    );
    job.append(
      this._field('Name', this._name, 'name', 'Letters, digits and hyphens; at most 32 characters.'),
      this._field('Strategy', this._strategy, 'strategy', 'Bayesian learns from earlier trials; Random samples; Grid tries every combination; Hyperband stops weak trials early.'),
      this._hyperband,
      this._field('Random seed', this._randomSeed, 'random_seed', 'Optional: the same seed gives the same sequence of trials.')
    );

    const training = this._section('Training job to copy');
    const pick = el('div', `${CSS}-picker`);
    pick.append(outer(this._sourceSelect), this._sourceSearch.node);
    this._definitionBox.dataset.part = 'definition';
    training.append(
      this._field(
        'Training job',
        pick,
        'source_job',
        'Each trial runs its script, data, image and resources; its hyperparameters stay fixed except the tuned ones.',
        this._sourceSelect
      ),
      this._definitionBox,
      this._field('Execution role', this._roleArn, 'role_arn', 'The IAM role the trials run as: the training job’s; empty for the server’s execution role.')
    );

    const objective = this._section('Objective');
    const metricRow = el('div', `${CSS}-inline`);
    metricRow.append(outer(this._objectiveType), outer(this._objectiveMetric));
    objective.append(
      this._field(
        'Objective',
        metricRow,
        'objective_metric',
        'The metric (one of the training job’s metric definitions) to make as large or as small as possible.',
        this._objectiveMetric
      )
    );

    const ranges = this._section('Hyperparameter ranges');
    ranges.dataset.part = 'ranges';
    const addRange = button('+ Add range', 'add-range');
    addRange.addEventListener('click', () => {
      const row = this._addRange(emptyRange());
      (row.querySelector('input') as HTMLInputElement).focus();
      this._validate();
    });
    this._rangesError.hidden = true;
    const head = el('div', `${CSS}-range ${CSS}-range-head`);
    for (const label of ['Name', 'Type', 'Min', 'Max', 'Scaling', '']) {
      head.append(el('span', `${CSS}-range-label`, label));
    }
    ranges.append(
      el('p', `${CSS}-hint`, 'Numeric ranges take a min and a max (and how to scale values between them); categorical ones take comma-separated values.'),
      head,
      this._rangeRows,
      this._rangesError,
      addRange,
      this._namesList
    );
    for (const row of s.ranges) {
      this._addRange(row);
    }

    const limits = this._section('Resource limits');
    limits.append(
      this._field('Max training jobs', this._maxJobs, 'max_jobs', 'How many trials to run in all.'),
      this._field('Max parallel jobs', this._maxParallel, 'max_parallel', 'How many trials may run at the same time.'),
      this._field('Max runtime', this._maxRuntime, 'max_runtime', 'Optional limit for the whole tuning job: seconds, or 90m, 2h, 1d.')
    );

    const stopping = this._section('Early stopping and completion');
    stopping.append(
      this._field('Early stopping', this._earlyStopping, 'early_stopping', 'Auto stops trials whose objective is unlikely to beat the best so far.'),
      this._field('Target objective value', this._targetValue, 'target_value', 'Optional: stop tuning once a trial reaches this value.'),
      this._field('Stop when best is not improving for', this._notImproving, 'not_improving', 'Optional: a number of trials (at least 3).')
    );

    this._formError.setAttribute('role', 'alert');
    this._formError.hidden = true;
    this._create = button('Create tuning job', 'create', 'accept');
    this._create.type = 'submit';
    const footer = el('div', `${CSS}-form-footer`);
    footer.append(this._formError, this._create);

    const inner = el('div', `${CSS}-form-inner`);
    inner.append(title, intro, job, training, objective, ranges, limits, stopping, footer);
    this.node.append(inner);

    this._fillMetrics(s.objectiveMetric);
    this._renderDefinition();
    this._showStrategy();
    this._validate();
    void this._loadTrainingJobs();
  }

  /** The form's current values. */
  get state(): ITuningFormState {
    return {
      name: this._name.value,
      strategy: this._strategy.value as Strategy,
      minResource: this._minResource.value,
      maxResource: this._maxResource.value,
      objectiveType: this._objectiveType.value as ObjectiveType,
      objectiveMetric: this._objectiveMetric.value,
      maxJobs: this._maxJobs.value,
      maxParallel: this._maxParallel.value,
      maxRuntime: this._maxRuntime.value,
      earlyStopping: this._earlyStopping.value as 'Off' | 'Auto',
      targetValue: this._targetValue.value,
      notImproving: this._notImproving.value,
      randomSeed: this._randomSeed.value,
      ranges: this._rows().map(row => {
        const value = (name: string): string => (row.querySelector(`[name="${name}"]`) as HTMLInputElement).value;
        return {
          name: value('name'),
          type: value('type') as RangeType,
          min: value('min'),
          max: value('max'),
          scaling: value('scaling') as ScalingType,
          values: value('values')
        };
      }),
      sourceJob: this._sourceJob,
      roleArn: this._roleArn.value,
      definition: this._definition
    };
  }

  dispose(): void {
    this._sourceSearch.cancel();
    super.dispose();
  }

  /** Check everything, and create the job when the form is valid. */
  async submit(): Promise<void> {
    if (this._busy) {
      return;
    }
    this._serverErrors = {};
    this._showAll = true;
    const check = this._validate();
    if (!check.ok) {
      this._focusError();
      return;
    }
    this._setBusy(true);
    try {
      await this._options.client.create(check.request);
      this._options.onCreated(check.request.HyperParameterTuningJobName);
    } catch (error) {
      const message = errorText(error);
      const refused = error instanceof APIError && error.status >= 400 && error.status < 500;
      const field = refused ? serverErrorField(message, this.state, (error as APIError).reason ?? '') : 'form';
      this._serverErrors = { [field]: message };
      this._validate();
      this._focusError();
    } finally {
      this._setBusy(false);
    }
  }

  /** Fill the training job picker (newest first, filtered by the search box). */
  private async _loadTrainingJobs(): Promise<void> {
    const seq = ++this._pickerSeq;
    try {
      const reply = await this._options.client.trainingJobs(this._sourceSearch.node.value);
      if (seq !== this._pickerSeq || this.isDisposed) {
        return;
      }
      const current = this._sourceJob;
      const none = reply.TrainingJobSummaries.length === 0 && this._sourceSearch.node.value.trim() === '';
      const prompt = this._definition && !current
        ? '(as the cloned tuning job)'
        : none
          ? '— no training jobs yet: run one first —'
          : '— choose a training job —';
      const options: HTMLOptionElement[] = [new Option(prompt, '')];
      const names = reply.TrainingJobSummaries.map(j => j.TrainingJobName);
      if (current && !names.includes(current)) {
        options.push(new Option(current, current));
      }
      for (const job of reply.TrainingJobSummaries) {
        const option = new Option(`${job.TrainingJobName} (${job.TrainingJobStatus})`, job.TrainingJobName);
        option.title = job.TrainingJobName;
        options.push(option);
      }
      this._sourceSelect.replaceChildren(...options);
      this._sourceSelect.value = current;
    } catch (error) {
      this._serverErrors = { ...this._serverErrors, source_job: `Could not list training jobs: ${errorText(error)}` };
      this._validate();
    }
  }

  /** Take the training definition (and hyperparameters) of training job `name`. */
  private async _pickSource(name: string): Promise<void> {
    if (!name) {
      return;
    }
    const seq = ++this._sourceSeq;
    this._definitionBox.replaceChildren(el('p', `${CSS}-muted`, `Loading ${name}…`));
    try {
      const job = await this._options.client.trainingJob(name);
      if (seq !== this._sourceSeq || this.isDisposed) {
        return;
      }
      this._sourceJob = name;
      this._definition = definitionFromTrainingJob(job);
      if (job.RoleArn) {
        this._roleArn.value = job.RoleArn;
      }
      delete this._serverErrors.source_job;
      const metrics = metricNames(this.state);
      this._fillMetrics(metrics.includes(this._objectiveMetric.value) ? this._objectiveMetric.value : metrics[0] ?? '');
      if (!this._nameTouched) {
        this._name.value = uniqueTuningName(name);
      }
    } catch (error) {
      this._serverErrors = { ...this._serverErrors, source_job: `Could not read ${name}: ${errorText(error)}` };
    }
    this._touched.add(this._sourceSelect);
    this._renderDefinition();
    this._validate();
  }

  /** The metric select: the definition's metrics, keeping `chosen`. */
  private _fillMetrics(chosen: string): void {
    const names = metricNames(this.state);
    const options = names.map(n => new Option(n, n));
    if (chosen && !names.includes(chosen)) {
      options.push(new Option(`${chosen} (not defined)`, chosen));
    }
    if (!options.length) {
      options.push(new Option('— choose a training job first —', ''));
    }
    this._objectiveMetric.replaceChildren(...options);
    this._objectiveMetric.value = chosen;
  }

  /** What each trial copies: image, script, metrics, static hyperparameters (tuned ones marked). */
  private _renderDefinition(): void {
    const d = this._definition;
    if (!d) {
      this._definitionBox.replaceChildren();
      this._namesList.replaceChildren();
      return;
    }
    const hps = d.StaticHyperParameters;
    const tuned = new Set(this._rows().map(r => (r.querySelector('[name="name"]') as HTMLInputElement).value.trim()));
    const resources = d.ResourceConfig as { InstanceCount?: number; InstanceType?: string };
    const summary = facts(
      [
        ['Entry point', decodeValue(hps.sagemaker_program ?? '') || '—'],
        ['Source', decodeValue(hps.sagemaker_submit_directory ?? '') || '—'],
        ['Image', d.AlgorithmSpecification.TrainingImage],
        ['Metrics', d.AlgorithmSpecification.MetricDefinitions.map(m => m.Name).join(', ') || 'none'],
        ['Instances', `${resources.InstanceCount ?? 1} × ${resources.InstanceType ?? 'local'}`],
        ['Output path', d.OutputDataConfig.S3OutputPath || '—']
      ],
      'definition'
    );
    const own = ownHyperParameters(hps);
    const list = el('ul', `${CSS}-static`);
    list.setAttribute('aria-label', 'Hyperparameters');
    for (const [key, value] of own) {
      const item = el('li', `${CSS}-static-item`);
      item.dataset.name = key;
      const isTuned = tuned.has(key);
      item.classList.toggle(`${CSS}-static-tuned`, isTuned);
      item.append(el('code', '', `${key}=${value}`));
      if (isTuned) {
        item.append(el('span', `${CSS}-static-note`, 'tuned'));
      }
      item.title = isTuned ? `${key} is tuned: the trials set it` : `${key} stays ${value} in every trial`;
      list.append(item);
    }
    this._definitionBox.replaceChildren(
      summary,
      el('p', `${CSS}-hint`, own.length ? 'Hyperparameters (fixed unless tuned):' : 'The training job has no hyperparameters of its own.'),
      list
    );
    this._namesList.replaceChildren(...own.map(([k]) => new Option(k)));
  }

  /** Hyperband's fields show for Hyperband only. */
  private _showStrategy(): void {
    this._hyperband.hidden = this._strategy.value !== 'Hyperband';
  }

  /** Run the checks and show the errors of touched fields (all after a submit). */
  private _validate(): ReturnType<typeof checkTuningForm> {
    const check = checkTuningForm(this.state);
    const errors: FormErrors = { ...(check.ok ? {} : check.errors), ...this._serverErrors };
    for (const [key, control] of this._controls()) {
      const message = errors[key] ?? '';
      const shown = message !== '' && (this._showAll || this._touched.has(control) || key in this._serverErrors);
      control.classList.toggle('jp-mod-error', shown);
      control.setAttribute('aria-invalid', shown ? 'true' : 'false');
      const slot = this.node.querySelector(`#${control.id}-error`) as HTMLElement | null;
      if (slot) {
        slot.textContent = shown ? message : '';
        slot.hidden = !shown;
      }
    }
    const rangesMessage = this._showAll || 'ranges' in this._serverErrors ? errors.ranges ?? '' : '';
    this._rangesError.textContent = rangesMessage;
    this._rangesError.hidden = rangesMessage === '';
    this._formError.textContent = errors.form ?? '';
    this._formError.hidden = !errors.form;
    return check;
  }

  /** Every control with its error key; range rows numbered in order. */
  private _controls(): [string, HTMLElement][] {
    const pairs: [string, HTMLElement][] = [
      ['name', this._name],
      ['strategy', this._strategy],
      ['min_resource', this._minResource],
      ['max_resource', this._maxResource],
      ['random_seed', this._randomSeed],
      ['source_job', this._sourceSelect],
      ['role_arn', this._roleArn],
      ['objective_metric', this._objectiveMetric],
      ['max_jobs', this._maxJobs],
      ['max_parallel', this._maxParallel],
      ['max_runtime', this._maxRuntime],
      ['early_stopping', this._earlyStopping],
      ['target_value', this._targetValue],
      ['not_improving', this._notImproving]
    ];
    this._rows().forEach((row, i) => {
      for (const name of RANGE_INPUTS) {
        pairs.push([rangeField(i, name), row.querySelector(`[name="${name}"]`) as HTMLElement]);
      }
    });
    return pairs;
  }

  private _edited(target: EventTarget | null): void {
    if (!(target instanceof HTMLInputElement || target instanceof HTMLSelectElement) || target === this._sourceSearch.node) {
      return;
    }
    if (target === this._name) {
      this._nameTouched = true;
    }
    if (target === this._strategy) {
      this._showStrategy();
    }
    const row = target.closest(`.${CSS}-range`) as HTMLElement | null;
    if (row && target.name === 'type') {
      row.dataset.type = target.value;
    }
    if (row && target.name === 'name') {
      this._renderDefinition();
    }
    this._touched.add(target);
    this._serverErrors = {};
    this._validate();
  }

  private _focusError(): void {
    const invalid = this.node.querySelector('[aria-invalid="true"]') as HTMLElement | null;
    const target = invalid ?? (this._rangesError.hidden ? (this._formError.hidden ? null : this._formError) : this._rangesError);
    invalid?.focus();
    target?.scrollIntoView?.({ block: 'nearest' });
  }

  private _setBusy(busy: boolean): void {
    this._busy = busy;
    this._create.disabled = busy;
    this._create.textContent = busy ? 'Creating…' : 'Create tuning job';
  }

  private _rows(): HTMLElement[] {
    return Array.from(this._rangeRows.children) as HTMLElement[];
  }

  /** A fieldset with a legend. */
  private _section(legend: string): HTMLFieldSetElement {
    const set = el('fieldset', `${CSS}-fieldset`);
    set.append(el('legend', `${CSS}-legend`, legend));
    return set;
  }

  /**
   * A labelled control with a hint and an error slot; `focusable` (the
   * control itself unless it is a group) gets the id `<form>-<key>`.
   */
  private _field(label: string, control: HTMLElement, key: string, hint: string, focusable = control): HTMLElement {
    focusable.id = `${this._id}-${key}`;
    const row = el('div', `${CSS}-field`);
    row.dataset.field = key;
    const caption = el('label', `${CSS}-label`, label);
    caption.htmlFor = focusable.id;
    row.append(caption, outer(control), el('div', `${CSS}-hint`, hint), this._errorSlot(focusable));
    return row;
  }

  /** The error slot under `control` (its id `<control id>-error`). */
  private _errorSlot(control: HTMLElement): HTMLElement {
    const slot = el('div', `${CSS}-field-error`);
    slot.id = `${control.id}-error`;
    slot.hidden = true;
    control.setAttribute('aria-describedby', slot.id);
    return slot;
  }

  /** Append a row to the ranges table. */
  private _addRange(values: IRangeRow): HTMLElement {
    const row = el('div', `${CSS}-range`);
    row.dataset.type = values.type;
    const n = ++this._rangeCount;
    const cell = (control: HTMLInputElement | HTMLSelectElement, label: string): HTMLElement => {
      control.id = `${this._id}-range-${n}-${control.name}`;
      control.setAttribute('aria-label', label);
      const box = el('div', `${CSS}-range-cell`);
      box.dataset.input = control.name;
      box.append(outer(control), this._errorSlot(control));
      return box;
    };
    const name = input('name', values.name, 'name, e.g. lr');
    name.setAttribute('list', this._namesList.id);
    const values_ = input('values', values.values, 'values, e.g. adam, sgd');
    values_.addEventListener('input', () => {
      values_.title = `${categoricalValues(values_.value).length} values`;
    });
    const remove = button('✕', 'remove-range');
    remove.classList.add(`${CSS}-remove`);
    remove.title = 'Remove this range';
    remove.setAttribute('aria-label', 'Remove this range');
    remove.addEventListener('click', () => {
      row.remove();
      this._renderDefinition();
      this._validate();
    });
    row.append(
      cell(name, 'Hyperparameter name'),
      cell(select('type', RANGE_TYPES.map(t => [t, t] as const), values.type), 'Range type'),
      cell(input('min', values.min, 'min'), 'Minimum'),
      cell(input('max', values.max, 'max'), 'Maximum'),
      cell(select('scaling', SCALING_TYPES.map(t => [t, scalingLabel(t)] as const), values.scaling), 'Scaling'),
      cell(values_, 'Values, separated by commas'),
      remove
    );
    this._rangeRows.append(row);
    return row;
  }

  private readonly _options: ITuningFormOptions;
  private readonly _id: string;
  private readonly _name: HTMLInputElement;
  private readonly _strategy: HTMLSelectElement;
  private readonly _minResource: HTMLInputElement;
  private readonly _maxResource: HTMLInputElement;
  private readonly _objectiveType: HTMLSelectElement;
  private readonly _objectiveMetric: HTMLSelectElement;
  private readonly _maxJobs: HTMLInputElement;
  private readonly _maxParallel: HTMLInputElement;
  private readonly _maxRuntime: HTMLInputElement;
  private readonly _earlyStopping: HTMLSelectElement;
  private readonly _targetValue: HTMLInputElement;
  private readonly _notImproving: HTMLInputElement;
  private readonly _randomSeed: HTMLInputElement;
  private readonly _sourceSelect: HTMLSelectElement;
  private readonly _roleArn: HTMLInputElement;
  private readonly _sourceSearch: ReturnType<typeof searchBox>;
  private readonly _hyperband: HTMLElement;
  private readonly _definitionBox = el('div', `${CSS}-definition`);
  private readonly _namesList = el('datalist');
  private readonly _rangeRows = el('div', `${CSS}-ranges`);
  private readonly _rangesError = el('p', `${CSS}-field-error ${CSS}-ranges-error`);
  private readonly _formError = el('p', `${CSS}-form-error`);
  private readonly _create: HTMLButtonElement;
  private readonly _touched = new WeakSet<EventTarget>();
  private _definition: ITuningFormState['definition'];
  private _sourceJob: string;
  private _serverErrors: FormErrors = {};
  private _showAll = false;
  private _busy = false;
  private _nameTouched = false;
  private _rangeCount = 0;
  private _pickerSeq = 0;
  private _sourceSeq = 0;
}

/** "ReverseLogarithmic" → "Reverse logarithmic". */
function scalingLabel(type: ScalingType): string {
  return type === 'ReverseLogarithmic' ? 'Reverse log' : type === 'Logarithmic' ? 'Log' : type;
}
