/**
 * The "New training job" form (root `.jp-mlstudio-training-form`): script,
 * framework, hyperparameters, channels, metric definitions and resources,
 * checked live, submitted as a `CreateTrainingJob` body.
 */
import { Widget } from '@lumino/widgets';

import { APIError } from '../reply';
import { errorText } from '../status';
import type { TrainingClient } from './client';
import { actionButton, el, fieldset, focusFirstError, formField, showFieldError, textInput, wireForm } from './dom';
import {
  checkForm,
  rowField,
  serverErrorField,
  type FormErrors,
  type IChannelRow,
  type IHyperparameterRow,
  type IMetricRow,
  type ITrainingFormState
} from './form';
import { imageChoices } from './images';
import { uniqueJobName } from './names';
import { pickS3Folder } from './s3picker';

/** A Python kernel the image select offers. */
export interface IKernelChoice {
  name: string;
  displayName: string;
}

/** What the form needs from its plugin. */
export interface ITrainingFormOptions {
  client: TrainingClient;
  /** The initial values (a fresh form, a script's, or a clone's). */
  state: ITrainingFormState;
  /** Python kernels whose interpreters can run the script. */
  kernels?: () => Promise<IKernelChoice[]>;
  /** Let the user pick a workspace file; resolves with its path or null. */
  pickScript?: () => Promise<string | null>;
  /** Whether a workspace file exists (checked before submitting). */
  scriptExists?: (path: string) => Promise<boolean>;
  /** Called with the job name once the server accepted it. */
  onCreated: (name: string) => void;
}

/** The rows of the three tables. */
type Table = 'hp' | 'channel' | 'metric';

/** Row class names (test hooks). */
const ROW_CLASS: Record<Table, string> = {
  hp: 'jp-mlstudio-hp-row',
  channel: 'jp-mlstudio-channel-row',
  metric: 'jp-mlstudio-metric-row'
};

/** Input names of each table's rows. */
const ROW_INPUTS: Record<Table, string[]> = {
  hp: ['key', 'value'],
  channel: ['name', 'uri', 'content_type'],
  metric: ['name', 'regex']
};

let formCount = 0;

