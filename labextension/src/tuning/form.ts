/**
 * The create form's state, its checks (mirroring the server's, with
 * readable messages) and the `CreateHyperParameterTuningJob` body built from
 * it; the training definition a training job gives, the state a Clone
 * starts from, and where a server 400 message belongs in the form.
 */
import { parseRuntime, runtimeText } from '../training/format';
import { uniqueTuningName, tuningNameError } from './names';
import { checkRanges, rangeField, rangeNames, rowsFromRanges, type IRangeRow } from './ranges';
import type {
  ICreateTuningJobRequest,
  IDescribeTuningJobReply,
  IResourceLimits,
  ITrainingJobDefinition,
  ITrainingJobDescription,
  ITuningJobConfig,
  ObjectiveType,
  Strategy
} from './types';

/** The strategies, in the order the form offers them. */
export const STRATEGIES: readonly Strategy[] = ['Bayesian', 'Random', 'Grid', 'Hyperband'];

/** Everything the form holds, as typed (numbers are still text). */
export interface ITuningFormState {
  name: string;
  strategy: Strategy;
  /** Hyperband's smallest and largest resource (epochs), as typed. */
  minResource: string;
  maxResource: string;
  objectiveType: ObjectiveType;
  objectiveMetric: string;
  maxJobs: string;
  maxParallel: string;
  /** Optional: seconds, or 90m, 2h… */
  maxRuntime: string;
  earlyStopping: 'Off' | 'Auto';
  /** Optional completion criteria. */
  targetValue: string;
  notImproving: string;
  /** Optional. */
  randomSeed: string;
  ranges: IRangeRow[];
  /** The training job the definition was taken from (informative). */
  sourceJob: string;
  /** The IAM role the trials run as (SageMaker requires one). */
  roleArn: string;
  /** How each trial trains; `StaticHyperParameters` may still hold tuned names (dropped when sent). */
  definition: ITrainingJobDefinition | null;
}

/** Field errors by field key; `form` holds form-wide errors. */
export type FormErrors = Record<string, string>;

/** The result of checking the form. */
export type FormCheck = { ok: true; request: ICreateTuningJobRequest } | { ok: false; errors: FormErrors };

/**
 * The role of trials whose training job names none (jobs created here need
 * none): the role the server reports as its notebook instance's by default.
 */

/** SageMaker's pattern of a role ARN. */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;

/** SageMaker's bounds of the numbers the form takes. */
export const LIMITS = {
  minRuntime: 120,
  maxRuntime: 15768000,
  minNotImproving: 3,
  maxJobs: 500,
  maxParallel: 100,
  maxResource: 20000
};

/** Hyperparameters that tell the container what to run, never tuned. */
const SCRIPT_KEYS = new Set(['sagemaker_program', 'sagemaker_submit_directory']);

/** The static hyperparameter SageMaker adds to name the objective (set anew by the server). */
export const OBJECTIVE_KEY = '_tuning_objective_metric';

/** Static hyperparameters Hyperband reads the largest resource from (the server's list). */
export const EPOCH_KEYS = ['epochs', 'numepochs', 'n-epochs', 'n_epochs', 'num_epochs'];

/** The hyperparameters a user set: not the script settings nor the objective's name. */
export function ownHyperParameters(hps: Record<string, string>): [string, string][] {
  return Object.entries(hps).filter(([key]) => !SCRIPT_KEYS.has(key) && key !== OBJECTIVE_KEY);
}

/** A fresh form. */
export function defaultTuningState(now: Date = new Date()): ITuningFormState {
  return {
    name: uniqueTuningName('tuning', now),
    strategy: 'Bayesian',
    minResource: '1',
    maxResource: '',
    objectiveType: 'Minimize',
    objectiveMetric: '',
    maxJobs: '10',
    maxParallel: '2',
    maxRuntime: '',
    earlyStopping: 'Off',
    targetValue: '',
    notImproving: '',
    randomSeed: '',
    ranges: [],
    sourceJob: '',
    roleArn: '',
    definition: null
  };
}

/** `definition` with the role given, or with none (the server's execution role then). */
function withRole(definition: ITrainingJobDefinition, role: string): ITrainingJobDefinition {
  const rest = { ...definition };
  delete rest.RoleArn;
  return role ? { ...rest, RoleArn: role } : rest;
}

