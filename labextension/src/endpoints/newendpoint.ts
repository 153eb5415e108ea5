/**
 * The "New endpoint" form (root `.jp-mlstudio-endpoint-form`): the model
 * of variant A (and of B for an A/B test), instance counts and weights.
 * Submitting creates the models, the endpoint configuration and the
 * endpoint, undoing what it created if a later step fails.
 */
import { APIError } from '../reply';
import { errorText } from '../status';
import { uniqueJobName } from '../training/names';
import type { EndpointsClient } from './client';
import { el, textInput } from './dom';
import {
  checkEndpointForm,
  endpointConfigRequest,
  endpointRequest,
  parseWeight,
  type IEndpointFormState,
  type IEndpointPlan,
  type IVariantState
} from './form';
import { CheckedForm } from './formbase';
import { modelFromS3, modelFromTrainingJob } from './models';
import { loadSourceChoices, SourceField } from './sourcefield';
import { formatShare, trafficShares } from './traffic';

/** What the form needs from its plugin. */
export interface IEndpointFormOptions {
  client: EndpointsClient;
  state: IEndpointFormState;
  /** Called with the endpoint name once the server accepted it. */
  onCreated: (name: string) => void;
}

/** The inputs of one variant. */
interface IVariantInputs {
  source: SourceField;
  count: HTMLInputElement;
  weight: HTMLInputElement;
  weightRow: HTMLElement;
}

/** The create form. */
export class EndpointForm extends CheckedForm {
  constructor(options: IEndpointFormOptions) {
    super(
      'jp-mlstudio-endpoint-form',
      'New endpoint',
      'A real-time endpoint: model servers on this machine behind a router that speaks sagemaker-runtime’s InvokeEndpoint. Give a second variant a share of the traffic to A/B test two models.',
      'Create endpoint'
    );
    this._options = options;
    const s = options.state;
    this._name = textInput('name', s.name);
    const endpoint = this.fieldset('Endpoint');
    endpoint.append(this.field('Endpoint name', this._name, 'name', 'Letters, digits and hyphens; unique. The config and models are named after it.'));

    this._a = this._variant('a', s.a);
    this._b = this._variant('b', s.b);
    this._abTest.type = 'checkbox';
    this._abTest.name = 'ab-test';
    this._abTest.checked = s.abTest;
    const abLabel = el('label', 'jp-mlstudio-endpoints-check');
    abLabel.append(this._abTest, ' Add a second variant (A/B test)');
    this._setA = this.fieldset('Model');
    this._setA.append(this._a.source.node, this.field('Instances', this._a.count, 'a.instance_count', 'Model-server processes of this variant.'), this._a.weightRow);
    this._setB = this.fieldset('Variant B');
    this._setB.append(this._b.source.node, this.field('Instances', this._b.count, 'b.instance_count', 'Model-server processes of this variant.'), this._b.weightRow, this._share);
    this._share.setAttribute('aria-live', 'polite');
    this.body.append(endpoint, this._setA, abLabel, this._setB);
    this._abChanged();
    this._abTest.addEventListener('change', () => this._abChanged());
    void this._load();
    this.validate();
  }

  /** The form's current values. */
  get state(): IEndpointFormState {
    const variant = (v: IVariantInputs): IVariantState => ({
      source: v.source.value,
      instanceCount: v.count.value,
      weight: v.weight.value
    });
    return { name: this._name.value, a: variant(this._a), abTest: this._abTest.checked, b: variant(this._b) };
  }

  protected errors(): Record<string, string> {
    const check = checkEndpointForm(this.state);
    this._showShare();
    return check.ok ? {} : check.errors;
  }

  protected edited(target: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): void {
    const job = this._a.source.trainingJobSelect;
    if (target === job && job.value && !this.touched(this._name)) {
      // Until the user names the endpoint, the name follows the training job.
      this._name.value = uniqueJobName(job.value);
    }
  }

