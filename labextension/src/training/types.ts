/**
 * Shapes of the training-job API (`mlstudio/api/training-jobs…`): SageMaker's
 * `CreateTrainingJob` request and `DescribeTrainingJob` / `ListTrainingJobs`
 * replies, plus the extension's log and metric routes.
 */

/** SageMaker's training job statuses. */
export type TrainingJobStatus =
  | 'InProgress'
  | 'Completed'
  | 'Failed'
  | 'Stopping'
  | 'Stopped';

/** A `{Name, Regex}` metric definition. */
export interface IMetricDefinition {
  Name: string;
  Regex: string;
}

/** One `InputDataConfig` channel. */
export interface IChannel {
  ChannelName: string;
  DataSource: {
    S3DataSource: {
      S3Uri: string;
      S3DataType: string;
      S3DataDistributionType: string;
    };
  };
  ContentType?: string;
  InputMode?: string;
  CompressionType?: string;
}

/** The `CreateTrainingJob` body the form sends. */
export interface ICreateTrainingJobRequest {
  TrainingJobName: string;
  AlgorithmSpecification: {
    TrainingImage: string;
    TrainingInputMode: string;
    MetricDefinitions: IMetricDefinition[];
  };
  HyperParameters: Record<string, string>;
  InputDataConfig: IChannel[];
  OutputDataConfig: { S3OutputPath: string };
  ResourceConfig: {
    InstanceCount: number;
    InstanceType: string;
    VolumeSizeInGB: number;
  };
  StoppingCondition: { MaxRuntimeInSeconds: number };
  Environment: Record<string, string>;
}

/** One row of `ListTrainingJobs`. */
export interface ITrainingJobSummary {
  TrainingJobName: string;
  TrainingJobArn: string;
  TrainingJobStatus: TrainingJobStatus;
  SecondaryStatus?: string | null;
  CreationTime: string | null;
  TrainingStartTime?: string | null;
  TrainingEndTime?: string | null;
  LastModifiedTime?: string | null;
}

/** `GET training-jobs`. */
export interface IListTrainingJobsReply {
  TrainingJobSummaries: ITrainingJobSummary[];
  NextToken: string | null;
}

/** One entry of `SecondaryStatusTransitions`. */
export interface IStatusTransition {
  Status: string;
  StartTime: string;
  EndTime?: string | null;
  StatusMessage?: string | null;
}

/** One entry of `FinalMetricDataList`. */
export interface IFinalMetric {
  MetricName: string;
  Value: number;
  Timestamp?: string;
}

/** `GET training-jobs/{name}` (`DescribeTrainingJob`). */
export interface IDescribeTrainingJobReply extends ITrainingJobSummary {
  FailureReason?: string;
  AlgorithmSpecification: {
    TrainingImage?: string;
    TrainingInputMode?: string;
    MetricDefinitions?: IMetricDefinition[];
  };
  HyperParameters?: Record<string, string>;
  InputDataConfig?: IChannel[];
  OutputDataConfig?: { S3OutputPath?: string };
  ResourceConfig?: {
    InstanceCount?: number;
    InstanceType?: string;
    VolumeSizeInGB?: number;
  };
  StoppingCondition?: { MaxRuntimeInSeconds?: number };
  Environment?: Record<string, string>;
  SecondaryStatusTransitions?: IStatusTransition[];
  FinalMetricDataList?: IFinalMetric[];
  ModelArtifacts?: { S3ModelArtifacts: string };
  TrainingTimeInSeconds?: number;
}

/** `GET training-jobs/{name}/logs`. */
export interface ILogsReply {
  text: string;
  next_offset: number;
  /** The job has ended and there is no more text. */
  complete: boolean;
}

/** One point of a metric's time series. */
export interface IMetricPoint {
  step: number;
  value: number;
  /** Seconds since the epoch. */
  timestamp: number;
}

/** `GET training-jobs/{name}/metrics?after=ID`. */
export interface IMetricsReply {
  metrics: Record<string, IMetricPoint[]>;
  last_id: number;
}
