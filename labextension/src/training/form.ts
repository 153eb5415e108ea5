/**
 * The create form's state, its validation, and the `CreateTrainingJob` body
 * built from it; also the state a Clone starts from and where a server 400
 * message belongs in the form.
 */
import { parseRuntime, runtimeText } from './format';
import { DEFAULT_IMAGE } from './images';
import { jobNameError, uniqueJobName } from './names';
import { checkMetricRegex } from './regex';
import { s3UriError } from './s3uri';
import type {
  IChannel,
  ICreateTrainingJobRequest,
  IDescribeTrainingJobReply,
  IMetricDefinition
} from './types';

/** A hyperparameter row. */
export interface IHyperparameterRow {
  key: string;
  value: string;
}

/** A channel row. */
export interface IChannelRow {
  name: string;
  uri: string;
  /** `ContentType`; optional. */
  contentType: string;
}

/** A metric definition row. */
export interface IMetricRow {
  name: string;
  regex: string;
}

/** Everything the form holds, as typed (numbers are still text). */
export interface ITrainingFormState {
  name: string;
  /** Entry point, relative to the source folder (`sagemaker_program`). */
  program: string;
  /** Workspace folder or `s3://…/sourcedir.tar.gz` (`sagemaker_submit_directory`). */
  sourceDir: string;
  image: string;
  hyperparameters: IHyperparameterRow[];
  channels: IChannelRow[];
  metrics: IMetricRow[];
  instanceCount: string;
  maxRuntime: string;
  outputPath: string;
  /** Carried over from a cloned job; not edited in the form. */
  environment: Record<string, string>;
  instanceType: string;
  volumeSizeInGB: number;
  inputMode: string;
}

/** Field errors by field key (see `rowField`); `form` holds form-wide errors. */
export type FormErrors = Record<string, string>;

/** The result of checking the form. */
export type FormCheck =
  | { ok: true; request: ICreateTrainingJobRequest }
  | { ok: false; errors: FormErrors };

/** The default output location. */
export const DEFAULT_OUTPUT_PATH = 's3://mlstudio/training-output';

/** The default runtime limit, as typed in the form. */
export const DEFAULT_MAX_RUNTIME = '1h';

/** SageMaker's longest runtime limit (28 days), in seconds. */
export const MAX_RUNTIME_LIMIT = 28 * 24 * 3600;

/** Most instances the form accepts (the server may allow fewer). */
export const MAX_INSTANCES = 64;

/** Hyperparameters that the script fields set. */
const SCRIPT_KEYS = new Set(['sagemaker_program', 'sagemaker_submit_directory']);

/** SageMaker's channel name pattern. */
const CHANNEL_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** The key of a row field's error, e.g. `hp.2.key`. */
export function rowField(table: 'hp' | 'channel' | 'metric', index: number, input: string): string {
  return `${table}.${index}.${input}`;
}

/** A fresh form, optionally for a script (`program` inside `sourceDir`). */
export function defaultFormState(
  script: { program?: string; sourceDir?: string } = {},
  now: Date = new Date()
): ITrainingFormState {
  const program = script.program ?? '';
  return {
    name: uniqueJobName(program || 'training', now),
    program,
    sourceDir: script.sourceDir ?? '',
    image: DEFAULT_IMAGE,
    hyperparameters: [],
    channels: [],
    metrics: [],
    instanceCount: '1',
    maxRuntime: DEFAULT_MAX_RUNTIME,
    outputPath: DEFAULT_OUTPUT_PATH,
    environment: {},
    instanceType: 'local',
    volumeSizeInGB: 1,
    inputMode: 'File'
  };
}

/** Split a workspace file path into its folder and file name. */
export function splitScriptPath(path: string): { program: string; sourceDir: string } {
  const clean = path.replace(/^\/+/, '');
  const cut = clean.lastIndexOf('/');
  return cut === -1
    ? { program: clean, sourceDir: '' }
    : { program: clean.slice(cut + 1), sourceDir: clean.slice(0, cut) };
}