/** The create form. */
export class TrainingForm extends Widget {
  constructor(options: ITrainingFormOptions) {
    super({ node: el('form') });
    this._options = options;
    this.addClass('jp-mlstudio-training-form');
    wireForm(this.node as HTMLFormElement, () => void this.submit(), target => this._edited(target));
    this._id = ++formCount;

    const s = options.state;
    this._name = textInput('name', s.name);
    this._program = textInput('program', s.program, 'train.py');
    this._sourceDir = textInput('source_dir', s.sourceDir, 'folder/with/the/script (empty: workspace root)');
    this._image.name = 'image';
    this._image.className = 'jp-mod-styled jp-mlstudio-training-select';
    this._instanceCount = textInput('instance_count', s.instanceCount);
    this._instanceCount.type = 'number';
    this._instanceCount.min = '1';
    this._maxRuntime = textInput('max_runtime', s.maxRuntime, '3600, 90m, 2h');
    this._outputPath = textInput('output_path', s.outputPath, 's3://bucket/prefix');
    this._carried = {
      environment: s.environment,
      instanceType: s.instanceType,
      volumeSizeInGB: s.volumeSizeInGB,
      inputMode: s.inputMode
    };
    this._fillImages(s.image, []);
    void options.kernels?.().then(kernels => this._fillImages(this._image.value, kernels)).catch(() => undefined);

    const title = el('h2', 'jp-mlstudio-training-form-title', 'New training job');
    const intro = el(
      'p',
      'jp-mlstudio-training-muted',
      'Runs a SageMaker script-mode entry point on this server: the script sees the SageMaker training container contract (SM_MODEL_DIR, SM_CHANNEL_*, hyperparameters as --name value).'
    );

    const script = this._fieldset('Script');
    const browse = actionButton('Browse…', 'pick-script');
    browse.hidden = !options.pickScript;
    browse.addEventListener('click', () => void this._pickScript());
    script.append(
      this._field('Job name', this._name, 'name', 'Letters, digits and hyphens; unique.'),
      this._field('Source folder', this._sourceDir, 'source_dir', 'Workspace folder uploaded as the code (sagemaker_submit_directory).', browse),
      this._field('Entry point', this._program, 'program', 'Script inside the source folder (sagemaker_program).'),
      this._field('Framework', this._image, 'image', 'The Python environment that runs the script.')
    );

    const hps = this._tableSet('hp', 'Hyperparameters', 'Add hyperparameter', 'Passed as --name value and in hyperparameters.json; sent as strings.');
    const channels = this._tableSet('channel', 'Input channels', 'Add channel', 'Each channel is downloaded to /opt/ml/input/data/<name> (SM_CHANNEL_<NAME>).');
    const metrics = this._tableSet('metric', 'Metric definitions', 'Add metric', 'A regex per metric; its first group captures the value from log lines.');
    for (const row of s.hyperparameters) {
      this._addRow('hp', row);
    }
    for (const row of s.channels) {
      this._addRow('channel', row);
    }
    for (const row of s.metrics) {
      this._addRow('metric', row);
    }

    const resources = this._fieldset('Resources and output');
    const pickOutput = actionButton('Browse S3…', 'pick-output');
    pickOutput.addEventListener('click', () => void this._pickS3(this._outputPath));
    resources.append(
      this._field('Instance count', this._instanceCount, 'instance_count', 'Processes run as hosts algo-1 … algo-N.'),
      this._field('Max runtime', this._maxRuntime, 'max_runtime', 'Seconds, or 90m, 2h, 1d; the job is stopped after it.'),
      this._field('Output path', this._outputPath, 'output_path', 'model.tar.gz goes to <output path>/<job name>/output/.', pickOutput)
    );

    this._formError.setAttribute('role', 'alert');
    this._formError.hidden = true;
    const footer = el('div', 'jp-mlstudio-training-form-footer');
    this._create = actionButton(
      'Create training job',
      'create',
      'jp-mlstudio-training-button jp-mlstudio-training-create jp-mod-accept'
    );
    this._create.type = 'submit';
    footer.append(this._formError, this._create);

    const inner = el('div', 'jp-mlstudio-training-form-inner');
    inner.append(title, intro, script, hps, channels, metrics, resources, footer);
    this.node.append(inner);
    this._validate();
  }

  /** The form's current values. */
  get state(): ITrainingFormState {
    return {
      name: this._name.value,
      program: this._program.value,
      sourceDir: this._sourceDir.value,
      image: this._image.value,
      hyperparameters: this._rows('hp').map(r => ({ key: this._input(r, 'key'), value: this._input(r, 'value') })),
      channels: this._rows('channel').map(r => ({
        name: this._input(r, 'name'),
        uri: this._input(r, 'uri'),
        contentType: this._input(r, 'content_type')
      })),
      metrics: this._rows('metric').map(r => ({ name: this._input(r, 'name'), regex: this._input(r, 'regex') })),
      instanceCount: this._instanceCount.value,
      maxRuntime: this._maxRuntime.value,
      outputPath: this._outputPath.value,
      ...this._carried
    };
  }

  /** Check everything, and create the job if the form is valid. */
  async submit(): Promise<void> {
    if (this._busy) {
      return;
    }
    this._serverErrors = {};
    this._showAll = true;
    const state = this.state;
    const check = this._validate();
    if (!check.ok) {
      this._focusFirstError();
      return;
    }
    this._setBusy(true);
    try {
      const dir = state.sourceDir.trim().replace(/\/+$/, '');
      if (!dir.startsWith('s3://') && this._options.scriptExists) {
        const path = dir ? `${dir}/${state.program.trim()}` : state.program.trim();
        if (!(await this._options.scriptExists(path))) {
          this._serverErrors = { program: `There is no file ${path} in the workspace.` };
          this._validate();
          this._focusFirstError();
          return;
        }
      }
      await this._options.client.create(check.request);
      this._options.onCreated(check.request.TrainingJobName);
    } catch (error) {
      const message = errorText(error);
      const reason = error instanceof APIError ? error.reason ?? '' : '';
      const field = error instanceof APIError && error.status >= 400 && error.status < 500
        ? serverErrorField(message, state, reason)
        : 'form';
      this._serverErrors = { [field]: message };
      this._validate();
      this._focusFirstError();
    } finally {
      this._setBusy(false);
    }
  }

