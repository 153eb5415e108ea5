/**
 * The "model from" fields of a form: a completed training job, a
 * `model.tar.gz` in S3 (with its serving framework), or an existing model.
 * Only the fields of the chosen kind show.
 */
import { errorText } from '../status';
import { FRAMEWORK_IMAGES } from '../training/images';
import { pickS3Folder } from '../training/s3picker';
import type { EndpointsClient } from './client';
import { actionButton, el, select, textInput } from './dom';
import type { IModelSource, SourceKind } from './models';

/** Adds a labelled field to the form (see `CheckedForm.field`). */
export type FieldFactory = (
  label: string,
  input: HTMLInputElement | HTMLSelectElement,
  key: string,
  hint: string,
  ...extra: HTMLElement[]
) => HTMLElement;

const KIND_LABELS: Record<SourceKind, string> = {
  training: 'A completed training job',
  s3: 'A model.tar.gz in S3',
  model: 'An existing model'
};

/** The source fields of one model (error keys `<prefix>.training_job`, `.model_data_url`, `.model`). */
export class SourceField {
  constructor(options: {
    client: EndpointsClient;
    prefix: string;
    field: FieldFactory;
    initial: IModelSource;
    kinds?: SourceKind[];
  }) {
    const { prefix, field, initial, client } = options;
    this._client = client;
    const kinds = options.kinds ?? ['training', 's3', 'model'];
    this._kind = select(`${prefix}-kind`, kinds.map(k => [k, KIND_LABELS[k]] as [string, string]), initial.kind);
    this._job = select(`${prefix}-training-job`, [], '');
    this._model = select(`${prefix}-model`, [], '');
    this._url = textInput(`${prefix}-model-data-url`, initial.modelDataUrl, 's3://bucket/path/model.tar.gz');
    this._image = select(
      `${prefix}-image`,
      FRAMEWORK_IMAGES.map(c => [c.image, c.label] as [string, string]),
      initial.image || FRAMEWORK_IMAGES[0].image
    );
    this._wanted = { training: initial.trainingJob, model: initial.model };
    this.setTrainingJobs(null);
    this.setModels(null);
    const browse = actionButton('Browse S3…', 'pick-model');
    browse.addEventListener('click', () => void this._browse());
    this._rows = {
      training: [field('Training job', this._job, `${prefix}.training_job`, 'Its model.tar.gz, served by its image; an S3 sourcedir’s script serves as inference code (model_fn …).')],
      s3: [
        field('Model archive', this._url, `${prefix}.model_data_url`, 'A model.tar.gz: the model files, and optionally code/inference.py.', browse),
        field('Framework', this._image, `${prefix}.image`, 'The Python environment that loads and serves the model.')
      ],
      model: [field('Model', this._model, `${prefix}.model`, 'A model created before (CreateModel).')]
    };
    this.node.append(field('Model from', this._kind, `${prefix}.kind`, ''), ...Object.values(this._rows).flat());
    this._kind.addEventListener('change', () => {
      this._kindTouched = true;
      this._showKind();
    });
    this._showKind();
  }

  /** The fields' container. */
  readonly node = el('div', 'jp-mlstudio-endpoints-source');

  /** The source as typed. */
  get value(): IModelSource {
    return {
      kind: this._kind.value as SourceKind,
      trainingJob: this._job.value,
      modelDataUrl: this._url.value,
      image: this._image.value,
      model: this._model.value
    };
  }

  /** The select showing the chosen training job (for forms that follow it). */
  get trainingJobSelect(): HTMLSelectElement {
    return this._job;
  }

  /**
   * Fill the training job choices (null: loading); keeps the chosen one.
   * With none to choose from, an untouched source switches to an S3 archive.
   */
  setTrainingJobs(names: string[] | null, error = ''): void {
    this._fill(this._job, 'training', names, error, 'No completed training jobs');
    if (names && !names.length && !this._job.value && this._kind.value === 'training' && !this._kindTouched) {
      this._kind.value = 's3';
      this._showKind();
    }
  }

  /** Fill the model choices (null: loading); keeps the chosen one. */
  setModels(names: string[] | null, error = ''): void {
    this._fill(this._model, 'model', names, error, 'No models yet');
  }

  private _fill(node: HTMLSelectElement, key: 'training' | 'model', names: string[] | null, error: string, none: string): void {
    const wanted = node.value || this._wanted[key];
    const all = names ? [...names] : [];
    if (wanted && !all.includes(wanted)) {
      all.unshift(wanted);
    }
    const placeholder = names === null ? (error ? `Could not load: ${error}` : 'Loading…') : all.length ? 'Choose…' : none;
    node.replaceChildren(new Option(placeholder, '', false, !wanted), ...all.map(n => new Option(n, n, false, n === wanted)));
    (node.options[0] as HTMLOptionElement).disabled = true;
  }

  private _showKind(): void {
    const kind = this._kind.value as SourceKind;
    for (const [k, rows] of Object.entries(this._rows)) {
      for (const row of rows) {
        row.hidden = k !== kind;
      }
    }
  }

  /** Pick a folder; the archive is `<folder>model.tar.gz` (where training jobs put it). */
  private async _browse(): Promise<void> {
    const start = this._url.value.trim().replace(/[^/]*$/, '') || 's3://mlstudio/training-output/';
    const folder = await pickS3Folder(this._client.training, start);
    if (folder) {
      this._url.value = `${folder.replace(/\/*$/, '/')}model.tar.gz`;
      this._url.dispatchEvent(new Event('input', { bubbles: true }));
    }
  }

  private readonly _client: EndpointsClient;
  private readonly _kind: HTMLSelectElement;
  private readonly _job: HTMLSelectElement;
  private readonly _model: HTMLSelectElement;
  private readonly _url: HTMLInputElement;
  private readonly _image: HTMLSelectElement;
  private readonly _rows: Record<SourceKind, HTMLElement[]>;
  private readonly _wanted: { training: string; model: string };
  private _kindTouched = false;
}

/** Fill the training job and model choices of `sources` from the server. */
export async function loadSourceChoices(client: EndpointsClient, sources: SourceField[]): Promise<void> {
  await Promise.all([
    client.completedTrainingJobs().then(
      jobs => sources.forEach(s => s.setTrainingJobs(jobs)),
      error => sources.forEach(s => s.setTrainingJobs(null, errorText(error)))
    ),
    client.listModels().then(
      reply => sources.forEach(s => s.setModels(reply.Models.map(m => m.ModelName))),
      error => sources.forEach(s => s.setModels(null, errorText(error)))
    )
  ]);
}
