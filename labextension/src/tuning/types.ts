/**
 * Shapes of the tuning-job API (`mlstudio/api/tuning-jobs…`): SageMaker's
 * `CreateHyperParameterTuningJob` request, `DescribeHyperParameterTuningJob`,
 * `ListHyperParameterTuningJobs` and `ListTrainingJobsForHyperParameterTuningJob`
 * replies, and the extension's intermediate-curves route. Also the parts of
 * a training job's description a tuning job is cloned from.
 */

/** SageMaker's tuning job statuses. */
export type TuningJobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

/** Search strategies. */
export type Strategy = 'Bayesian' | 'Random' | 'Grid' | 'Hyperband';

/** Whether the objective is to be made large or small. */
export type ObjectiveType = 'Maximize' | 'Minimize';

/** How values of a numeric range are searched. */
export type ScalingType = 'Auto' | 'Linear' | 'Logarithmic' | 'ReverseLogarithmic';

/** `TrainingJobStatusCounters`. */
export interface ITrainingJobStatusCounters {
  Completed?: number;
  InProgress?: number;
  RetryableError?: number;
  NonRetryableError?: number;
  Stopped?: number;
}

/** `ObjectiveStatusCounters`. */
export interface IObjectiveStatusCounters {
  Succeeded?: number;
  Pending?: number;
  Failed?: number;
}

/** `ResourceLimits`. */
export interface IResourceLimits {
  MaxNumberOfTrainingJobs?: number;
  MaxParallelTrainingJobs: number;
  MaxRuntimeInSeconds?: number;
}

/** An integer or continuous range (bounds are strings, as in SageMaker). */
export interface INumericRange {
  Name: string;
  MinValue: string;
  MaxValue: string;
  ScalingType?: ScalingType;
}

/** A categorical range. */
export interface ICategoricalRange {
  Name: string;
  Values: string[];
}

/** `ParameterRanges`. */
export interface IParameterRanges {
  IntegerParameterRanges?: INumericRange[];
  ContinuousParameterRanges?: INumericRange[];
  CategoricalParameterRanges?: ICategoricalRange[];
}

/** `HyperParameterTuningJobObjective`. */
export interface IObjective {
  Type: ObjectiveType;
  MetricName: string;
}

/** `HyperParameterTuningJobConfig`. */
export interface ITuningJobConfig {
  Strategy: Strategy;
  StrategyConfig?: { HyperbandStrategyConfig?: { MinResource?: number; MaxResource?: number } };
  HyperParameterTuningJobObjective: IObjective;
  ResourceLimits: IResourceLimits;
  ParameterRanges: IParameterRanges;
  TrainingJobEarlyStoppingType?: 'Off' | 'Auto';
  TuningJobCompletionCriteria?: {
    TargetObjectiveMetricValue?: number;
    BestObjectiveNotImproving?: { MaxNumberOfTrainingJobsNotImproving?: number };
  };
  RandomSeed?: number;
}

/** A `{Name, Regex}` metric definition. */
export interface IMetricDefinition {
  Name: string;
  Regex: string;
}

/** `TrainingJobDefinition` (`HyperParameterTrainingJobDefinition`). */
export interface ITrainingJobDefinition {
  StaticHyperParameters: Record<string, string>;
  AlgorithmSpecification: {
    TrainingImage: string;
    TrainingInputMode: string;
    MetricDefinitions: IMetricDefinition[];
  };
  RoleArn?: string;
  InputDataConfig?: unknown[];
  OutputDataConfig: { S3OutputPath: string } & Record<string, unknown>;
  ResourceConfig: Record<string, unknown>;
  StoppingCondition: Record<string, unknown>;
  Environment?: Record<string, string>;
}

/** The `CreateHyperParameterTuningJob` body. */
export interface ICreateTuningJobRequest {
  HyperParameterTuningJobName: string;
  HyperParameterTuningJobConfig: ITuningJobConfig;
  TrainingJobDefinition: ITrainingJobDefinition;
}

/** `FinalHyperParameterTuningJobObjectiveMetric`. */
export interface IFinalObjective {
  Type?: ObjectiveType;
  MetricName: string;
  Value: number;
}