  protected placeError(error: unknown): [string, string] {
    const message = errorText(error);
    if (error instanceof APIError && (error.reason === 'ResourceInUse' || /EndpointName/.test(message))) {
      return ['name', message];
    }
    return ['form', message];
  }

  protected async run(progress: (text: string) => void): Promise<void> {
    const check = checkEndpointForm(this.state);
    if (!check.ok) {
      return;
    }
    const plan = check.plan;
    const client = this._options.client;
    const models: string[] = [];
    let config = '';
    try {
      for (const variant of plan.variants.filter(v => v.createModel)) {
        progress(`Creating model ${variant.modelName}…`);
        await client.createModel(await this._modelRequest(plan, variant.variantName));
        models.push(variant.modelName);
      }
      progress('Creating the endpoint configuration…');
      await client.createEndpointConfig(endpointConfigRequest(plan));
      config = plan.configName;
      progress('Creating the endpoint…');
      await client.createEndpoint(endpointRequest(plan));
    } catch (error) {
      // Leave nothing behind that the next attempt would trip over.
      if (config) {
        await client.deleteEndpointConfig(config).catch(() => undefined);
      }
      await Promise.allSettled(models.map(m => client.deleteModel(m)));
      throw error;
    }
    this._options.onCreated(plan.endpointName);
  }

  /** The `CreateModel` body of a variant's new model. */
  private async _modelRequest(plan: IEndpointPlan, variantName: string) {
    const variant = plan.variants.find(v => v.variantName === variantName)!;
    const source = variant.source;
    if (source.kind === 'training') {
      return modelFromTrainingJob(variant.modelName, await this._options.client.training.describe(source.trainingJob));
    }
    if (source.kind === 's3') {
      return modelFromS3(variant.modelName, source.modelDataUrl, source.image);
    }
    throw new Error(`Variant ${variantName} serves an existing model.`);
  }

  /** The inputs of variant `prefix`. */
  private _variant(prefix: 'a' | 'b', state: IVariantState): IVariantInputs {
    const source = new SourceField({
      client: this._options.client,
      prefix,
      field: (...args) => this.field(...args),
      initial: state.source
    });
    const count = textInput(`${prefix}-instance-count`, state.instanceCount);
    count.type = 'number';
    count.min = '1';
    const weight = textInput(`${prefix}-weight`, state.weight);
    weight.type = 'number';
    weight.min = '0';
    weight.step = 'any';
    const weightRow = this.field('Weight', weight, `${prefix}.weight`, 'Relative share of the traffic (SageMaker’s InitialVariantWeight).');
    return { source, count, weight, weightRow };
  }

  private async _load(): Promise<void> {
    await loadSourceChoices(this._options.client, [this._a.source, this._b.source]);
    if (!this.isDisposed) {
      this.validate();
    }
  }

  private _abChanged(): void {
    const ab = this._abTest.checked;
    this._setB.hidden = !ab;
    this._a.weightRow.hidden = !ab;
    (this._setA.querySelector('legend') as HTMLElement).textContent = ab ? 'Variant A' : 'Model';
    this.validate();
  }

  /** "Traffic: A 75% · B 25%" from the typed weights. */
  private _showShare(): void {
    const weights = [this._a.weight.value, this._b.weight.value].map(w => parseWeight(w) ?? 0);
    const [a, b] = trafficShares(weights);
    this._share.textContent = `Traffic: variant A ${formatShare(a)} · variant B ${formatShare(b)}`;
  }

  private readonly _options: IEndpointFormOptions;
  private readonly _name: HTMLInputElement;
  private readonly _abTest = el('input');
  private readonly _a: IVariantInputs;
  private readonly _b: IVariantInputs;
  private readonly _setA: HTMLFieldSetElement;
  private readonly _setB: HTMLFieldSetElement;
  private readonly _share = el('p', 'jp-mlstudio-training-hint jp-mlstudio-endpoints-share');
}
