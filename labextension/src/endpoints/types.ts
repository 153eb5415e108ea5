/**
 * Shapes of the deploy API (`mlstudio/api/models`, `endpoint-configs`,
 * `endpoints`, `transform-jobs`): SageMaker's request and Describe/List
 * reply shapes, plus the extension's metric, log and scaling routes.
 */

/** SageMaker's endpoint statuses. */
export type EndpointStatus =
  | 'Creating'
  | 'InService'
  | 'Updating'
  | 'SystemUpdating'
  | 'RollingBack'
  | 'Deleting'
  | 'OutOfService'
  | 'Failed';

/** `CreateModel`. */
export interface ICreateModelRequest {
  ModelName: string;
  PrimaryContainer: {
    ModelDataUrl: string;
    Image?: string;
    Environment?: Record<string, string>;
  };
}

/** One row of `ListModels`. */
export interface IModelSummary {
  ModelName: string;
  ModelArn: string;
  CreationTime: string | null;
}

/** `GET models`. */
export interface IListModelsReply {
  Models: IModelSummary[];
  NextToken: string | null;
}

/** One production variant of `CreateEndpointConfig`. */
export interface IProductionVariant {
  VariantName: string;
  ModelName: string;
  InitialInstanceCount: number;
  InitialVariantWeight: number;
}

/** `CreateEndpointConfig`. */
export interface ICreateEndpointConfigRequest {
  EndpointConfigName: string;
  ProductionVariants: IProductionVariant[];
}

/** `CreateEndpoint` (and `UpdateEndpoint` without the name). */
export interface ICreateEndpointRequest {
  EndpointName: string;
  EndpointConfigName: string;
}

/** One row of `ListEndpoints`. */
export interface IEndpointSummary {
  EndpointName: string;
  EndpointArn?: string;
  EndpointStatus: EndpointStatus | string;
  CreationTime: string | null;
  LastModifiedTime: string | null;
}

/** `GET endpoints`. */
export interface IListEndpointsReply {
  Endpoints: IEndpointSummary[];
  NextToken: string | null;
}

/** One model-server process of a variant. */
export interface IInstance {
  InstanceId: string;
  Status: string;
  Pid: number | null;
  Restarts: number;
}

/** A variant's target-tracking auto-scaling (the body of `…/scaling`). */
export interface IScalingPolicy {
  MinCapacity: number;
  MaxCapacity: number;
  /** Invocations per instance per minute. */
  TargetValue: number;
  /** Seconds. */
  ScaleInCooldown: number;
  /** Seconds. */
  ScaleOutCooldown: number;
  DisableScaleIn?: boolean;
}

/** One variant of `DescribeEndpoint`. */
export interface IVariantDescription {
  VariantName: string;
  ModelName: string;
  CurrentWeight: number;
  DesiredWeight: number;
  CurrentInstanceCount: number;
  DesiredInstanceCount: number;
  Instances?: IInstance[];
  AutoScaling?: IScalingPolicy;
}

/** `GET endpoints/{name}` (`DescribeEndpoint` plus `RuntimeUrl`). */
export interface IDescribeEndpointReply extends IEndpointSummary {
  EndpointConfigName: string;
  FailureReason?: string;
  /** Base URL for `boto3.client("sagemaker-runtime", endpoint_url=…)`; null before the router ever ran. */
  RuntimeUrl: string | null;
  ProductionVariants: IVariantDescription[];
}

/** One change of `UpdateEndpointWeightsAndCapacities`. */
export interface IDesiredWeightAndCapacity {
  VariantName: string;
  DesiredWeight?: number;
  DesiredInstanceCount?: number;
}

/** One row of `GET endpoints/{name}/scaling-activities`. */
export interface IScalingActivity {
  ActivityId: string;
  VariantName: string;
  Description: string;
  Cause: string;
  FromCount: number;
  ToCount: number;
  StatusCode: string;
  StartTime: string | null;
  EndTime: string | null;
}

/** One traffic data point of a variant (one metrics period). */
export interface IEndpointMetricPoint {
  /** Seconds since the epoch (end of the period). */
  Timestamp: number;
  Invocations: number;
  InvocationsPerMinute: number;
  Errors: number;
  /** Microseconds, mean over the period's invocations. */
  ModelLatency: number;
  /** Microseconds, mean over the period's invocations. */
  OverheadLatency: number;
  InstanceCount: number;
}

/** `GET endpoints/{name}/metrics?since=…`. */
export interface IEndpointMetricsReply {
  /** Seconds per data point. */
  Period: number;
  Variants: Record<string, IEndpointMetricPoint[]>;
}

/** `GET endpoints/{name}/logs`. */
export interface IEndpointLogsReply {
  Logs: { VariantName: string; InstanceId: string; Text: string }[];
}

/** What a test invocation gave. */
export interface IInvocationResult {
  status: number;
  statusText: string;
  /** `X-Amzn-Invoked-Production-Variant`. */
  variant: string;
  contentType: string;
  /** Round trip measured in the browser. */
  milliseconds: number;
  body: string;
  /** The server's `message` for an error reply, else null. */
  error: string | null;
}

/** Batch transform progress as the server reports it. */
export interface ITransformProgress {
  files_total?: number;
  files_done?: number;
  records_done?: number;
  bytes_total?: number;
  bytes_done?: number;
}

/** One row of `ListTransformJobs`. */
export interface ITransformJobSummary {
  TransformJobName: string;
  TransformJobArn?: string;
  TransformJobStatus: string;
  CreationTime: string | null;
  TransformEndTime: string | null;
  Progress?: ITransformProgress;
  FailureReason?: string;
}

/** `GET transform-jobs`. */
export interface IListTransformJobsReply {
  TransformJobSummaries: ITransformJobSummary[];
  NextToken: string | null;
}

/** `CreateTransformJob`. */
export interface ICreateTransformJobRequest {
  TransformJobName: string;
  ModelName: string;
  BatchStrategy: 'MultiRecord' | 'SingleRecord';
  MaxPayloadInMB: number;
  MaxConcurrentTransforms: number;
  TransformInput: {
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix'; S3Uri: string } };
    ContentType: string;
    SplitType: 'None' | 'Line';
    CompressionType: 'None' | 'Gzip';
  };
  TransformOutput: {
    S3OutputPath: string;
    Accept: string;
    AssembleWith: 'None' | 'Line';
  };
  TransformResources: { InstanceCount: number };
  DataProcessing: { JoinSource: 'None' | 'Input' };
}

/** `GET transform-jobs/{name}` (`DescribeTransformJob` plus `Progress`). */
export interface IDescribeTransformJobReply extends ICreateTransformJobRequest, ITransformJobSummary {
  TransformStartTime?: string | null;
}