/** One trial: a row of `ListTrainingJobsForHyperParameterTuningJob`. */
export interface ITrialSummary {
  TrainingJobDefinitionName?: string;
  TrainingJobName: string;
  TrainingJobArn?: string;
  TuningJobName?: string;
  CreationTime: string;
  TrainingStartTime?: string | null;
  TrainingEndTime?: string | null;
  TrainingJobStatus: string;
  TunedHyperParameters: Record<string, string>;
  FailureReason?: string | null;
  FinalHyperParameterTuningJobObjectiveMetric?: IFinalObjective | null;
  ObjectiveStatus?: 'Succeeded' | 'Pending' | 'Failed' | null;
}

/** One row of `GET tuning-jobs`. */
export interface ITuningJobSummary {
  HyperParameterTuningJobName: string;
  HyperParameterTuningJobArn?: string;
  HyperParameterTuningJobStatus: TuningJobStatus;
  Strategy: Strategy;
  CreationTime: string;
  HyperParameterTuningEndTime?: string | null;
  LastModifiedTime?: string | null;
  TrainingJobStatusCounters: ITrainingJobStatusCounters;
  ObjectiveStatusCounters: IObjectiveStatusCounters;
  ResourceLimits?: IResourceLimits;
  /** Not in SageMaker's summaries; used when a server adds it. */
  BestTrainingJob?: ITrialSummary | null;
}

/** `GET tuning-jobs`. */
export interface IListTuningJobsReply {
  HyperParameterTuningJobSummaries: ITuningJobSummary[];
  NextToken?: string | null;
}

/** `GET tuning-jobs/{name}` (`DescribeHyperParameterTuningJob`). */
export interface IDescribeTuningJobReply {
  HyperParameterTuningJobName: string;
  HyperParameterTuningJobArn?: string;
  HyperParameterTuningJobConfig: ITuningJobConfig;
  TrainingJobDefinition?: ITrainingJobDefinition;
  HyperParameterTuningJobStatus: TuningJobStatus;
  CreationTime: string;
  HyperParameterTuningEndTime?: string | null;
  LastModifiedTime?: string | null;
  TrainingJobStatusCounters: ITrainingJobStatusCounters;
  ObjectiveStatusCounters: IObjectiveStatusCounters;
  BestTrainingJob?: ITrialSummary | null;
  OverallBestTrainingJob?: ITrialSummary | null;
  FailureReason?: string | null;
  TuningJobCompletionDetails?: {
    NumberOfTrainingJobsObjectiveNotImproving?: number;
    ConvergenceDetectedTime?: string | null;
  } | null;
  ConsumedResources?: { RuntimeInSeconds?: number } | null;
}

/** `GET tuning-jobs/{name}/training-jobs`. */
export interface IListTrialsReply {
  TrainingJobSummaries: ITrialSummary[];
  NextToken?: string | null;
}

/** One point of an intermediate curve. */
export interface ICurvePoint {
  step: number;
  value: number;
  /** Seconds since the epoch. */
  timestamp?: number;
}

/** The objective metric of one trial, step by step. */
export interface ICurve {
  TrainingJobName: string;
  TrainingJobStatus: string;
  EarlyStopped: boolean;
  Points: ICurvePoint[];
}

/** `GET tuning-jobs/{name}/curves`. */
export interface ICurvesReply {
  MetricName: string;
  Curves: ICurve[];
}

/** One row of `GET training-jobs` (the clone picker). */
export interface ITrainingJobRow {
  TrainingJobName: string;
  TrainingJobStatus: string;
  CreationTime?: string | null;
}

/** `GET training-jobs`. */
export interface IListTrainingJobsReply {
  TrainingJobSummaries: ITrainingJobRow[];
  NextToken?: string | null;
}

/** What a tuning job takes from `GET training-jobs/{name}`. */
export interface ITrainingJobDescription {
  TrainingJobName: string;
  AlgorithmSpecification?: {
    TrainingImage?: string;
    TrainingInputMode?: string;
    MetricDefinitions?: IMetricDefinition[];
  };
  HyperParameters?: Record<string, string>;
  RoleArn?: string;
  InputDataConfig?: unknown[];
  OutputDataConfig?: { S3OutputPath?: string } & Record<string, unknown>;
  ResourceConfig?: Record<string, unknown>;
  StoppingCondition?: Record<string, unknown>;
  Environment?: Record<string, string>;
}

/** `GET tuning-jobs/{name}/log?offset=`: the tuning job's own log (its decisions). */
export interface ITuningLogReply {
  text: string;
  next_offset: number;
  /** The job has ended and the log has no more text. */
  complete: boolean;
}