/** The training definition of trials that train like `job` (all its hyperparameters static). */
export function definitionFromTrainingJob(job: ITrainingJobDescription): ITrainingJobDefinition {
  const algorithm = job.AlgorithmSpecification ?? {};
  const definition: ITrainingJobDefinition = {
    StaticHyperParameters: { ...(job.HyperParameters ?? {}) },
    AlgorithmSpecification: {
      TrainingImage: algorithm.TrainingImage || 'python',
      TrainingInputMode: algorithm.TrainingInputMode || 'File',
      MetricDefinitions: (algorithm.MetricDefinitions ?? []).map(m => ({ Name: m.Name, Regex: m.Regex }))
    },
    OutputDataConfig: { ...(job.OutputDataConfig ?? {}), S3OutputPath: job.OutputDataConfig?.S3OutputPath ?? '' },
    ResourceConfig: { ...(job.ResourceConfig ?? { InstanceCount: 1, InstanceType: 'local', VolumeSizeInGB: 1 }) },
    StoppingCondition: { ...(job.StoppingCondition ?? { MaxRuntimeInSeconds: 3600 }) }
  };
  if (job.RoleArn) {
    definition.RoleArn = job.RoleArn;
  }
  if (job.InputDataConfig?.length) {
    definition.InputDataConfig = job.InputDataConfig;
  }
  if (job.Environment && Object.keys(job.Environment).length) {
    definition.Environment = { ...job.Environment };
  }
  return definition;
}

/** The metric names trials report (the objective must be one of them). */
export function metricNames(state: Pick<ITuningFormState, 'definition'>): string[] {
  return (state.definition?.AlgorithmSpecification.MetricDefinitions ?? []).map(m => m.Name);
}

/**
 * The static hyperparameters sent for `definition` when `tuned` are tuned:
 * every hyperparameter of the definition but the tuned ones.
 */
export function staticHyperParameters(definition: ITrainingJobDefinition, tuned: readonly string[]): Record<string, string> {
  const skip = new Set([...tuned.filter(name => !SCRIPT_KEYS.has(name)), OBJECTIVE_KEY]);
  return Object.fromEntries(Object.entries(definition.StaticHyperParameters).filter(([key]) => !skip.has(key)));
}

/** The names of the form's ranges (blank ones left out). */
function tunedNames(state: ITuningFormState): string[] {
  return state.ranges.map(r => r.name.trim()).filter(Boolean);
}

/** A whole number within bounds, or an error message. */
function wholeNumber(text: string, min: number, what: string, max = Number.MAX_SAFE_INTEGER): number | string {
  const s = text.trim();
  if (!/^\d+$/.test(s)) {
    return s === '' ? `Enter ${what}.` : 'A whole number.';
  }
  const n = Number(s);
  if (n < min) {
    return `At least ${min}.`;
  }
  if (n > max) {
    return `At most ${max}.`;
  }
  return n;
}

/** Record `value` under `key` when it is an error message; the number otherwise. */
function take(errors: FormErrors, key: string, value: number | string): number {
  if (typeof value === 'string') {
    errors[key] = value;
    return NaN;
  }
  return value;
}

function checkObjective(state: ITuningFormState, errors: FormErrors): void {
  const metric = state.objectiveMetric.trim();
  const names = metricNames(state);
  if (!state.definition) {
    errors.source_job = 'Choose the training job whose setup each trial copies.';
  } else if (names.length === 0) {
    errors.source_job = 'That training job defines no metrics: the tuner reads the objective from a metric definition.';
  }
  if (metric === '') {
    errors.objective_metric = 'Enter the metric to optimise.';
  } else if (state.definition && names.length && !names.includes(metric)) {
    errors.objective_metric = `“${metric}” is not one of the training job’s metrics (${names.join(', ')}).`;
  }
}

function checkLimits(state: ITuningFormState, errors: FormErrors): IResourceLimits {
  const limits: IResourceLimits = { MaxParallelTrainingJobs: NaN };
  // Grid search runs every combination: the number of jobs may be left out.
  if (!(state.strategy === 'Grid' && state.maxJobs.trim() === '')) {
    limits.MaxNumberOfTrainingJobs = take(errors, 'max_jobs', wholeNumber(state.maxJobs, 1, 'the most trials to run', LIMITS.maxJobs));
  }
  limits.MaxParallelTrainingJobs = take(
    errors,
    'max_parallel',
    wholeNumber(state.maxParallel, 1, 'how many trials may run at once', LIMITS.maxParallel)
  );
  const jobs = limits.MaxNumberOfTrainingJobs;
  if (jobs !== undefined && !errors.max_parallel && !errors.max_jobs && limits.MaxParallelTrainingJobs > jobs) {
    errors.max_parallel = `At most the number of trials (${jobs}).`;
  }
  if (state.maxRuntime.trim() !== '') {
    const seconds = parseRuntime(state.maxRuntime);
    if (seconds === null) {
      errors.max_runtime = 'Seconds, or with units: 90m, 2h, 1h30m, 1d (empty: no limit).';
    } else if (seconds < LIMITS.minRuntime) {
      errors.max_runtime = 'At least 2 minutes.';
    } else if (seconds > LIMITS.maxRuntime) {
      errors.max_runtime = 'At most 182 days.';
    } else {
      limits.MaxRuntimeInSeconds = seconds;
    }
  }
  return limits;
}

