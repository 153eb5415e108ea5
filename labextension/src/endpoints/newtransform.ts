/**
 * The "New batch transform" form (root `.jp-mlstudio-transform-form`): the
 * model, the input prefix and how its records split, the output and the
 * resources; submitted as a `CreateTransformJob` body (after creating the
 * model when it comes from a training job or an archive in S3).
 */
import { APIError } from '../reply';
import { errorText } from '../status';
import { uniqueJobName } from '../training/names';
import { pickS3Folder } from '../training/s3picker';
import type { EndpointsClient } from './client';
import { actionButton, select, textInput } from './dom';
import { CheckedForm } from './formbase';
import { modelFromS3, modelFromTrainingJob, newModelName } from './models';
import { loadSourceChoices, SourceField } from './sourcefield';
import { checkTransformForm, CONTENT_TYPES, defaultOutput, type ITransformFormState } from './transform';

/** What the form needs from its plugin. */
export interface ITransformFormOptions {
  client: EndpointsClient;
  state: ITransformFormState;
  /** Called with the job name once the server accepted it. */
  onCreated: (name: string) => void;
}

/** A number input. */
function numberInput(name: string, value: string, min: string): HTMLInputElement {
  const input = textInput(name, value);
  input.type = 'number';
  input.min = min;
  return input;
}

/** The create form. */
export class TransformForm extends CheckedForm {
  constructor(options: ITransformFormOptions) {
    super(
      'jp-mlstudio-transform-form',
      'New batch transform job',
      'Runs a model over every object under an S3 prefix and writes <object>.out files to the output path, as SageMaker batch transform does.',
      'Create transform job'
    );
    this._options = options;
    const s = options.state;
    this._name = textInput('name', s.name);
    this._source = new SourceField({ client: options.client, prefix: 'source', field: (...a) => this.field(...a), initial: s.source, kinds: ['model', 'training', 's3'] });
    const job = this.fieldset('Job');
    job.append(this.field('Job name', this._name, 'name', 'Letters, digits and hyphens; unique.'), this._source.node);

    this._input = textInput('input_uri', s.inputUri, 's3://bucket/prefix/');
    this._contentType = select('content_type', [...CONTENT_TYPES], s.contentType);
    this._split = select('split_type', [['Line', 'Line (one record per line)'], ['None', 'None (one record per object)']], s.splitType);
    this._compression = select('compression', ['None', 'Gzip'], s.compression);
    const pickInput = actionButton('Browse S3…', 'pick-input');
    pickInput.addEventListener('click', () => void this._pick(this._input));
    const input = this.fieldset('Input');
    input.append(
      this.field('Input prefix', this._input, 'input_uri', 'Every object under this prefix is transformed.', pickInput),
      this.field('Content type', this._contentType, 'content_type', 'Sent as Content-Type with each request.'),
      this.field('Split type', this._split, 'split_type', 'How an object is cut into records.'),
      this.field('Compression', this._compression, 'compression', 'Gzip: objects are gunzipped before they are split.')
    );

    this._output = textInput('output_path', s.outputPath, 's3://bucket/prefix/');
    this._accept = select('accept', [...CONTENT_TYPES], s.accept);
    this._assemble = select('assemble_with', [['Line', 'Line (one result per line)'], ['None', 'None (results concatenated)']], s.assembleWith);
    this._join = select('join_source', [['None', 'None (results only)'], ['Input', 'Input (each input record with its result)']], s.joinSource);
    const pickOutput = actionButton('Browse S3…', 'pick-output');
    pickOutput.addEventListener('click', () => void this._pick(this._output));
    const output = this.fieldset('Output');
    output.append(
      this.field('Output path', this._output, 'output_path', '<input object>.out files are written here.', pickOutput),
      this.field('Accept', this._accept, 'accept', 'The content type asked of the model.'),
      this.field('Assemble with', this._assemble, 'assemble_with', 'How the results of one object are put together.'),
      this.field('Join source', this._join, 'join_source', 'Needs split type Line.')
    );

    this._strategy = select('batch_strategy', [['MultiRecord', 'MultiRecord (many records per request)'], ['SingleRecord', 'SingleRecord (one record per request)']], s.batchStrategy);
    this._instances = numberInput('instance_count', s.instanceCount, '1');
    this._concurrent = numberInput('max_concurrent', s.maxConcurrent, '1');
    this._payload = numberInput('max_payload', s.maxPayloadMB, '1');
    const resources = this.fieldset('Resources');
    resources.append(
      this.field('Batch strategy', this._strategy, 'batch_strategy', 'MultiRecord fills each request up to the payload limit.'),
      this.field('Instances', this._instances, 'instance_count', 'Model-server processes for the job.'),
      this.field('Max concurrent', this._concurrent, 'max_concurrent', 'Requests in flight per instance.'),
      this.field('Max payload (MB)', this._payload, 'max_payload', 'Largest request body.')
    );
    this.body.append(job, input, output, resources);
    void this._load();
    this.validate();
  }