/**
 * A script-mode hyperparameter value: SageMaker's SDK JSON-encodes these and
 * the server decodes what parses as JSON, so a value that would parse (a
 * folder named `2024`, say) is sent JSON-encoded to stay a string.
 */
export function encodeSdkString(value: string): string {
  try {
    JSON.parse(value);
  } catch {
    return value;
  }
  return JSON.stringify(value);
}

/** The plain string of a script-mode value the SDK may have JSON-encoded. */
export function decodeSdkString(value: string): string {
  try {
    const decoded: unknown = JSON.parse(value);
    return typeof decoded === 'string' ? decoded : value;
  } catch {
    return value;
  }
}

/** Whether every input of a row is blank (such rows are ignored). */
function blank(row: object): boolean {
  return Object.values(row).every(v => typeof v !== 'string' || v.trim() === '');
}

/** Why a path is not a relative path inside the workspace, or null. */
function relativePathError(path: string, what: string): string | null {
  if (path.startsWith('/')) {
    return `The ${what} must be relative to the workspace root.`;
  }
  if (path.split('/').includes('..')) {
    return `The ${what} must stay inside the workspace (no “..”).`;
  }
  return null;
}

function checkScript(state: ITrainingFormState, errors: FormErrors): void {
  const program = state.program.trim();
  if (program === '') {
    errors.program = 'Enter the entry point script, e.g. train.py.';
  } else {
    const error = relativePathError(program, 'entry point');
    if (error) {
      errors.program = error.replace('workspace root', 'source folder');
    }
  }
  const dir = state.sourceDir.trim();
  if (!dir.startsWith('s3://')) {
    const error = relativePathError(dir, 'source folder');
    if (error) {
      errors.source_dir = error;
    }
  } else if (s3UriError(dir)) {
    errors.source_dir = s3UriError(dir) as string;
  }
}

function checkHyperparameters(state: ITrainingFormState, errors: FormErrors): Record<string, string> {
  const hps: Record<string, string> = {};
  state.hyperparameters.forEach((row, i) => {
    if (blank(row)) {
      return;
    }
    const key = row.key.trim();
    if (key === '') {
      errors[rowField('hp', i, 'key')] = 'Enter a name.';
    } else if (/\s/.test(key)) {
      errors[rowField('hp', i, 'key')] = 'No spaces: it becomes a --name argument.';
    } else if (key.length > 256) {
      errors[rowField('hp', i, 'key')] = 'At most 256 characters.';
    } else if (SCRIPT_KEYS.has(key)) {
      errors[rowField('hp', i, 'key')] = 'Set by the entry point and source folder fields.';
    } else if (key in hps) {
      errors[rowField('hp', i, 'key')] = `“${key}” is already set above.`;
    } else if (row.value.length > 2500) {
      errors[rowField('hp', i, 'value')] = 'At most 2500 characters.';
    } else {
      hps[key] = row.value;
    }
  });
  return hps;
}

function checkChannels(state: ITrainingFormState, errors: FormErrors): IChannel[] {
  const channels: IChannel[] = [];
  const seen = new Set<string>();
  state.channels.forEach((row, i) => {
    if (blank(row)) {
      return;
    }
    const name = row.name.trim();
    const uri = row.uri.trim();
    let ok = true;
    if (!CHANNEL_NAME.test(name)) {
      errors[rowField('channel', i, 'name')] =
        name === '' ? 'Enter a channel name, e.g. train.' : 'Letters, digits, “.”, “-” and “_” only.';
      ok = false;
    } else if (seen.has(name)) {
      errors[rowField('channel', i, 'name')] = `Channel “${name}” is already defined.`;
      ok = false;
    }
    const uriError = s3UriError(uri);
    if (uriError) {
      errors[rowField('channel', i, 'uri')] = uriError;
      ok = false;
    }
    if (!ok) {
      return;
    }
    seen.add(name);
    const channel: IChannel = {
      ChannelName: name,
      DataSource: {
        S3DataSource: {
          S3Uri: uri,
          S3DataType: 'S3Prefix',
          S3DataDistributionType: 'FullyReplicated'
        }
      }
    };
    if (row.contentType.trim()) {
      channel.ContentType = row.contentType.trim();
    }
    channels.push(channel);
  });
  return channels;
}

