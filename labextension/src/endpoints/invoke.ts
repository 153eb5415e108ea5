/**
 * The Test tab's request and response: the headers `InvokeEndpoint` sends,
 * example bodies, and how a reply is read and shown.
 */
import type { IInvocationResult } from './types';

/** Request content types the Test tab offers (text bodies only; NPY is binary). */
export const REQUEST_TYPES = ['application/json', 'text/csv', 'application/jsonlines', 'text/plain'] as const;

/** Accept types the Test tab offers. */
export const ACCEPT_TYPES = ['application/json', 'text/csv', 'application/jsonlines', '*/*'] as const;

/** An example body per content type: one row of four features. */
export function exampleBody(contentType: string): string {
  switch (contentType) {
    case 'text/csv':
      return '0.1,0.2,0.3,0.4';
    case 'application/jsonlines':
      return '[0.1, 0.2, 0.3, 0.4]';
    case 'text/plain':
      return 'hello';
    default:
      return '[[0.1, 0.2, 0.3, 0.4]]';
  }
}

/** Whether `body` is one of the examples (so a content type change may replace it). */
export function isExampleBody(body: string): boolean {
  return body.trim() === '' || REQUEST_TYPES.some(t => exampleBody(t) === body.trim());
}

/** The headers of an invocation; `variant` targets one production variant ('' lets weights decide). */
export function invocationHeaders(contentType: string, accept: string, variant = ''): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': contentType, Accept: accept };
  if (variant) {
    headers['X-Amzn-SageMaker-Target-Variant'] = variant;
  }
  return headers;
}

/** Why a body cannot be sent as `contentType`, or null. */
export function bodyError(body: string, contentType: string): string | null {
  if (body.trim() === '') {
    return 'Enter a request body.';
  }
  if (contentType === 'application/json') {
    try {
      JSON.parse(body);
    } catch (error) {
      return `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return null;
}

/** A body for display: indented when it is JSON, as is otherwise. */
export function prettyBody(text: string, contentType: string): string {
  const looksJson = /json/i.test(contentType) || /^\s*[[{]/.test(text);
  if (!looksJson) {
    return text;
  }
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The `message` of a JSON error body, or null. */
function errorMessage(text: string): string | null {
  try {
    const data: unknown = JSON.parse(text);
    if (data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string') {
      return (data as { message: string }).message;
    }
  } catch {
    // Not JSON: the body itself is shown.
  }
  return null;
}

/** Read an invocation's reply (`milliseconds` measured by the caller). */
export async function readInvocation(response: Response, milliseconds: number): Promise<IInvocationResult> {
  const body = await response.text();
  const contentType = response.headers.get('Content-Type') ?? '';
  return {
    status: response.status,
    statusText: response.statusText,
    variant: response.headers.get('X-Amzn-Invoked-Production-Variant') ?? '',
    contentType,
    milliseconds,
    body,
    error: response.ok ? null : errorMessage(body) ?? (body.trim() || `The server answered ${response.status}.`)
  };
}

/** Python that calls the endpoint with boto3 (`runtimeUrl` is the endpoint router's base URL). */
export function boto3Snippet(runtimeUrl: string, endpointName: string): string {
  return [
    'import boto3',
    '',
    `runtime = boto3.client("sagemaker-runtime", endpoint_url=${JSON.stringify(runtimeUrl)})`,
    'reply = runtime.invoke_endpoint(',
    `    EndpointName=${JSON.stringify(endpointName)},`,
    '    ContentType="application/json",',
    `    Body=${JSON.stringify(exampleBody('application/json'))},`,
    ')',
    'print(reply["Body"].read().decode())'
  ].join('\n');
}
