/**
 * Typed calls to the deploy API. Changes (create, update, delete, stop) are
 * announced on `changed` so the section and open views refresh at once.
 */
import { Signal, type ISignal } from '@lumino/signaling';

import { fetchAPI, requestAPI } from '../api';
import { TrainingClient } from '../training/client';
import { invocationHeaders, readInvocation } from './invoke';
import {
  collectionRoute,
  endpointMetricsRoute,
  endpointRoute,
  ENDPOINT_CONFIGS_ROUTE,
  ENDPOINTS_ROUTE,
  MODELS_ROUTE,
  resourceRoute,
  scalingRoute,
  transformLogsRoute,
  transformRoute,
  TRANSFORM_JOBS_ROUTE
} from './routes';
import type {
  ICreateEndpointConfigRequest,
  ICreateEndpointRequest,
  ICreateModelRequest,
  ICreateTransformJobRequest,
  IDescribeEndpointReply,
  IDescribeTransformJobReply,
  IDesiredWeightAndCapacity,
  IEndpointLogsReply,
  IEndpointMetricsReply,
  IInvocationResult,
  IListEndpointsReply,
  IListModelsReply,
  IListTransformJobsReply,
  IScalingActivity,
  IScalingPolicy
} from './types';
import type { ILogsReply } from '../training/types';

/** What changed: an endpoint or a transform job, by name. */
export interface IChange {
  kind: 'endpoint' | 'transform';
  name: string;
}

const JSON_POST = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });

/** The REST client of the Endpoints panel. */
export class EndpointsClient {
  /** Training jobs and S3 browsing (for model sources and the S3 picker). */
  readonly training = new TrainingClient();

  /** Emitted after a create, update, delete or stop. */
  get changed(): ISignal<this, IChange> {
    return this._changed;
  }

  /** Tell listeners that something changed (e.g. a view saw a new status). */
  report(change: IChange): void {
    this._changed.emit(change);
  }

  // -- models and configs ---------------------------------------------------------

  listModels(): Promise<IListModelsReply> {
    return requestAPI<IListModelsReply>(collectionRoute(MODELS_ROUTE, 100));
  }

  async createModel(body: ICreateModelRequest): Promise<void> {
    await requestAPI(MODELS_ROUTE, JSON_POST(body));
  }

  async deleteModel(name: string): Promise<void> {
    await requestAPI(resourceRoute(MODELS_ROUTE, name), { method: 'DELETE' });
  }

  async createEndpointConfig(body: ICreateEndpointConfigRequest): Promise<void> {
    await requestAPI(ENDPOINT_CONFIGS_ROUTE, JSON_POST(body));
  }

  async deleteEndpointConfig(name: string): Promise<void> {
    await requestAPI(resourceRoute(ENDPOINT_CONFIGS_ROUTE, name), { method: 'DELETE' });
  }

  // -- endpoints ------------------------------------------------------------------

  listEndpoints(): Promise<IListEndpointsReply> {
    return requestAPI<IListEndpointsReply>(collectionRoute(ENDPOINTS_ROUTE, 100));
  }

  describeEndpoint(name: string): Promise<IDescribeEndpointReply> {
    return requestAPI<IDescribeEndpointReply>(endpointRoute(name));
  }

  async createEndpoint(body: ICreateEndpointRequest): Promise<void> {
    await requestAPI(ENDPOINTS_ROUTE, JSON_POST(body));
    this._changed.emit({ kind: 'endpoint', name: body.EndpointName });
  }

  async deleteEndpoint(name: string): Promise<void> {
    await requestAPI(endpointRoute(name), { method: 'DELETE' });
    this._changed.emit({ kind: 'endpoint', name });
  }

  async updateWeightsAndCapacities(name: string, changes: IDesiredWeightAndCapacity[]): Promise<void> {
    await requestAPI(endpointRoute(name, 'weights-and-capacities'), JSON_POST({ DesiredWeightsAndCapacities: changes }));
    this._changed.emit({ kind: 'endpoint', name });
  }

  async putScaling(name: string, variant: string, policy: IScalingPolicy): Promise<IScalingPolicy> {
    const reply = await requestAPI<IScalingPolicy>(scalingRoute(name, variant), { method: 'PUT', body: JSON.stringify(policy) });
    this._changed.emit({ kind: 'endpoint', name });
    return reply;
  }

  async deleteScaling(name: string, variant: string): Promise<void> {
    await requestAPI(scalingRoute(name, variant), { method: 'DELETE' });
    this._changed.emit({ kind: 'endpoint', name });
  }

  async scalingActivities(name: string): Promise<IScalingActivity[]> {
    const reply = await requestAPI<{ ScalingActivities: IScalingActivity[] }>(endpointRoute(name, 'scaling-activities'));
    return reply.ScalingActivities ?? [];
  }

  metrics(name: string, since: number): Promise<IEndpointMetricsReply> {
    return requestAPI<IEndpointMetricsReply>(endpointMetricsRoute(name, since));
  }

  logs(name: string): Promise<IEndpointLogsReply> {
    return requestAPI<IEndpointLogsReply>(endpointRoute(name, 'logs'));
  }

  /**
   * Send a test request through the Jupyter server (`InvokeEndpoint`); an
   * error reply is a result too, only an unreachable server throws.
   */
  async invoke(name: string, body: string, contentType: string, accept: string, variant = ''): Promise<IInvocationResult> {
    const started = performance.now();
    const response = await fetchAPI(endpointRoute(name, 'invocations'), {
      method: 'POST',
      body,
      headers: invocationHeaders(contentType, accept, variant)
    });
    return readInvocation(response, performance.now() - started);
  }

  // -- transform jobs -------------------------------------------------------------

  listTransformJobs(): Promise<IListTransformJobsReply> {
    return requestAPI<IListTransformJobsReply>(collectionRoute(TRANSFORM_JOBS_ROUTE, 100));
  }

  describeTransform(name: string): Promise<IDescribeTransformJobReply> {
    return requestAPI<IDescribeTransformJobReply>(transformRoute(name));
  }

  async createTransform(body: ICreateTransformJobRequest): Promise<void> {
    await requestAPI(TRANSFORM_JOBS_ROUTE, JSON_POST(body));
    this._changed.emit({ kind: 'transform', name: body.TransformJobName });
  }

  async stopTransform(name: string): Promise<void> {
    await requestAPI(transformRoute(name, 'stop'), JSON_POST({}));
    this._changed.emit({ kind: 'transform', name });
  }

  async deleteTransform(name: string): Promise<void> {
    await requestAPI(transformRoute(name), { method: 'DELETE' });
    this._changed.emit({ kind: 'transform', name });
  }

  transformLogs(name: string, offset: number): Promise<ILogsReply> {
    return requestAPI<ILogsReply>(transformLogsRoute(name, offset));
  }

  // -- training jobs (model sources) ----------------------------------------------

  async completedTrainingJobs(): Promise<string[]> {
    const reply = await this.training.list({ status: 'Completed', maxResults: 100 });
    return reply.TrainingJobSummaries.map(j => j.TrainingJobName);
  }

  private _changed = new Signal<this, IChange>(this);
}
