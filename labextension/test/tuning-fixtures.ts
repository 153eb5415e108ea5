import type { ICurve, IDescribeTuningJobReply, ITrainingJobDescription, ITrialSummary } from '../src/tuning/types';

/** A trial that ended at `end` (seconds after 12:00 UTC) with `value`, or none. */
export function trial(
  name: string,
  end: number,
  value: number | null,
  tuned: Record<string, string> = {},
  status = 'Completed'
): ITrialSummary {
  const at = (s: number): string => new Date(Date.UTC(2024, 4, 1, 12, 0, s)).toISOString();
  return {
    TrainingJobName: name,
    CreationTime: at(0),
    TrainingStartTime: at(1),
    TrainingEndTime: at(end),
    TrainingJobStatus: status,
    TunedHyperParameters: tuned,
    FinalHyperParameterTuningJobObjectiveMetric: value === null ? undefined : { MetricName: 'loss', Value: value },
    ObjectiveStatus: value === null ? 'Pending' : 'Succeeded'
  };
}

/** A curve of `values` at steps 0, 1, … */
export function curve(name: string, values: number[], earlyStopped = false, status = 'Completed'): ICurve {
  return {
    TrainingJobName: name,
    TrainingJobStatus: status,
    EarlyStopped: earlyStopped,
    Points: values.map((value, step) => ({ step, value }))
  };
}

/** The training job a tuning job is cloned from. */
export function trainingJob(): ITrainingJobDescription {
  return {
    TrainingJobName: 'train-demo-1',
    AlgorithmSpecification: {
      TrainingImage: 'python',
      TrainingInputMode: 'File',
      MetricDefinitions: [
        { Name: 'loss', Regex: 'loss=([0-9.]+)' },
        { Name: 'accuracy', Regex: 'acc=([0-9.]+)' }
      ]
    },
    HyperParameters: {
      sagemaker_program: 'train.py',
      sagemaker_submit_directory: 'tune-demo',
      lr: '0.1',
      epochs: '5',
      optimizer: 'sgd'
    },
    OutputDataConfig: { S3OutputPath: 's3://mlstudio/training-output' },
    ResourceConfig: { InstanceCount: 1, InstanceType: 'local', VolumeSizeInGB: 1 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
    InputDataConfig: [],
    Environment: {}
  };
}

/** A described tuning job: a log-scaled, a linear and a categorical range. */
export function tuningJob(patch: Partial<IDescribeTuningJobReply> = {}): IDescribeTuningJobReply {
  return {
    HyperParameterTuningJobName: 'tune-240501-120000',
    HyperParameterTuningJobConfig: {
      Strategy: 'Bayesian',
      HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'loss' },
      ResourceLimits: { MaxNumberOfTrainingJobs: 8, MaxParallelTrainingJobs: 2, MaxRuntimeInSeconds: 3600 },
      ParameterRanges: {
        ContinuousParameterRanges: [{ Name: 'lr', MinValue: '0.0001', MaxValue: '1', ScalingType: 'Logarithmic' }],
        IntegerParameterRanges: [{ Name: 'epochs', MinValue: '1', MaxValue: '9', ScalingType: 'Linear' }],
        CategoricalParameterRanges: [{ Name: 'optimizer', Values: ['sgd', 'adam'] }]
      },
      TrainingJobEarlyStoppingType: 'Auto',
      TuningJobCompletionCriteria: {
        TargetObjectiveMetricValue: 0.05,
        BestObjectiveNotImproving: { MaxNumberOfTrainingJobsNotImproving: 4 }
      },
      RandomSeed: 7
    },
    TrainingJobDefinition: {
      StaticHyperParameters: { sagemaker_program: 'train.py', sagemaker_submit_directory: 'tune-demo' },
      AlgorithmSpecification: {
        TrainingImage: 'python',
        TrainingInputMode: 'File',
        MetricDefinitions: [{ Name: 'loss', Regex: 'loss=([0-9.]+)' }]
      },
      OutputDataConfig: { S3OutputPath: 's3://mlstudio/training-output' },
      ResourceConfig: { InstanceCount: 1, InstanceType: 'local', VolumeSizeInGB: 1 },
      StoppingCondition: { MaxRuntimeInSeconds: 600 }
    },
    HyperParameterTuningJobStatus: 'InProgress',
    CreationTime: '2024-05-01T12:00:00Z',
    TrainingJobStatusCounters: { Completed: 3, InProgress: 2 },
    ObjectiveStatusCounters: { Succeeded: 3, Pending: 2 },
    ...patch
  };
}
