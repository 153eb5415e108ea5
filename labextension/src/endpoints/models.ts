/**
 * Where a model comes from (a completed training job, a `model.tar.gz` in
 * S3, or an existing model), how that is checked, and the `CreateModel` body
 * built from it. Shared by the endpoint and batch transform forms.
 */
import { decodeSdkString, type FormErrors } from '../training/form';
import { jobNameError, MAX_JOB_NAME, nameBase, timestampSuffix, uniqueJobName } from '../training/names';
import { s3UriError } from '../training/s3uri';
import type { IDescribeTrainingJobReply } from '../training/types';
import type { ICreateModelRequest, IDescribeEndpointReply } from './types';

/** The kinds of model source. */
export type SourceKind = 'training' | 's3' | 'model';

/** A model source as typed in a form. */
export interface IModelSource {
  kind: SourceKind;
  /** With `training`: a completed training job's name. */
  trainingJob: string;
  /** With `s3`: the `model.tar.gz` URI. */
  modelDataUrl: string;
  /** With `s3`: the image (framework) that serves it; empty for the server's Python. */
  image: string;
  /** With `model`: an existing model's name. */
  model: string;
}

/** A source the form checked: either an existing model or what to create one from. */
export type CheckedSource =
  | { kind: 'model'; model: string }
  | { kind: 'training'; trainingJob: string }
  | { kind: 's3'; modelDataUrl: string; image: string };

/** A blank source of `kind`. */
export function emptySource(kind: SourceKind = 'training', trainingJob = ''): IModelSource {
  return { kind, trainingJob, modelDataUrl: '', image: '', model: '' };
}

/** Why `uri` is not a model archive in S3, or null. */
export function modelDataUrlError(uri: string): string | null {
  const error = s3UriError(uri);
  if (error) {
    return error.replace('s3://bucket/prefix/', 's3://bucket/path/model.tar.gz');
  }
  if (!/\.tar\.gz$/.test(uri.trim())) {
    return 'Must name a model.tar.gz archive, e.g. s3://bucket/output/model.tar.gz.';
  }
  return null;
}

/**
 * Check a source; errors go to `errors` under `<prefix>.training_job`,
 * `<prefix>.model_data_url` or `<prefix>.model`.
 */
export function checkSource(source: IModelSource, prefix: string, errors: FormErrors): CheckedSource | null {
  if (source.kind === 'training') {
    const job = source.trainingJob.trim();
    if (!job) {
      errors[`${prefix}.training_job`] = 'Choose a completed training job.';
      return null;
    }
    return { kind: 'training', trainingJob: job };
  }
  if (source.kind === 's3') {
    const error = modelDataUrlError(source.modelDataUrl);
    if (error) {
      errors[`${prefix}.model_data_url`] = error;
      return null;
    }
    return { kind: 's3', modelDataUrl: source.modelDataUrl.trim(), image: source.image.trim() };
  }
  const model = source.model.trim();
  const error = model ? jobNameError(model, 'a model name') : 'Choose a model.';
  if (error) {
    errors[`${prefix}.model`] = error;
    return null;
  }
  return { kind: 'model', model };
}

/** A key telling sources apart: equal keys can share one model. */
export function sourceKey(source: CheckedSource): string {
  switch (source.kind) {
    case 'model':
      return `model:${source.model}`;
    case 'training':
      return `training:${source.trainingJob}`;
    default:
      return `s3:${source.modelDataUrl}|${source.image}`;
  }
}

/** The last path segment of a script path ("src/train.py" → "train.py"). */
function basename(path: string): string {
  return path.replace(/\/+$/, '').replace(/^.*\//, '');
}

/**
 * The `CreateModel` body of a completed training job's model, as the Python
 * API's `Estimator.create_model` builds it: the training image serves
 * `model.tar.gz`; when the source went to S3 as `sourcedir.tar.gz`, the
 * training script (its `model_fn`, …) is the inference code. A workspace
 * folder is not reachable from the model server, so then only the archive
 * (and its `code/inference.py`, if any) serves.
 *
 * @throws Error when the job has no model artifacts
 */
export function modelFromTrainingJob(modelName: string, job: IDescribeTrainingJobReply): ICreateModelRequest {
  const modelDataUrl = job.ModelArtifacts?.S3ModelArtifacts;
  if (!modelDataUrl) {
    throw new Error(`Training job “${job.TrainingJobName}” has no model artifacts.`);
  }
  const hps = job.HyperParameters ?? {};
  const program = basename(decodeSdkString(hps.sagemaker_program ?? ''));
  const submit = decodeSdkString(hps.sagemaker_submit_directory ?? '');
  const environment: Record<string, string> = {};
  if (program && submit.startsWith('s3://')) {
    environment.SAGEMAKER_PROGRAM = program;
    environment.SAGEMAKER_SUBMIT_DIRECTORY = submit;
  }
  const container: ICreateModelRequest['PrimaryContainer'] = { ModelDataUrl: modelDataUrl, Environment: environment };
  const image = job.AlgorithmSpecification?.TrainingImage;
  if (image) {
    container.Image = image;
  }
  return { ModelName: modelName, PrimaryContainer: container };
}

/** The `CreateModel` body of a `model.tar.gz` in S3 (served by `image`, or the server's Python). */
export function modelFromS3(modelName: string, modelDataUrl: string, image = ''): ICreateModelRequest {
  const container: ICreateModelRequest['PrimaryContainer'] = { ModelDataUrl: modelDataUrl };
  if (image) {
    container.Image = image;
  }
  return { ModelName: modelName, PrimaryContainer: container };
}

/**
 * A new resource name derived from `base` (an endpoint or job name, whose own
 * timestamp is dropped) and `suffix`, e.g. `churn-model-a-2024-05-01-…`:
 * unique by a timestamp and within 63 characters.
 */
export function newModelName(base: string, suffix: string, now: Date = new Date()): string {
  const room = MAX_JOB_NAME - timestampSuffix(now).length - suffix.length - 2;
  const stem = nameBase(base, 'model').slice(0, room).replace(/-+$/, '') || 'model';
  return uniqueJobName(`${stem}-${suffix}`, now);
}

/**
 * The endpoint configuration and models deleting `target` may remove too:
 * those no other endpoint (`others`) uses.
 */
export function resourcesToDelete(
  target: IDescribeEndpointReply,
  others: readonly IDescribeEndpointReply[]
): { config: string | null; models: string[] } {
  const rest = others.filter(o => o.EndpointName !== target.EndpointName);
  const usedConfigs = new Set(rest.map(o => o.EndpointConfigName));
  const usedModels = new Set(rest.flatMap(o => o.ProductionVariants.map(v => v.ModelName)));
  const models = Array.from(new Set(target.ProductionVariants.map(v => v.ModelName))).filter(m => !usedModels.has(m));
  return { config: usedConfigs.has(target.EndpointConfigName) ? null : target.EndpointConfigName, models };
}
