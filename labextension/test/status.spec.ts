import {
  AWS_ENDPOINT_LABEL,
  endpointLabel,
  errorText,
  healthLabel,
  parseStatusReply,
  replyHealth,
  s3Summary,
  stateHealth,
  statusItems
} from '../src/status';
import { healthyReply } from './fixtures';

describe('replyHealth', () => {
  it('is healthy when the server and every part are healthy', () => {
    expect(replyHealth(healthyReply())).toBe('healthy');
  });

  it('is degraded when the server says unhealthy', () => {
    const reply = { ...healthyReply(), healthy: false };
    expect(replyHealth(reply)).toBe('degraded');
  });

  it('is degraded when S3 is unhealthy even if the top flag says healthy', () => {
    const reply = healthyReply();
    reply.s3.healthy = false;
    reply.s3.message = 'endpoint http://10.0.0.9:9000 did not answer within 3 s';
    expect(replyHealth(reply)).toBe('degraded');
  });

  it('is degraded when the database is unhealthy', () => {
    const reply = healthyReply();
    reply.database.healthy = false;
    expect(replyHealth(reply)).toBe('degraded');
  });

  it('is degraded when no backend is available', () => {
    const reply = healthyReply();
    reply.backends = [{ name: 'ray', available: false, message: 'no cluster' }];
    expect(replyHealth(reply)).toBe('degraded');
    reply.backends = [];
    expect(replyHealth(reply)).toBe('degraded');
  });
});

describe('stateHealth and healthLabel', () => {
  it('maps each state to the data-status value and badge text', () => {
    const loaded = { kind: 'loaded' as const, reply: healthyReply(), updated: new Date() };
    const degraded = {
      kind: 'loaded' as const,
      reply: { ...healthyReply(), healthy: false },
      updated: new Date()
    };
    const failed = {
      kind: 'error' as const,
      message: 'boom',
      lastReply: healthyReply(),
      updated: new Date()
    };
    expect(stateHealth({ kind: 'loading' })).toBe('loading');
    expect(stateHealth(loaded)).toBe('healthy');
    expect(stateHealth(degraded)).toBe('degraded');
    // A failed request is an error even when an older reply was healthy.
    expect(stateHealth(failed)).toBe('error');

    expect(healthLabel('loading')).toBe('Loading…');
    expect(healthLabel('healthy')).toBe('Healthy');
    expect(healthLabel('degraded')).toBe('Degraded');
    expect(healthLabel('error')).toBe('Unreachable');
  });
});

describe('S3 display strings', () => {
  it('shows the embedded endpoint', () => {
    expect(s3Summary(healthyReply().s3)).toBe('S3: http://127.0.0.1:43121 (embedded)');
  });

  it('shows an external endpoint as external', () => {
    const s3 = { ...healthyReply().s3, endpoint_url: 'https://minio.example:9000', embedded: false };
    expect(s3Summary(s3)).toBe('S3: https://minio.example:9000 (external)');
  });

  it('shows a null endpoint as AWS', () => {
    const s3 = { ...healthyReply().s3, endpoint_url: null, embedded: false };
    expect(endpointLabel(s3)).toBe(AWS_ENDPOINT_LABEL);
    expect(s3Summary(s3)).toBe('S3: AWS (default endpoint) (external)');
  });
});

describe('statusItems', () => {
  it('lists S3 endpoint, store kind, bucket, database and each backend', () => {
    const items = statusItems(healthyReply());
    expect(items.map(i => i.label)).toEqual([
      'S3 endpoint',
      'S3 store',
      'Default bucket',
      'Database',
      'Job backend'
    ]);
    expect(items[0]).toMatchObject({ value: 'http://127.0.0.1:43121', healthy: true, detail: 'reachable' });
    expect(items[1].value).toMatch(/^Embedded/);
    expect(items[2]).toMatchObject({ value: 'mlstudio', healthy: true });
    expect(items[3]).toMatchObject({ healthy: true, detail: 'revision 0001 · ok' });
    expect(items[4]).toMatchObject({ value: 'local (default)', healthy: true, detail: '2 CPUs' });
  });

  it('carries the server message of an unhealthy part', () => {
    const reply = healthyReply();
    reply.s3 = {
      ...reply.s3,
      endpoint_url: null,
      embedded: false,
      healthy: false,
      message: 'no AWS credentials found'
    };
    reply.backends.push({ name: 'ray', available: false, message: 'no cluster address' });
    const items = statusItems(reply);
    expect(items[0]).toMatchObject({ value: AWS_ENDPOINT_LABEL, healthy: false, detail: 'no AWS credentials found' });
    expect(items[1].value).toBe('External');
    const ray = items.find(i => i.value === 'ray');
    // Not the default: an optional backend that is not set up is neutral.
    expect(ray).toMatchObject({ healthy: null, detail: 'unavailable: no cluster address' });
    reply.backends = [{ name: 'local', available: false, default: true, message: '' }];
    expect(statusItems(reply).pop()).toMatchObject({ healthy: false, detail: 'unavailable' });
  });

  it('flags a reply without backends', () => {
    const reply = { ...healthyReply(), backends: [] };
    expect(statusItems(reply).pop()).toMatchObject({ label: 'Job backends', healthy: false });
  });
});

describe('parseStatusReply', () => {
  it('accepts the contract example unchanged', () => {
    expect(parseStatusReply(JSON.parse(JSON.stringify(healthyReply())))).toEqual(healthyReply());
  });

  it('turns an empty endpoint into null and fills missing optional fields', () => {
    const raw = {
      version: '0.2.0',
      healthy: true,
      s3: { endpoint_url: '', embedded: false, healthy: true },
      database: { url: 'sqlite://', healthy: true },
      backends: [{ name: 'local', available: true }]
    };
    const reply = parseStatusReply(raw);
    expect(reply.s3.endpoint_url).toBeNull();
    expect(reply.s3.message).toBe('');
    expect(reply.backends[0]).toEqual({ name: 'local', available: true, default: false, message: '' });
  });

  it('rejects replies of the wrong shape with readable messages', () => {
    expect(() => parseStatusReply('<html>')).toThrow('not a JSON object');
    expect(() => parseStatusReply({ version: '1' })).toThrow('no "s3" part');
    const noBackends = { ...healthyReply(), backends: undefined };
    expect(() => parseStatusReply(noBackends)).toThrow('no "backends" list');
  });
});

describe('errorText', () => {
  it('uses the message of an Error and never a stack', () => {
    const error = new Error('endpoint did not answer');
    expect(errorText(error)).toBe('endpoint did not answer');
    expect(errorText('plain')).toBe('plain');
    expect(errorText(undefined)).toBe('Unknown error');
    expect(errorText(new Error(''))).toBe('Unknown error');
  });
});
