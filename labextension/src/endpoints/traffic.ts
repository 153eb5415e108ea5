/**
 * The Overview tab's arithmetic: traffic shares of variant weights, the
 * `UpdateEndpointWeightsAndCapacities` body of an edit, and the auto-scaling
 * policy of the scaling editor.
 */
import type { FormErrors } from '../training/form';
import { MAX_VARIANT_INSTANCES, parseWeight, wholeNumber } from './form';
import type { IDesiredWeightAndCapacity, IScalingPolicy, IVariantDescription } from './types';

/** Each weight's share of the traffic in percent (all 0 when no weight is above 0). */
export function trafficShares(weights: readonly number[]): number[] {
  const valid = weights.map(w => (Number.isFinite(w) && w > 0 ? w : 0));
  const total = valid.reduce((a, b) => a + b, 0);
  return valid.map(w => (total > 0 ? (w / total) * 100 : 0));
}

/** A share as "66.7%" ("100%", "0%": no decimals at the ends). */
export function formatShare(percent: number): string {
  if (!Number.isFinite(percent)) {
    return '—';
  }
  const rounded = Math.round(percent * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)}%`;
}

/** A variant's weight and instance count as typed in the Overview table. */
export interface IVariantEdit {
  VariantName: string;
  weight: string;
  instanceCount: string;
}

/** The result of checking an edit. */
export type WeightsCheck =
  | { ok: true; changes: IDesiredWeightAndCapacity[] }
  | { ok: false; errors: FormErrors };

/**
 * The changes of `edits` against `variants` (only the fields that differ),
 * or the errors keyed `<variant>.weight` / `<variant>.instance_count`
 * (`form` for a weight total of 0).
 */
export function weightsChanges(
  variants: readonly IVariantDescription[],
  edits: readonly IVariantEdit[],
  maxInstances: number = MAX_VARIANT_INSTANCES
): WeightsCheck {
  const errors: FormErrors = {};
  const changes: IDesiredWeightAndCapacity[] = [];
  const weights: number[] = [];
  for (const edit of edits) {
    const variant = variants.find(v => v.VariantName === edit.VariantName);
    if (!variant) {
      continue;
    }
    const weight = parseWeight(edit.weight);
    const count = wholeNumber(edit.instanceCount, 1, maxInstances);
    if (weight === null) {
      errors[`${edit.VariantName}.weight`] = 'A number from 0 to 1,000,000.';
    }
    if (count === null) {
      errors[`${edit.VariantName}.instance_count`] = `A whole number from 1 to ${maxInstances}.`;
    }
    if (weight === null || count === null) {
      continue;
    }
    weights.push(weight);
    const change: IDesiredWeightAndCapacity = { VariantName: edit.VariantName };
    if (weight !== variant.DesiredWeight) {
      change.DesiredWeight = weight;
    }
    if (count !== variant.DesiredInstanceCount) {
      change.DesiredInstanceCount = count;
    }
    if (Object.keys(change).length > 1) {
      changes.push(change);
    }
  }
  if (!Object.keys(errors).length && weights.length && !weights.some(w => w > 0)) {
    errors.form = 'At least one variant needs a weight above 0.';
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, changes };
}

/** The scaling editor's fields as typed. */
export interface IScalingState {
  min: string;
  max: string;
  target: string;
  scaleIn: string;
  scaleOut: string;
}

/** Defaults of a new policy (SageMaker's cool-downs: 300 s in, 60 s out). */
export function scalingState(policy: IScalingPolicy | undefined, currentCount = 1): IScalingState {
  if (!policy) {
    return {
      min: String(Math.max(1, currentCount)),
      max: String(Math.max(2, currentCount)),
      target: '100',
      scaleIn: '300',
      scaleOut: '60'
    };
  }
  return {
    min: String(policy.MinCapacity),
    max: String(policy.MaxCapacity),
    target: String(policy.TargetValue),
    scaleIn: String(policy.ScaleInCooldown),
    scaleOut: String(policy.ScaleOutCooldown)
  };
}

/** The result of checking the scaling editor. */
export type ScalingCheck = { ok: true; policy: IScalingPolicy } | { ok: false; errors: FormErrors };

/** Check the scaling editor; errors keyed by field (`min`, `max`, `target`, `scaleIn`, `scaleOut`). */
export function scalingPolicy(state: IScalingState, maxInstances: number = MAX_VARIANT_INSTANCES): ScalingCheck {
  const errors: FormErrors = {};
  const min = wholeNumber(state.min, 1, maxInstances);
  const max = wholeNumber(state.max, 1, maxInstances);
  if (min === null) {
    errors.min = `A whole number from 1 to ${maxInstances}.`;
  }
  if (max === null) {
    errors.max = `A whole number from 1 to ${maxInstances}.`;
  } else if (min !== null && min > max) {
    errors.max = 'Must be at least the minimum.';
  }
  const target = Number(state.target.trim());
  if (state.target.trim() === '' || !Number.isFinite(target) || target <= 0) {
    errors.target = 'A positive number of invocations per instance per minute.';
  }
  const scaleIn = wholeNumber(state.scaleIn, 0, 86400);
  const scaleOut = wholeNumber(state.scaleOut, 0, 86400);
  if (scaleIn === null) {
    errors.scaleIn = 'Seconds, from 0 to 86400.';
  }
  if (scaleOut === null) {
    errors.scaleOut = 'Seconds, from 0 to 86400.';
  }
  if (Object.keys(errors).length) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    policy: {
      MinCapacity: min as number,
      MaxCapacity: max as number,
      TargetValue: target,
      ScaleInCooldown: scaleIn as number,
      ScaleOutCooldown: scaleOut as number
    }
  };
}