function checkMetrics(state: ITrainingFormState, errors: FormErrors): IMetricDefinition[] {
  const metrics: IMetricDefinition[] = [];
  const seen = new Set<string>();
  state.metrics.forEach((row, i) => {
    if (blank(row)) {
      return;
    }
    const name = row.name.trim();
    let ok = true;
    if (name === '') {
      errors[rowField('metric', i, 'name')] = 'Enter a metric name, e.g. loss.';
      ok = false;
    } else if (name.length > 255) {
      errors[rowField('metric', i, 'name')] = 'At most 255 characters.';
      ok = false;
    } else if (seen.has(name)) {
      errors[rowField('metric', i, 'name')] = `Metric “${name}” is already defined.`;
      ok = false;
    }
    const check = checkMetricRegex(row.regex);
    if (!check.ok) {
      errors[rowField('metric', i, 'regex')] = check.error;
      ok = false;
    }
    if (ok) {
      seen.add(name);
      metrics.push({ Name: name, Regex: row.regex });
    }
  });
  return metrics;
}

/** The instance count, or an error message. */
function instanceCount(text: string): number | string {
  const s = text.trim();
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > MAX_INSTANCES) {
    return `A whole number from 1 to ${MAX_INSTANCES}.`;
  }
  return Number(s);
}

/** The runtime limit in seconds, or an error message. */
function maxRuntime(text: string): number | string {
  const seconds = parseRuntime(text);
  if (seconds === null) {
    return 'Seconds, or with units: 90m, 2h, 1h30m, 1d.';
  }
  if (seconds > MAX_RUNTIME_LIMIT) {
    return 'At most 28 days.';
  }
  return seconds;
}

/**
 * Check the whole form. Valid forms give the `CreateTrainingJob` body
 * (hyperparameter values as strings); invalid ones give every field error.
 */
export function checkForm(state: ITrainingFormState): FormCheck {
  const errors: FormErrors = {};
  const nameError = jobNameError(state.name.trim());
  if (nameError) {
    errors.name = nameError;
  }
  checkScript(state, errors);
  if (state.image.trim() === '') {
    errors.image = 'Choose a framework or image.';
  }
  const hps = checkHyperparameters(state, errors);
  const channels = checkChannels(state, errors);
  const metrics = checkMetrics(state, errors);
  const count = instanceCount(state.instanceCount);
  if (typeof count === 'string') {
    errors.instance_count = count;
  }
  const runtime = maxRuntime(state.maxRuntime);
  if (typeof runtime === 'string') {
    errors.max_runtime = runtime;
  }
  const outputError = s3UriError(state.outputPath);
  if (outputError) {
    errors.output_path = outputError;
  }
  if (Object.keys(errors).length || typeof count === 'string' || typeof runtime === 'string') {
    return { ok: false, errors };
  }
  const sourceDir = state.sourceDir.trim().replace(/\/+$/, '') || '.';
  return {
    ok: true,
    request: {
      TrainingJobName: state.name.trim(),
      AlgorithmSpecification: {
        TrainingImage: state.image.trim(),
        TrainingInputMode: state.inputMode || 'File',
        MetricDefinitions: metrics
      },
      HyperParameters: {
        ...hps,
        sagemaker_program: encodeSdkString(state.program.trim()),
        sagemaker_submit_directory: encodeSdkString(sourceDir)
      },
      InputDataConfig: channels,
      OutputDataConfig: { S3OutputPath: state.outputPath.trim() },
      ResourceConfig: {
        InstanceCount: count,
        InstanceType: state.instanceType || 'local',
        VolumeSizeInGB: state.volumeSizeInGB || 1
      },
      StoppingCondition: { MaxRuntimeInSeconds: runtime },
      Environment: { ...state.environment }
    }
  };
}

