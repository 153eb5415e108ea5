/**
 * Batch transform: the "New batch transform" form's state and checks, the
 * `CreateTransformJob` body, and how a job's progress reads.
 */
import { plural } from '../s3/format';
import type { FormErrors } from '../training/form';
import { jobNameError, nameBase, uniqueJobName } from '../training/names';
import { s3UriError } from '../training/s3uri';
import { wholeNumber } from './form';
import { checkSource, emptySource, type CheckedSource, type IModelSource } from './models';
import type { ICreateTransformJobRequest, ITransformProgress } from './types';

/** Content types the selects offer (any other can be typed). */
export const CONTENT_TYPES = ['text/csv', 'application/json', 'application/jsonlines', 'application/x-npy'] as const;

/** Where jobs write by default (below a folder named after the job). */
export const DEFAULT_TRANSFORM_OUTPUT = 's3://mlstudio/transform-output';

/** Everything the form holds (numbers are still text). */
export interface ITransformFormState {
  name: string;
  source: IModelSource;
  inputUri: string;
  contentType: string;
  splitType: 'None' | 'Line';
  compression: 'None' | 'Gzip';
  batchStrategy: 'MultiRecord' | 'SingleRecord';
  outputPath: string;
  accept: string;
  assembleWith: 'None' | 'Line';
  joinSource: 'None' | 'Input';
  instanceCount: string;
  maxConcurrent: string;
  maxPayloadMB: string;
}

/** What submitting a valid form does: maybe create a model, then the job. */
export interface ITransformPlan {
  source: CheckedSource;
  /** The job body; its `ModelName` is the model to create when `source` is not an existing model. */
  request: ICreateTransformJobRequest;
}

/** The result of checking the form. */
export type TransformFormCheck = { ok: true; plan: ITransformPlan } | { ok: false; errors: FormErrors };

/** A fresh form: CSV lines in, CSV lines out; `trainingJob` preselects a model source. */
export function defaultTransformState(trainingJob = '', now: Date = new Date()): ITransformFormState {
  const name = uniqueJobName(trainingJob ? `${nameBase(trainingJob)}-transform` : 'transform', now);
  return {
    name,
    source: emptySource(trainingJob ? 'training' : 'model', trainingJob),
    inputUri: '',
    contentType: 'text/csv',
    splitType: 'Line',
    compression: 'None',
    batchStrategy: 'MultiRecord',
    outputPath: defaultOutput(name),
    accept: 'text/csv',
    assembleWith: 'Line',
    joinSource: 'None',
    instanceCount: '1',
    maxConcurrent: '1',
    maxPayloadMB: '6'
  };
}

/** The default output path of a job: `<default>/<job>`. */
export function defaultOutput(jobName: string): string {
  return `${DEFAULT_TRANSFORM_OUTPUT}/${jobName.trim()}`;
}

/**
 * Check the form. A valid one gives the `CreateTransformJob` body; with a
 * training job or S3 source, `modelName` names the model to create first.
 */
export function checkTransformForm(state: ITransformFormState, modelName: string): TransformFormCheck {
  const errors: FormErrors = {};
  const name = state.name.trim();
  const nameError = jobNameError(name);
  if (nameError) {
    errors.name = nameError;
  }
  const source = checkSource(state.source, 'source', errors);
  const inputError = s3UriError(state.inputUri);
  if (inputError) {
    errors.input_uri = inputError;
  }
  const outputError = s3UriError(state.outputPath);
  if (outputError) {
    errors.output_path = outputError;
  }
  if (!state.contentType.trim()) {
    errors.content_type = 'Enter the content type of the input, e.g. text/csv.';
  }
  if (state.joinSource === 'Input' && state.splitType !== 'Line') {
    errors.join_source = 'Joining the input needs the split type Line.';
  }
  const instances = wholeNumber(state.instanceCount, 1, 64);
  if (instances === null) {
    errors.instance_count = 'A whole number from 1 to 64.';
  }
  const concurrent = wholeNumber(state.maxConcurrent, 1, 64);
  if (concurrent === null) {
    errors.max_concurrent = 'A whole number from 1 to 64.';
  }
  const payload = wholeNumber(state.maxPayloadMB, 1, 100);
  if (payload === null) {
    errors.max_payload = 'A whole number of MB from 1 to 100.';
  }
  if (Object.keys(errors).length || !source) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    plan: {
      source,
      request: {
        TransformJobName: name,
        ModelName: source.kind === 'model' ? source.model : modelName,
        BatchStrategy: state.batchStrategy,
        MaxPayloadInMB: payload as number,
        MaxConcurrentTransforms: concurrent as number,
        TransformInput: {
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: state.inputUri.trim() } },
          ContentType: state.contentType.trim(),
          SplitType: state.splitType,
          CompressionType: state.compression
        },
        TransformOutput: {
          S3OutputPath: state.outputPath.trim(),
          Accept: state.accept.trim() || state.contentType.trim(),
          AssembleWith: state.assembleWith
        },
        TransformResources: { InstanceCount: instances as number },
        DataProcessing: { JoinSource: state.joinSource }
      }
    }
  };
}

/** How far a job is: a percentage (null while the number of files is unknown) and a summary. */
export interface IProgressInfo {
  percent: number | null;
  text: string;
}

/** The progress of a job in `status` from its `Progress`. */
export function progressInfo(progress: ITransformProgress | undefined, status: string): IProgressInfo {
  const total = progress?.files_total ?? 0;
  const done = Math.min(progress?.files_done ?? 0, total);
  const records = progress?.records_done ?? 0;
  let percent: number | null = total > 0 ? (done / total) * 100 : null;
  if (status === 'Completed') {
    percent = 100;
  }
  const parts: string[] = [];
  if (total > 0) {
    parts.push(`${done.toLocaleString('en-US')}/${plural(total, 'file')}`);
  } else if (status === 'InProgress') {
    parts.push('Starting…');
  }
  if (records > 0) {
    parts.push(plural(records, 'record'));
  }
  return { percent, text: parts.join(' · ') };
}