function checkHyperband(state: ITuningFormState, errors: FormErrors): ITuningJobConfig['StrategyConfig'] {
  if (state.strategy !== 'Hyperband') {
    return undefined;
  }
  const min = take(errors, 'min_resource', wholeNumber(state.minResource, 1, 'the smallest resource (e.g. epochs)'));
  const config: { MinResource: number; MaxResource?: number } = { MinResource: min };
  // Without a maximum the server takes the epochs the trials get as a static hyperparameter.
  const statics = state.definition ? staticHyperParameters(state.definition, tunedNames(state)) : {};
  const epochs = EPOCH_KEYS.find(key => key in statics);
  if (state.maxResource.trim() !== '' || !epochs) {
    const max = take(
      errors,
      'max_resource',
      wholeNumber(state.maxResource, 1, 'the largest resource (e.g. epochs), or a static epochs hyperparameter', LIMITS.maxResource)
    );
    if (!errors.min_resource && !errors.max_resource && !(max > min)) {
      errors.max_resource = `Must be greater than the minimum resource (${min}).`;
    }
    config.MaxResource = max;
  }
  if (state.earlyStopping !== 'Off') {
    errors.early_stopping = 'Hyperband stops unpromising trials itself: set early stopping to Off.';
  }
  return { HyperbandStrategyConfig: config };
}

function checkCompletion(state: ITuningFormState, errors: FormErrors): ITuningJobConfig['TuningJobCompletionCriteria'] {
  const criteria: NonNullable<ITuningJobConfig['TuningJobCompletionCriteria']> = {};
  const target = state.targetValue.trim();
  if (target !== '') {
    const value = Number(target);
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(target) || !Number.isFinite(value)) {
      errors.target_value = 'A number (empty: none).';
    } else {
      criteria.TargetObjectiveMetricValue = value;
    }
  }
  if (state.notImproving.trim() !== '') {
    const n = take(errors, 'not_improving', wholeNumber(state.notImproving, LIMITS.minNotImproving, 'a number of trials'));
    criteria.BestObjectiveNotImproving = { MaxNumberOfTrainingJobsNotImproving: n };
  }
  return Object.keys(criteria).length ? criteria : undefined;
}

/**
 * Check the whole form. A valid form gives the `CreateHyperParameterTuningJob`
 * body; an invalid one gives every field error.
 */
export function checkTuningForm(state: ITuningFormState): FormCheck {
  const errors: FormErrors = {};
  const nameError = tuningNameError(state.name.trim());
  if (nameError) {
    errors.name = nameError;
  }
  if (!STRATEGIES.includes(state.strategy)) {
    errors.strategy = 'Choose a strategy.';
  }
  const ranges = checkRanges(state.ranges, state.strategy, errors);
  checkObjective(state, errors);
  const limits = checkLimits(state, errors);
  const strategyConfig = checkHyperband(state, errors);
  const completion = checkCompletion(state, errors);
  if (state.roleArn.trim() && !ROLE_ARN.test(state.roleArn.trim())) {
    errors.role_arn = 'An IAM role ARN, e.g. arn:aws:iam::123456789012:role/SageMakerRole.';
  }
  let seed: number | undefined;
  if (state.randomSeed.trim() !== '') {
    seed = take(errors, 'random_seed', wholeNumber(state.randomSeed, 0, 'a seed', 2 ** 31 - 1));
  }
  if (Object.keys(errors).length || !state.definition) {
    return { ok: false, errors };
  }
  const config: ITuningJobConfig = {
    Strategy: state.strategy,
    HyperParameterTuningJobObjective: { Type: state.objectiveType, MetricName: state.objectiveMetric.trim() },
    ResourceLimits: limits,
    ParameterRanges: ranges,
    TrainingJobEarlyStoppingType: state.earlyStopping
  };
  if (strategyConfig) {
    config.StrategyConfig = strategyConfig;
  }
  if (completion) {
    config.TuningJobCompletionCriteria = completion;
  }
  if (seed !== undefined) {
    config.RandomSeed = seed;
  }
  return {
    ok: true,
    request: {
      HyperParameterTuningJobName: state.name.trim(),
      HyperParameterTuningJobConfig: config,
      TrainingJobDefinition: {
        ...withRole(state.definition, state.roleArn.trim()),
        StaticHyperParameters: staticHyperParameters(state.definition, rangeNames(ranges))
      }
    }
  };
}