/** The form state that clones `job` under a new unique name. */
export function stateFromJob(job: IDescribeTrainingJobReply, now: Date = new Date()): ITrainingFormState {
  const hps = job.HyperParameters ?? {};
  const sourceDir = decodeSdkString(hps.sagemaker_submit_directory ?? '');
  const runtime = job.StoppingCondition?.MaxRuntimeInSeconds;
  return {
    name: uniqueJobName(job.TrainingJobName, now),
    program: decodeSdkString(hps.sagemaker_program ?? ''),
    sourceDir: sourceDir === '.' ? '' : sourceDir,
    image: job.AlgorithmSpecification?.TrainingImage || DEFAULT_IMAGE,
    hyperparameters: Object.entries(hps)
      .filter(([key]) => !SCRIPT_KEYS.has(key))
      .map(([key, value]) => ({ key, value })),
    channels: (job.InputDataConfig ?? []).map(ch => ({
      name: ch.ChannelName,
      uri: ch.DataSource?.S3DataSource?.S3Uri ?? '',
      contentType: ch.ContentType ?? ''
    })),
    metrics: (job.AlgorithmSpecification?.MetricDefinitions ?? []).map(m => ({
      name: m.Name,
      regex: m.Regex
    })),
    instanceCount: String(job.ResourceConfig?.InstanceCount ?? 1),
    maxRuntime: runtime ? runtimeText(runtime) : DEFAULT_MAX_RUNTIME,
    outputPath: job.OutputDataConfig?.S3OutputPath || DEFAULT_OUTPUT_PATH,
    environment: { ...(job.Environment ?? {}) },
    instanceType: job.ResourceConfig?.InstanceType || 'local',
    volumeSizeInGB: job.ResourceConfig?.VolumeSizeInGB || 1,
    inputMode: job.AlgorithmSpecification?.TrainingInputMode || 'File'
  };
}

/** The quoted name in a Python repr such as `X['lr']` or `'train'`. */
function quoted(message: string, after: string): string | null {
  const match = new RegExp(`${after}\\[?['"]([^'"]+)['"]`).exec(message);
  return match ? match[1] : null;
}

/**
 * The field a server 400/409 message is about (a key of `FormErrors`), so it
 * can be shown next to that field; `form` when it fits no field.
 */
export function serverErrorField(message: string, state: ITrainingFormState, reason = ''): string {
  if (reason === 'ResourceInUse' || /TrainingJobName|already exists/.test(message)) {
    return 'name';
  }
  const hp = quoted(message, 'HyperParameters');
  if (hp && !SCRIPT_KEYS.has(hp)) {
    const i = state.hyperparameters.findIndex(r => r.key.trim() === hp);
    return i === -1 ? 'form' : rowField('hp', i, 'key');
  }
  if (/sagemaker_submit_directory/.test(message)) {
    return 'source_dir';
  }
  if (/sagemaker_program|entry point/.test(message)) {
    return 'program';
  }
  const metric = quoted(message, 'MetricDefinitions');
  if (metric) {
    const i = state.metrics.findIndex(r => r.name.trim() === metric);
    return i === -1 ? 'form' : rowField('metric', i, 'regex');
  }
  const channel =
    /channel ([A-Za-z0-9._-]+):/.exec(message)?.[1] ?? quoted(message, 'ChannelName ');
  if (channel) {
    const i = state.channels.findIndex(r => r.name.trim() === channel);
    if (i !== -1) {
      return rowField('channel', i, /S3Uri|bucket|s3:/i.test(message) ? 'uri' : 'name');
    }
    return 'form';
  }
  if (/TrainingImage|kernel/.test(message)) {
    return 'image';
  }
  if (/InstanceCount/.test(message)) {
    return 'instance_count';
  }
  if (/MaxRuntimeInSeconds/.test(message)) {
    return 'max_runtime';
  }
  if (/S3OutputPath/.test(message)) {
    return 'output_path';
  }
  return 'form';
}
