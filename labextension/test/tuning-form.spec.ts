import {
  checkTuningForm,
  defaultTuningState,
  definitionFromTrainingJob,
  serverErrorField,
  stateFromTuningJob,
  staticHyperParameters,
  type ITuningFormState
} from '../src/tuning/form';
import { tuningNameError, uniqueTuningName } from '../src/tuning/names';
import { emptyRange } from '../src/tuning/ranges';
import { trainingJob, tuningJob } from './tuning-fixtures';

const NOW = new Date(Date.UTC(2024, 4, 1, 12, 30, 45));

function form(patch: Partial<ITuningFormState> = {}): ITuningFormState {
  return {
    ...defaultTuningState(NOW),
    name: 'tune-lr',
    objectiveMetric: 'loss',
    definition: definitionFromTrainingJob(trainingJob()),
    sourceJob: 'train-demo-1',
    ranges: [
      { ...emptyRange(), name: 'lr', min: '0.001', max: '0.5', scaling: 'Logarithmic' },
      { ...emptyRange('Categorical'), name: 'optimizer', values: 'sgd, adam' }
    ],
    ...patch
  };
}

function errorsOf(state: ITuningFormState): Record<string, string> {
  const check = checkTuningForm(state);
  return check.ok ? {} : check.errors;
}

describe('names', () => {
  it('fit 32 characters with a short timestamp', () => {
    expect(uniqueTuningName('train-demo-2024-05-01-12-30-45-123', NOW)).toBe('train-demo-240501-123045');
    expect(uniqueTuningName('a-very-long-training-job-name-indeed', NOW)).toBe('a-very-long-traini-240501-123045');
    expect(uniqueTuningName('tune-240501-120000', NOW)).toBe('tune-240501-123045');
    expect(uniqueTuningName('', NOW)).toBe('tuning-240501-123045');
  });

  it('follow SageMaker’s pattern', () => {
    expect(tuningNameError('tune-1')).toBeNull();
    expect(tuningNameError('x'.repeat(33))).toMatch(/At most 32/);
    expect(tuningNameError('-a')).toMatch(/start and end/);
    expect(tuningNameError('a_b')).toMatch(/Only letters/);
  });
});