/** Text of an optional number ('' when absent). */
function text(value: number | undefined | null): string {
  return value === undefined || value === null ? '' : String(value);
}

/** The form state that clones `job` under a new unique name. */
export function stateFromTuningJob(job: IDescribeTuningJobReply, now: Date = new Date()): ITuningFormState {
  const config = job.HyperParameterTuningJobConfig;
  const hyperband = config.StrategyConfig?.HyperbandStrategyConfig;
  const completion = config.TuningJobCompletionCriteria;
  const runtime = config.ResourceLimits?.MaxRuntimeInSeconds;
  return {
    name: uniqueTuningName(job.HyperParameterTuningJobName, now),
    strategy: config.Strategy,
    minResource: text(hyperband?.MinResource) || '1',
    maxResource: text(hyperband?.MaxResource),
    objectiveType: config.HyperParameterTuningJobObjective.Type,
    objectiveMetric: config.HyperParameterTuningJobObjective.MetricName,
    maxJobs: text(config.ResourceLimits?.MaxNumberOfTrainingJobs),
    maxParallel: text(config.ResourceLimits?.MaxParallelTrainingJobs),
    maxRuntime: runtime ? runtimeText(runtime) : '',
    earlyStopping: config.TrainingJobEarlyStoppingType ?? 'Off',
    targetValue: text(completion?.TargetObjectiveMetricValue),
    notImproving: text(completion?.BestObjectiveNotImproving?.MaxNumberOfTrainingJobsNotImproving),
    randomSeed: text(config.RandomSeed),
    ranges: rowsFromRanges(config.ParameterRanges),
    sourceJob: '',
    roleArn: job.TrainingJobDefinition?.RoleArn || '',
    definition: job.TrainingJobDefinition ? structuredCloneJSON(job.TrainingJobDefinition) : null
  };
}

/** A deep copy of JSON data. */
function structuredCloneJSON<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Form fields named by the server's messages, most specific first. */
const MESSAGE_FIELDS: [RegExp, string][] = [
  [/HyperParameterTuningJobName|already exists/, 'name'],
  [/MinResource/, 'min_resource'],
  [/MaxResource/, 'max_resource'],
  [/MaxNumberOfTrainingJobsNotImproving/, 'not_improving'],
  [/TargetObjectiveMetricValue/, 'target_value'],
  [/MaxParallelTrainingJobs/, 'max_parallel'],
  [/MaxNumberOfTrainingJobs/, 'max_jobs'],
  [/ResourceLimits\.MaxRuntimeInSeconds/, 'max_runtime'],
  [/RandomSeed/, 'random_seed'],
  [/TrainingJobEarlyStoppingType|early stopping/i, 'early_stopping'],
  [/HyperParameterTuningJobObjective|MetricName|objective metric/i, 'objective_metric'],
  [/Strategy/, 'strategy'],
  [/RoleArn/, 'role_arn'],
  [/TrainingJobDefinition/, 'source_job']
];

/**
 * The field a server 400/409 message is about (a key of `FormErrors`), so it
 * shows next to that field: a range row when the message quotes the name of
 * one; `form` when it fits no field.
 */
export function serverErrorField(message: string, state: ITuningFormState, reason = ''): string {
  if (reason === 'ResourceInUse') {
    return 'name';
  }
  if (/ParameterRange|range/i.test(message)) {
    const i = state.ranges.findIndex(r => {
      const name = r.name.trim();
      return name !== '' && new RegExp(`['"“(]${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"”)]`).test(message);
    });
    if (i !== -1) {
      const input = state.ranges[i].type === 'Categorical' ? 'values' : /MaxValue|max/i.test(message) ? 'max' : 'min';
      return rangeField(i, /ScalingType|scaling/i.test(message) ? 'scaling' : input);
    }
  }
  return MESSAGE_FIELDS.find(([pattern]) => pattern.test(message))?.[1] ?? 'form';
}