  /** Run the checks and show the errors of touched fields (all after a submit). */
  private _validate(): ReturnType<typeof checkForm> {
    const check = checkForm(this.state);
    const errors: FormErrors = { ...(check.ok ? {} : check.errors), ...this._serverErrors };
    for (const [key, input] of this._fieldInputs()) {
      const message = errors[key] ?? '';
      const shown = message && (this._showAll || this._touched.has(input) || key in this._serverErrors);
      showFieldError(input, this._errorSlot(input), shown ? message : '');
    }
    const formMessage = errors.form ?? '';
    this._formError.textContent = formMessage;
    this._formError.hidden = formMessage === '';
    return check;
  }

  /** Every input with its error key, rows numbered in DOM order. */
  private _fieldInputs(): [string, HTMLInputElement | HTMLSelectElement][] {
    const pairs: [string, HTMLInputElement | HTMLSelectElement][] = [
      ['name', this._name],
      ['program', this._program],
      ['source_dir', this._sourceDir],
      ['image', this._image],
      ['instance_count', this._instanceCount],
      ['max_runtime', this._maxRuntime],
      ['output_path', this._outputPath]
    ];
    for (const table of ['hp', 'channel', 'metric'] as Table[]) {
      this._rows(table).forEach((row, i) => {
        for (const name of ROW_INPUTS[table]) {
          pairs.push([rowField(table, i, name), row.querySelector(`[name="${name}"]`) as HTMLInputElement]);
        }
      });
    }
    return pairs;
  }