  /** The form's current values. */
  get state(): ITransformFormState {
    return {
      name: this._name.value,
      source: this._source.value,
      inputUri: this._input.value,
      contentType: this._contentType.value,
      splitType: this._split.value as ITransformFormState['splitType'],
      compression: this._compression.value as ITransformFormState['compression'],
      batchStrategy: this._strategy.value as ITransformFormState['batchStrategy'],
      outputPath: this._output.value,
      accept: this._accept.value,
      assembleWith: this._assemble.value as ITransformFormState['assembleWith'],
      joinSource: this._join.value as ITransformFormState['joinSource'],
      instanceCount: this._instances.value,
      maxConcurrent: this._concurrent.value,
      maxPayloadMB: this._payload.value
    };
  }

  protected errors(): Record<string, string> {
    const check = checkTransformForm(this.state, 'model');
    return check.ok ? {} : check.errors;
  }

  protected edited(target: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): void {
    const job = this._source.trainingJobSelect;
    if (target === job && job.value && !this.touched(this._name)) {
      this._rename(uniqueJobName(`${job.value}-transform`));
    } else if (target === this._name && !this.touched(this._output)) {
      this._output.value = defaultOutput(this._name.value);
    } else if (target === this._split && this._split.value === 'None') {
      this._assemble.value = 'None';
    }
  }

  protected placeError(error: unknown): [string, string] {
    const message = errorText(error);
    if (error instanceof APIError && (error.reason === 'ResourceInUse' || /TransformJobName/.test(message))) {
      return ['name', message];
    }
    const fields: [RegExp, string][] = [
      [/S3DataSource|S3Uri/, 'input_uri'],
      [/S3OutputPath/, 'output_path'],
      [/JoinSource/, 'join_source'],
      [/InstanceCount/, 'instance_count'],
      [/MaxConcurrentTransforms/, 'max_concurrent'],
      [/MaxPayloadInMB/, 'max_payload']
    ];
    return [fields.find(([re]) => re.test(message))?.[1] ?? 'form', message];
  }

  protected async run(progress: (text: string) => void): Promise<void> {
    const state = this.state;
    const check = checkTransformForm(state, newModelName(state.name, 'model'));
    if (!check.ok) {
      return;
    }
    const { source, request } = check.plan;
    const client = this._options.client;
    let created = '';
    try {
      if (source.kind !== 'model') {
        progress(`Creating model ${request.ModelName}…`);
        const body =
          source.kind === 'training'
            ? modelFromTrainingJob(request.ModelName, await client.training.describe(source.trainingJob))
            : modelFromS3(request.ModelName, source.modelDataUrl, source.image);
        await client.createModel(body);
        created = request.ModelName;
      }
      progress('Creating the transform job…');
      await client.createTransform(request);
    } catch (error) {
      if (created) {
        await client.deleteModel(created).catch(() => undefined);
      }
      throw error;
    }
    this._options.onCreated(request.TransformJobName);
  }

  private _rename(name: string): void {
    this._name.value = name;
    if (!this.touched(this._output)) {
      this._output.value = defaultOutput(name);
    }
  }

  private async _pick(input: HTMLInputElement): Promise<void> {
    const uri = await pickS3Folder(this._options.client.training, input.value.trim() || 's3://mlstudio/');
    if (uri) {
      input.value = uri;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }
  }

  private async _load(): Promise<void> {
    await loadSourceChoices(this._options.client, [this._source]);
    if (!this.isDisposed) {
      this.validate();
    }
  }

  private readonly _options: ITransformFormOptions;
  private readonly _name: HTMLInputElement;
  private readonly _source: SourceField;
  private readonly _input: HTMLInputElement;
  private readonly _contentType: HTMLSelectElement;
  private readonly _split: HTMLSelectElement;
  private readonly _compression: HTMLSelectElement;
  private readonly _output: HTMLInputElement;
  private readonly _accept: HTMLSelectElement;
  private readonly _assemble: HTMLSelectElement;
  private readonly _join: HTMLSelectElement;
  private readonly _strategy: HTMLSelectElement;
  private readonly _instances: HTMLInputElement;
  private readonly _concurrent: HTMLInputElement;
  private readonly _payload: HTMLInputElement;
}