describe('building the CreateHyperParameterTuningJob body', () => {
  it('sends the config and the training definition, tuned hyperparameters left out of the static ones', () => {
    const check = checkTuningForm(form({ maxRuntime: '2h', targetValue: '0.05', notImproving: '5', randomSeed: '42', earlyStopping: 'Auto' }));
    expect(check.ok).toBe(true);
    if (!check.ok) {
      return;
    }
    const body = check.request;
    expect(body.HyperParameterTuningJobName).toBe('tune-lr');
    expect(body.HyperParameterTuningJobConfig).toEqual({
      Strategy: 'Bayesian',
      HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'loss' },
      ResourceLimits: { MaxNumberOfTrainingJobs: 10, MaxParallelTrainingJobs: 2, MaxRuntimeInSeconds: 7200 },
      ParameterRanges: {
        ContinuousParameterRanges: [{ Name: 'lr', MinValue: '0.001', MaxValue: '0.5', ScalingType: 'Logarithmic' }],
        CategoricalParameterRanges: [{ Name: 'optimizer', Values: ['sgd', 'adam'] }]
      },
      TrainingJobEarlyStoppingType: 'Auto',
      TuningJobCompletionCriteria: {
        TargetObjectiveMetricValue: 0.05,
        BestObjectiveNotImproving: { MaxNumberOfTrainingJobsNotImproving: 5 }
      },
      RandomSeed: 42
    });
    expect(body.TrainingJobDefinition.StaticHyperParameters).toEqual({
      sagemaker_program: 'train.py',
      sagemaker_submit_directory: 'tune-demo',
      epochs: '5'
    });
    expect(body.TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions.map(m => m.Name)).toEqual(['loss', 'accuracy']);
    expect(body.TrainingJobDefinition.OutputDataConfig.S3OutputPath).toBe('s3://mlstudio/training-output');
    // An empty channel list and environment are left out; the job had no role: the server's.
    expect(body.TrainingJobDefinition).not.toHaveProperty('InputDataConfig');
    expect(body.TrainingJobDefinition).not.toHaveProperty('Environment');
    expect(body.TrainingJobDefinition).not.toHaveProperty('RoleArn');
  });

  it('leaves out what is not set', () => {
    const check = checkTuningForm(form());
    expect(check.ok && check.request.HyperParameterTuningJobConfig).toEqual(
      expect.not.objectContaining({ TuningJobCompletionCriteria: expect.anything(), RandomSeed: expect.anything(), StrategyConfig: expect.anything() })
    );
    expect(check.ok && check.request.HyperParameterTuningJobConfig.ResourceLimits).toEqual({ MaxNumberOfTrainingJobs: 10, MaxParallelTrainingJobs: 2 });
  });

  it('sends Hyperband’s resources, and wants early stopping off with it', () => {
    const check = checkTuningForm(form({ strategy: 'Hyperband', minResource: '1', maxResource: '9' }));
    expect(check.ok && check.request.HyperParameterTuningJobConfig.StrategyConfig).toEqual({
      HyperbandStrategyConfig: { MinResource: 1, MaxResource: 9 }
    });
    expect(errorsOf(form({ strategy: 'Hyperband', minResource: '5', maxResource: '5', earlyStopping: 'Auto' }))).toEqual({
      max_resource: 'Must be greater than the minimum resource (5).',
      early_stopping: 'Hyperband stops unpromising trials itself: set early stopping to Off.'
    });
    expect(errorsOf(form({ strategy: 'Hyperband', maxResource: '' })).max_resource).toBeUndefined();
  });

  it('lets Hyperband take its largest resource from a static epochs hyperparameter', () => {
    // The training job sets epochs=5: the server reads MaxResource from it.
    const check = checkTuningForm(form({ strategy: 'Hyperband', minResource: '1', maxResource: '' }));
    expect(check.ok && check.request.HyperParameterTuningJobConfig.StrategyConfig).toEqual({ HyperbandStrategyConfig: { MinResource: 1 } });
    // Not when epochs is tuned, or absent.
    const tuned = form({ strategy: 'Hyperband', maxResource: '', ranges: [{ ...emptyRange('Integer'), name: 'epochs', min: '1', max: '9' }] });
    expect(errorsOf(tuned).max_resource).toMatch(/Enter the largest resource/);
    expect(errorsOf(form({ strategy: 'Hyperband', maxResource: '30000' })).max_resource).toBe('At most 20000.');
  });

  it('lets Grid search leave the number of jobs out', () => {
    const state = form({ strategy: 'Grid', maxJobs: '', maxParallel: '3', ranges: [{ ...emptyRange('Categorical'), name: 'optimizer', values: 'sgd, adam' }] });
    const check = checkTuningForm(state);
    expect(check.ok && check.request.HyperParameterTuningJobConfig.ResourceLimits).toEqual({ MaxParallelTrainingJobs: 3 });
    expect(errorsOf(state)).toEqual({});
    // More parallel trials than combinations is no error: the extra slots stay unused.
    expect(errorsOf({ ...state, ranges: [{ ...emptyRange('Categorical'), name: 'o', values: 'a' }] })).toEqual({});
  });

  it('checks the objective against the training job’s metric definitions', () => {
    expect(errorsOf(form({ objectiveMetric: 'val:loss' }))).toEqual({
      objective_metric: '“val:loss” is not one of the training job’s metrics (loss, accuracy).'
    });
    expect(errorsOf(form({ objectiveMetric: '' })).objective_metric).toBe('Enter the metric to optimise.');
    const noMetrics = definitionFromTrainingJob({ ...trainingJob(), AlgorithmSpecification: { TrainingImage: 'python' } });
    expect(errorsOf(form({ definition: noMetrics })).source_job).toMatch(/defines no metrics/);
    expect(errorsOf(form({ definition: null })).source_job).toMatch(/Choose the training job/);
  });

  it('checks the role', () => {
    expect(errorsOf(form({ roleArn: 'admin' })).role_arn).toMatch(/IAM role ARN/);
    const check = checkTuningForm(form({ roleArn: ' arn:aws:iam::123456789012:role/service-role/Tuner ' }));
    expect(check.ok && check.request.TrainingJobDefinition.RoleArn).toBe('arn:aws:iam::123456789012:role/service-role/Tuner');
  });

  it('checks the limits and the completion criteria', () => {
    expect(
      errorsOf(form({ maxJobs: '0', maxParallel: 'x', maxRuntime: '30s', notImproving: '2', targetValue: 'high', randomSeed: '-1' }))
    ).toEqual({
      max_jobs: 'At least 1.',
      max_parallel: 'A whole number.',
      max_runtime: 'At least 2 minutes.',
      not_improving: 'At least 3.',
      target_value: 'A number (empty: none).',
      random_seed: 'A whole number.'
    });
    expect(errorsOf(form({ maxJobs: '4', maxParallel: '5' }))).toEqual({ max_parallel: 'At most the number of trials (4).' });
    expect(errorsOf(form({ maxJobs: '501', maxParallel: '101' }))).toEqual({ max_jobs: 'At most 500.', max_parallel: 'At most 100.' });
  });

  it('shows range errors with their row', () => {
    expect(errorsOf(form({ ranges: [{ ...emptyRange(), name: 'lr', min: '0', max: '1', scaling: 'Logarithmic' }] }))).toEqual({
      'range.0.min': 'Logarithmic scaling needs bounds above 0.'
    });
  });
});