  private _edited(target: EventTarget | null): void {
    if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement) {
      if (target === this._program && !this._touched.has(this._name) && this._program.value.trim()) {
        // Until the user names the job, the name follows the script.
        this._name.value = uniqueJobName(this._program.value.trim());
      }
      this._touched.add(target);
      this._serverErrors = {};
      this._validate();
    }
  }

  private _focusFirstError(): void {
    focusFirstError(this.node, this._formError, this._create);
  }

  private _setBusy(busy: boolean): void {
    this._busy = busy;
    this._create.disabled = busy;
    this._create.textContent = busy ? 'Creating…' : 'Create training job';
  }

  private _fillImages(current: string, kernels: IKernelChoice[]): void {
    const choices = imageChoices(kernels, current);
    this._image.replaceChildren(...choices.map(c => new Option(c.label, c.image, false, c.image === current)));
    this._image.title = this._image.value;
  }

  private async _pickScript(): Promise<void> {
    const path = await this._options.pickScript?.();
    if (!path) {
      return;
    }
    const cut = path.lastIndexOf('/');
    this._sourceDir.value = cut === -1 ? '' : path.slice(0, cut);
    this._program.value = cut === -1 ? path : path.slice(cut + 1);
    this._edited(this._program);
    this._touched.add(this._sourceDir);
    this._validate();
  }

  private async _pickS3(input: HTMLInputElement): Promise<void> {
    const uri = await pickS3Folder(this._options.client, input.value.trim() || 's3://mlstudio/');
    if (uri) {
      input.value = uri;
      this._touched.add(input);
      this._validate();
    }
  }

  /** A fieldset with a legend. */
  private _fieldset(legend: string): HTMLFieldSetElement {
    return fieldset(legend);
  }

  /** A labelled input with a hint, an error slot and optional extra controls. */
  private _field(
    label: string,
    input: HTMLInputElement | HTMLSelectElement,
    key: string,
    hint: string,
    ...extra: HTMLElement[]
  ): HTMLElement {
    return formField(`jp-mlstudio-training-form-${this._id}`, label, input, key, hint, ...extra);
  }

  /** A fieldset holding a table of rows and an "add" button. */
  private _tableSet(table: Table, legend: string, addLabel: string, hint: string): HTMLFieldSetElement {
    const set = this._fieldset(legend);
    set.dataset.table = table;
    const rows = el('div', `jp-mlstudio-training-rows jp-mlstudio-${table}-rows`);
    this._tables[table] = rows;
    const add = actionButton(`+ ${addLabel}`, `add-${table}`);
    add.addEventListener('click', () => {
      const row = this._addRow(table);
      (row.querySelector('input') as HTMLInputElement).focus();
      this._validate();
    });
    set.append(el('p', 'jp-mlstudio-training-hint', hint), rows, add);
    return set;
  }

  /** Append a row to a table. */
  private _addRow(
    table: Table,
    values: Partial<IHyperparameterRow & IChannelRow & IMetricRow> = {}
  ): HTMLElement {
    const row = el('div', `jp-mlstudio-training-row ${ROW_CLASS[table]}`);
    const inputs: HTMLElement[] = [];
    if (table === 'hp') {
      inputs.push(this._cell(textInput('key', values.key ?? '', 'name, e.g. epochs')));
      inputs.push(this._cell(textInput('value', values.value ?? '', 'value, e.g. 10')));
    } else if (table === 'channel') {
      inputs.push(this._cell(textInput('name', values.name ?? '', 'name, e.g. train')));
      const uri = textInput('uri', values.uri ?? '', 's3://bucket/prefix/');
      const browse = actionButton('Browse S3…', 'pick-channel');
      browse.addEventListener('click', () => void this._pickS3(uri));
      inputs.push(this._cell(uri, browse));
      inputs.push(this._cell(textInput('content_type', values.contentType ?? '', 'content type (optional)')));
    } else {
      inputs.push(this._cell(textInput('name', values.name ?? '', 'name, e.g. loss')));
      inputs.push(this._cell(textInput('regex', values.regex ?? '', 'regex, e.g. loss=([0-9.]+)')));
    }
    const remove = actionButton('✕', `remove-${table}`, 'jp-mlstudio-training-button jp-mlstudio-training-remove');
    remove.title = 'Remove this row';
    remove.setAttribute('aria-label', 'Remove this row');
    remove.addEventListener('click', () => {
      row.remove();
      this._validate();
    });
    row.append(...inputs, remove);
    this._tables[table]?.append(row);
    return row;
  }

  /** A row cell: an input (plus extras) and its error slot. */
  private _cell(input: HTMLInputElement, ...extra: HTMLElement[]): HTMLElement {
    const cell = el('div', 'jp-mlstudio-training-cell');
    cell.dataset.input = input.name;
    input.setAttribute('aria-label', input.placeholder);
    const control = el('div', 'jp-mlstudio-training-control');
    control.append(input, ...extra);
    const error = el('div', 'jp-mlstudio-training-error');
    error.hidden = true;
    cell.append(control, error);
    return cell;
  }

  private _errorSlot(input: HTMLElement): HTMLElement | null {
    const holder = input.closest('.jp-mlstudio-training-cell, .jp-mlstudio-training-field');
    return holder?.querySelector(':scope > .jp-mlstudio-training-error') ?? null;
  }

  private _rows(table: Table): HTMLElement[] {
    return Array.from(this._tables[table]?.children ?? []) as HTMLElement[];
  }

  private _input(row: HTMLElement, name: string): string {
    return (row.querySelector(`[name="${name}"]`) as HTMLInputElement | null)?.value ?? '';
  }

  private readonly _options: ITrainingFormOptions;
  private readonly _id: number;
  private readonly _name: HTMLInputElement;
  private readonly _program: HTMLInputElement;
  private readonly _sourceDir: HTMLInputElement;
  private readonly _image = el('select');
  private readonly _instanceCount: HTMLInputElement;
  private readonly _maxRuntime: HTMLInputElement;
  private readonly _outputPath: HTMLInputElement;
  private readonly _create: HTMLButtonElement;
  private readonly _formError = el('div', 'jp-mlstudio-training-form-error');
  private readonly _tables: Partial<Record<Table, HTMLElement>> = {};
  private readonly _carried: Pick<ITrainingFormState, 'environment' | 'instanceType' | 'volumeSizeInGB' | 'inputMode'>;
  private readonly _touched = new WeakSet<HTMLElement>();
  private _serverErrors: FormErrors = {};
  private _showAll = false;
  private _busy = false;
}
