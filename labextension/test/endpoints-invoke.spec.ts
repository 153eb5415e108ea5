import {
  ACCEPT_TYPES,
  bodyError,
  boto3Snippet,
  exampleBody,
  invocationHeaders,
  isExampleBody,
  prettyBody,
  readInvocation,
  REQUEST_TYPES
} from '../src/endpoints/invoke';
import {
  collectionRoute,
  endpointMetricsRoute,
  endpointRoute,
  scalingRoute,
  transformLogsRoute,
  transformRoute
} from '../src/endpoints/routes';

describe('deploy routes', () => {
  it('builds collection, resource and sub-resource paths', () => {
    expect(collectionRoute('endpoints', 100)).toBe('endpoints?MaxResults=100');
    expect(collectionRoute('models', 50, 'abc')).toBe('models?MaxResults=50&NextToken=abc');
    expect(endpointRoute('ep-1')).toBe('endpoints/ep-1');
    expect(endpointRoute('ep-1', 'invocations')).toBe('endpoints/ep-1/invocations');
    expect(scalingRoute('ep', 'variant-a')).toBe('endpoints/ep/variants/variant-a/scaling');
    expect(endpointMetricsRoute('ep', 0)).toBe('endpoints/ep/metrics?since=0');
    expect(endpointMetricsRoute('ep', 1714562400.5)).toBe('endpoints/ep/metrics?since=1714562400.5');
    expect(transformRoute('t', 'stop')).toBe('transform-jobs/t/stop');
    expect(transformLogsRoute('t', 42)).toBe('transform-jobs/t/logs?offset=42');
  });
});

describe('test requests', () => {
  it('offers text content types only', () => {
    expect(REQUEST_TYPES).toContain('application/json');
    expect(REQUEST_TYPES).toContain('text/csv');
    expect(REQUEST_TYPES).not.toContain('application/x-npy');
    expect(ACCEPT_TYPES[0]).toBe('application/json');
  });

  it('has an example per content type', () => {
    expect(exampleBody('application/json')).toBe('[[0.1, 0.2, 0.3, 0.4]]');
    expect(exampleBody('text/csv')).toBe('0.1,0.2,0.3,0.4');
    expect(isExampleBody('0.1,0.2,0.3,0.4')).toBe(true);
    expect(isExampleBody('  ')).toBe(true);
    expect(isExampleBody('[[1]]')).toBe(false);
  });

  it('sets the headers InvokeEndpoint sends', () => {
    expect(invocationHeaders('text/csv', 'application/json')).toEqual({ 'Content-Type': 'text/csv', Accept: 'application/json' });
    expect(invocationHeaders('text/csv', '*/*', 'variant-b')['X-Amzn-SageMaker-Target-Variant']).toBe('variant-b');
  });

  it('checks the body', () => {
    expect(bodyError('[[1, 2]]', 'application/json')).toBeNull();
    expect(bodyError('', 'text/csv')).toMatch(/Enter/);
    expect(bodyError('[[1, 2]', 'application/json')).toMatch(/Not valid JSON/);
    expect(bodyError('1,2', 'text/csv')).toBeNull();
  });

  it('indents JSON replies', () => {
    expect(prettyBody('{"predictions":[1]}', 'application/json')).toBe('{\n  "predictions": [\n    1\n  ]\n}');
    expect(prettyBody('[1,2]', '')).toBe('[\n  1,\n  2\n]');
    expect(prettyBody('1\n2', 'text/csv')).toBe('1\n2');
    expect(prettyBody('{oops', 'application/json')).toBe('{oops');
  });

  it('reads a reply with its variant', async () => {
    const response = new Response('[1]', {
      status: 200,
      headers: { 'Content-Type': 'application/json', 'X-Amzn-Invoked-Production-Variant': 'variant-a' }
    });
    expect(await readInvocation(response, 12.5)).toEqual({
      status: 200,
      statusText: '',
      variant: 'variant-a',
      contentType: 'application/json',
      milliseconds: 12.5,
      body: '[1]',
      error: null
    });
  });

  it('reads an error reply as its message', async () => {
    const json = new Response(JSON.stringify({ message: 'unsupported content type', reason: 'UnsupportedMediaType' }), {
      status: 415
    });
    expect((await readInvocation(json, 1)).error).toBe('unsupported content type');
    expect((await readInvocation(new Response('boom', { status: 500 }), 1)).error).toBe('boom');
    expect((await readInvocation(new Response('', { status: 503 }), 1)).error).toMatch(/503/);
  });

  it('shows how to call the endpoint with boto3', () => {
    const snippet = boto3Snippet('http://127.0.0.1:8123', 'churn');
    expect(snippet).toContain('boto3.client("sagemaker-runtime", endpoint_url="http://127.0.0.1:8123")');
    expect(snippet).toContain('EndpointName="churn"');
    expect(snippet).toContain('Body="[[0.1, 0.2, 0.3, 0.4]]"');
  });
});