describe('static hyperparameters', () => {
  it('are the training job’s minus the tuned ones, never the script settings', () => {
    const definition = definitionFromTrainingJob(trainingJob());
    expect(staticHyperParameters(definition, ['lr', 'epochs', 'sagemaker_program'])).toEqual({
      sagemaker_program: 'train.py',
      sagemaker_submit_directory: 'tune-demo',
      optimizer: 'sgd'
    });
  });
});

describe('cloning a tuning job', () => {
  it('prefills every setting under a new name', () => {
    const job = tuningJob();
    job.TrainingJobDefinition!.StaticHyperParameters._tuning_objective_metric = 'loss';
    const state = stateFromTuningJob(job, NOW);
    expect(state).toMatchObject({
      name: 'tune-240501-123045',
      strategy: 'Bayesian',
      objectiveType: 'Minimize',
      objectiveMetric: 'loss',
      maxJobs: '8',
      maxParallel: '2',
      maxRuntime: '1h',
      earlyStopping: 'Auto',
      targetValue: '0.05',
      notImproving: '4',
      randomSeed: '7'
    });
    expect(state.ranges.map(r => [r.name, r.type, r.scaling])).toEqual([
      ['lr', 'Continuous', 'Logarithmic'],
      ['epochs', 'Integer', 'Linear'],
      ['optimizer', 'Categorical', 'Auto']
    ]);
    const check = checkTuningForm(state);
    expect(check.ok && check.request.HyperParameterTuningJobConfig.ParameterRanges).toEqual(
      tuningJob().HyperParameterTuningJobConfig.ParameterRanges
    );
    // The objective's name the server added is not sent back (it sets it from the objective).
    expect(check.ok && check.request.TrainingJobDefinition.StaticHyperParameters).toEqual({
      sagemaker_program: 'train.py',
      sagemaker_submit_directory: 'tune-demo'
    });
  });
});

describe('server errors', () => {
  const state = form();
  it.each([
    ['Tuning job tune-lr already exists', 'name'],
    ['HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs must be at most 4', 'max_parallel'],
    ['ResourceLimits.MaxRuntimeInSeconds must be at least 120', 'max_runtime'],
    ['MetricName "val" is not defined in MetricDefinitions', 'objective_metric'],
    ["ParameterRanges: range 'lr' MaxValue must be greater than MinValue", 'range.0.max'],
    ['ParameterRanges: “optimizer” has a repeated value', 'range.1.values'],
    ['ParameterRanges.ContinuousParameterRanges[0] (lr): MinValue 2 must be less than MaxValue 1', 'range.0.max'],
    ['TrainingJobDefinition: the objective metric \'x\' is not among the metric definitions', 'objective_metric'],
    ['TrainingJobEarlyStoppingType must be Off with the Hyperband strategy', 'early_stopping'],
    ['HyperbandStrategyConfig.MinResource must be less than MaxResource', 'min_resource'],
    ['TrainingJobDefinition.RoleArn is required', 'role_arn'],
    ['something else went wrong', 'form']
  ])('%s → %s', (message, field) => {
    expect(serverErrorField(message, state)).toBe(field);
  });

  it('takes the reason ResourceInUse as the name', () => {
    expect(serverErrorField('Conflict', state, 'ResourceInUse')).toBe('name');
  });
});
