/**
 * The "New endpoint" form's state, its validation, and the plan it submits:
 * which models to create, the `CreateEndpointConfig` and `CreateEndpoint`
 * bodies.
 */
import type { FormErrors } from '../training/form';
import { jobNameError, uniqueJobName } from '../training/names';
import { checkSource, emptySource, newModelName, sourceKey, type CheckedSource, type IModelSource } from './models';
import type { ICreateEndpointConfigRequest, ICreateEndpointRequest } from './types';

/** Most instances per variant the form accepts (the server's own limit may be lower). */
export const MAX_VARIANT_INSTANCES = 64;

/** SageMaker's largest variant weight. */
export const MAX_WEIGHT = 1_000_000;

/** The variant name of a single-variant endpoint (the SageMaker SDK's). */
export const SINGLE_VARIANT = 'AllTraffic';

/** The variant names of an A/B endpoint. */
export const AB_VARIANTS = ['variant-a', 'variant-b'] as const;

/** One variant as typed. */
export interface IVariantState {
  source: IModelSource;
  instanceCount: string;
  weight: string;
}

/** Everything the form holds (numbers are still text). */
export interface IEndpointFormState {
  name: string;
  a: IVariantState;
  /** Whether the second (B) variant is on. */
  abTest: boolean;
  b: IVariantState;
}

/** One variant of a checked form. */
export interface IVariantPlan {
  variantName: string;
  source: CheckedSource;
  /** The model the variant serves: `source.model`, or the one to create. */
  modelName: string;
  /** Whether `modelName` is created from the source (false: an existing model, or the other variant's). */
  createModel: boolean;
  instanceCount: number;
  weight: number;
}

/** What submitting a valid form does, in order. */
export interface IEndpointPlan {
  endpointName: string;
  configName: string;
  variants: IVariantPlan[];
}

/** The result of checking the form. */
export type EndpointFormCheck = { ok: true; plan: IEndpointPlan } | { ok: false; errors: FormErrors };

/** A fresh form; `trainingJob` preselects a completed training job. */
export function defaultEndpointState(trainingJob = '', now: Date = new Date()): IEndpointFormState {
  return {
    name: uniqueJobName(trainingJob || 'endpoint', now),
    a: { source: emptySource('training', trainingJob), instanceCount: '1', weight: '1' },
    abTest: false,
    b: { source: emptySource('training'), instanceCount: '1', weight: '1' }
  };
}

/** A whole number in [low, high] from text, or null. */
export function wholeNumber(text: string, low: number, high: number): number | null {
  const s = text.trim();
  if (!/^\d+$/.test(s)) {
    return null;
  }
  const n = Number(s);
  return n >= low && n <= high ? n : null;
}

/** A weight (a number from 0 to 1,000,000) from text, or null. */
export function parseWeight(text: string): number | null {
  const s = text.trim();
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(s)) {
    return null;
  }
  const n = Number(s);
  return n <= MAX_WEIGHT ? n : null;
}

/**
 * Check one variant's source, count and (with `weighted`) weight; errors
 * under `<prefix>.instance_count` / `<prefix>.weight`. Unweighted, the weight is 1.
 */
function checkVariant(
  state: IVariantState,
  prefix: string,
  errors: FormErrors,
  weighted: boolean
): { source: CheckedSource | null; count: number | null; weight: number | null } {
  const source = checkSource(state.source, prefix, errors);
  const count = wholeNumber(state.instanceCount, 1, MAX_VARIANT_INSTANCES);
  if (count === null) {
    errors[`${prefix}.instance_count`] = `A whole number from 1 to ${MAX_VARIANT_INSTANCES}.`;
  }
  const weight = weighted ? parseWeight(state.weight) : 1;
  if (weight === null) {
    errors[`${prefix}.weight`] = `A number from 0 to ${MAX_WEIGHT.toLocaleString('en-US')}.`;
  }
  return { source, count, weight };
}

/**
 * Check the form. A valid one gives the plan: names derived from the
 * endpoint name (the config and any new models get a timestamp so an
 * endpoint can be re-created under the same name), one new model per
 * distinct source.
 */
export function checkEndpointForm(state: IEndpointFormState, now: Date = new Date()): EndpointFormCheck {
  const errors: FormErrors = {};
  const name = state.name.trim();
  const nameError = jobNameError(name, 'an endpoint name');
  if (nameError) {
    errors.name = nameError;
  }
  const keys = state.abTest ? (['a', 'b'] as const) : (['a'] as const);
  const checked = keys.map(key => checkVariant(state[key], key, errors, state.abTest));
  if (state.abTest && checked.every(v => v.weight !== null) && !checked.some(v => (v.weight as number) > 0)) {
    errors['a.weight'] = 'At least one variant needs a weight above 0.';
  }
  if (Object.keys(errors).length) {
    return { ok: false, errors };
  }
  const variants: IVariantPlan[] = [];
  const created = new Map<string, string>();
  checked.forEach((v, i) => {
    const source = v.source as CheckedSource;
    const variantName = state.abTest ? AB_VARIANTS[i] : SINGLE_VARIANT;
    let modelName: string;
    let createModel = false;
    if (source.kind === 'model') {
      modelName = source.model;
    } else if (created.has(sourceKey(source))) {
      modelName = created.get(sourceKey(source)) as string;
    } else {
      modelName = newModelName(name, state.abTest ? `model-${keys[i]}` : 'model', now);
      created.set(sourceKey(source), modelName);
      createModel = true;
    }
    variants.push({
      variantName,
      source,
      modelName,
      createModel,
      instanceCount: v.count as number,
      weight: v.weight as number
    });
  });
  return { ok: true, plan: { endpointName: name, configName: newModelName(name, 'config', now), variants } };
}

/** The `CreateEndpointConfig` body of a plan. */
export function endpointConfigRequest(plan: IEndpointPlan): ICreateEndpointConfigRequest {
  return {
    EndpointConfigName: plan.configName,
    ProductionVariants: plan.variants.map(v => ({
      VariantName: v.variantName,
      ModelName: v.modelName,
      InitialInstanceCount: v.instanceCount,
      InitialVariantWeight: v.weight
    }))
  };
}

/** The `CreateEndpoint` body of a plan. */
export function endpointRequest(plan: IEndpointPlan): ICreateEndpointRequest {
  return { EndpointName: plan.endpointName, EndpointConfigName: plan.configName };
}
